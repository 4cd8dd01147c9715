"""Logging a meeting in the browser: typeahead, one form, no script or CSP errors, usable on a phone."""
from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_log_a_meeting_with_the_typeahead(page_factory, live_server, width, height):
    page = page_factory(width, height)
    sign_in(page, live_server, "coordinator@outreach.example")
    page.goto(f"{live_server}/meetings/new")
    page.get_by_label("Title").fill(f"Call with the partners ({width})")
    page.get_by_label("Starts").fill("10:00")
    page.get_by_placeholder("Type a name").fill("kip")
    page.locator("#attendee-results input[data-label*='Kiplagat']").check()
    assert "Kiplagat" in page.locator("#attendee-selected").inner_text()  # moved up to the chosen list
    page.locator("[name='follow_ups-0-task']").fill("Send the mediators' list")
    page.locator("[name='follow_ups-0-due_date']").fill("2030-12-03")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the meeting form scrolls sideways by {overflow}px"
    page.get_by_role("button", name="Save meeting").click()
    page.wait_for_url(f"{live_server}/meetings/*")
    assert "Meeting logged." in page.content()
    assert "Send the mediators' list" in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"meeting-logged-{width}.png"), full_page=True)
    for path in ("/meetings", "/commitments", "/commitments/scorecards", "/follow-ups", "/inbox",
                 "/inbox/preferences"):
        page.goto(live_server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
    assert page.problems == []
