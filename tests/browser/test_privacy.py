"""Who sees what, in a real browser on the demo data: a partner's view of who knows a contact, and an
activist's view of a meeting she attended."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def test_a_partner_sees_her_own_relationship_and_a_count_of_the_others(page_factory, live_server):
    for width in (1366, 390):
        page = page_factory(width=width)
        sign_in(page, live_server, "partner@outreach.example")
        page.goto(f"{live_server}/directory/people-i-know")
        page.locator("td.known-name a").first.click()
        known = page.locator("section[aria-labelledby=known-by]")
        known.wait_for()
        assert known.locator("li").count() <= 1  # her own relationship only
        if known.locator("#known-by-others").count():
            assert re.search(r"Known by \d+ other partners?", known.inner_text())
        assert page.locator("a[href*='/directory/partners/']").count() == 0  # "whom a partner knows" is staff-only
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"contact-partner-{width}.png"), full_page=True)
        assert page.problems == []


def test_an_activist_reads_a_meeting_without_its_internals(page_factory, live_server):
    page = page_factory(width=390)
    sign_in(page, live_server, "activist@outreach.example")
    page.goto(f"{live_server}/meetings?status=held")
    links = page.locator(".meeting-row a[href^='/meetings/']")
    if links.count() == 0:
        pytest.skip("the demo activist attended no held meeting")
    links.first.click()
    page.get_by_text("Attendees").first.wait_for()
    for hidden in ("#meeting-notes", "#meeting-outcome"):
        assert page.locator(hidden).count() == 0
    assert page.get_by_role("heading", name="Commitments").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "meeting-activist-390.png"), full_page=True)
    assert page.problems == []
