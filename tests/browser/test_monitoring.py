"""Monitoring in the browser: a coordinator records a mandate's renewal, rates it, and the watchlist changes."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_record_and_rate_a_new_mandate_version(page_factory, live_server, width, height):
    page = page_factory(width, height)
    sign_in(page, live_server, "coordinator@outreach.example")
    page.goto(f"{live_server}/monitoring")
    row = page.locator("table.watchlist tbody tr", has=page.get_by_role("link", name="UNMISS mandate"))
    assert row.count() == 1
    row.get_by_role("link", name="UNMISS mandate").click()
    page.wait_for_url(re.compile(r".*/monitoring/instruments/\d+$"))
    instrument_url = page.url
    reference = f"S/RES/2799 (2026) {width}"
    page.get_by_role("link", name="Record a new version").click()
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Adopted on").fill("2026-05-08")
    page.get_by_role("button", name="Record the version").click()
    page.wait_for_url(re.compile(r".*/rate$"))
    assert "Now rate it against each criterion." in page.content()
    participation = page.get_by_role("group", name=re.compile("^Participation"))
    participation.get_by_label("Rating").select_option(label="Strong")
    participation.get_by_label("Evidence (quoted text)").fill("Requests a 30% quota for women in the political "
                                                              "dialogue")
    participation.get_by_label("Page or paragraph").fill("OP 19")
    page.get_by_role("group", name=re.compile("^Protection")).get_by_label("Rating").select_option(label="Absent")
    page.get_by_role("button", name="Save the ratings").click()
    page.wait_for_url(re.compile(re.escape(instrument_url) + r"#version-\d+"))
    assert "2 ratings recorded." in page.content()
    changed = page.locator(".comparison").inner_text()
    assert "Participation" in changed and "Protection" in changed
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"instrument-rated-{width}.png"), full_page=True)

    page.goto(f"{live_server}/monitoring")
    row = page.locator("table.watchlist tbody tr", has=page.get_by_role("link", name="UNMISS mandate"))
    assert "Strong" in row.inner_text() and "Absent" in row.inner_text()
    # the filter "participation weak or worse" no longer lists it
    page.goto(f"{live_server}/monitoring")
    page.locator("details.filter-bar summary").click()
    page.get_by_label("Criterion").select_option(label="Participation")
    page.get_by_label("Rated at most").select_option(label="Weak")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*/monitoring\?.*"))
    assert page.get_by_role("link", name="UNMISS mandate").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTIFACTS / f"watchlist-{width}.png"), full_page=True)
    assert page.problems == []
