"""An introduction across the triangle, in four browser sessions: her identity shows only where she allowed it."""
from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

#: The demo's invented identity of "Sahel Rose" (activist@outreach.example), stored encrypted.
PROTECTED = ("Demo Person 1", "demo-activist-1@private.example", "+000 555 0100")


def _clean(page: Any, where: str) -> None:
    text = page.content()
    for value in PROTECTED:
        assert value not in text, f"{value!r} leaked on {where} ({page.url})"


def _overflow(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_activist_coordinator_partner_consent_reveal(page_factory, live_server):
    base = live_server
    activist, coordinator, partner, other = (page_factory() for _ in range(4))
    ARTIFACTS.mkdir(exist_ok=True)

    # 1. the activist asks for an introduction from the public directory
    sign_in(activist, base, "activist@outreach.example")
    activist.goto(f"{base}/directory/public")
    activist.get_by_role("link", name="Request an introduction").first.click()
    activist.get_by_label("What is the introduction for?").fill("Brief the mission on the displacement sites.")
    activist.get_by_label("What would you ask them?").fill("Twenty minutes before the renewal.")
    activist.get_by_role("button", name="Send the request").click()
    activist.wait_for_url(f"{base}/introductions/*")
    request_url = activist.url
    assert "A coordinator will read your request" in activist.content()
    activist.screenshot(path=str(ARTIFACTS / "introduction-activist.png"), full_page=True)

    # 2. the coordinator sees the ranking with its reasons and offers it to the demo partner
    sign_in(coordinator, base, "coordinator@outreach.example")
    coordinator.goto(request_url)
    _clean(coordinator, "the coordinator's triage page")
    assert coordinator.locator("#ranking li").count() >= 2
    coordinator.screenshot(path=str(ARTIFACTS / "introduction-triage.png"), full_page=True)
    coordinator.locator("#ranking li", has_text="Kiplagat").get_by_role("button", name="Offer").click()
    coordinator.wait_for_load_state()
    assert "Offered to a partner" in coordinator.content()

    # 3. the partner reads the brief (codename only) and accepts
    sign_in(partner, base, "partner@outreach.example")
    partner.goto(request_url)
    assert "Sahel Rose" in partner.content()
    _clean(partner, "the partner's brief")
    partner.screenshot(path=str(ARTIFACTS / "introduction-brief.png"), full_page=True)
    partner.get_by_role("button", name="Accept").click()
    partner.wait_for_load_state()
    _clean(partner, "the partner's page after accepting")
    assert "has not agreed to share her identity" in partner.content()

    # another partner cannot even find it
    sign_in(other, base, "partner2@outreach.example")
    response = other.goto(request_url)
    assert response.status == 404
    _clean(other, "another partner's 404")

    # 4. the activist consents to share her identity with that partner
    activist.goto(request_url)
    activist.get_by_role("button", name="Share my name and contact details").click()
    activist.wait_for_load_state()
    assert "Shared with" in activist.content()

    # 5. the partner now sees her name, on an explicit, recorded reveal only
    partner.goto(request_url)
    _clean(partner, "the partner's page (a GET never shows it)")
    partner.get_by_role("button", name="Show her name and contact details").click()
    partner.wait_for_load_state()
    assert "Demo Person 1" in partner.content()
    partner.screenshot(path=str(ARTIFACTS / "introduction-revealed.png"), full_page=True)

    # and the coordinator still does not, without confirming her password
    coordinator.goto(request_url)
    _clean(coordinator, "the coordinator's page after consent")
    for page in (activist, coordinator, partner):
        assert _overflow(page) <= 0
        assert page.problems == []


def test_the_activists_pages_on_a_phone(page_factory, live_server):
    page = page_factory(390, 844)
    sign_in(page, live_server, "activist@outreach.example")
    for path in ("/introductions/", "/introductions/profile", "/introductions/choose?q=a"):
        page.goto(live_server + path)
        assert _overflow(page) <= 0, f"{path} scrolls sideways"
    page.goto(live_server + "/introductions/")
    page.screenshot(path=str(ARTIFACTS / "introductions-phone.png"), full_page=True)
    assert page.problems == []
