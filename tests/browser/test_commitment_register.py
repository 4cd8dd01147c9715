"""The commitments register's filters on a phone: folded behind one button, pickers by typing, kept in the URL."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def test_filter_the_register_on_a_phone(page_factory, live_server):
    page = page_factory(390, 844)
    sign_in(page, live_server, "coordinator@outreach.example")
    page.goto(f"{live_server}/commitments")
    fields = page.locator("#commitment-filter-fields")
    assert not fields.is_visible()  # folded away on a phone until asked for
    page.get_by_role("button", name="Filters").click()
    fields.wait_for(state="visible")
    page.locator("#contact-search").fill("toure")  # no accent typed: "Touré" is found
    pick = page.locator("#contact-results [data-pick-label*='Touré']").first
    pick.wait_for()
    name = pick.get_attribute("data-pick-label")
    pick.click()
    assert page.locator("#contact-chosen").inner_text() == name
    page.get_by_label("Due from").fill("2000-01-01")
    page.get_by_label("Due to").fill("2199-12-31")
    page.get_by_role("button", name="Filter", exact=True).click()
    page.wait_for_url(f"{live_server}/commitments?*")
    query = parse_qs(urlsplit(page.url).query)
    assert query["due_from"] == ["2000-01-01"] and query["due_to"] == ["2199-12-31"] and query["contact"]
    assert page.locator("#commitment-filter-fields").is_visible()  # in use: shown open, with their count
    assert page.get_by_role("button", name="Filters").inner_text().strip().endswith("3")
    assert page.locator("#contact-chosen").inner_text() == name
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the register scrolls sideways by {overflow}px"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "commitments-register-filtered-390.png"), full_page=True)
    page.get_by_label("Due to").fill("1999-01-01")  # before the start: said, not a crash
    page.get_by_role("button", name="Filter", exact=True).click()
    page.wait_for_load_state()
    assert "The end of the due range is before its start." in page.content()
    assert page.problems == [] or all("400" in p for p in page.problems)
