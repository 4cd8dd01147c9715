"""The contact list's bulk actions and lists in a real browser: filter, select, tag, add to a list; the phone's
folded filters."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def test_coordinator_filters_selects_tags_and_adds_to_a_list(page_factory, live_server):
    page = page_factory()
    sign_in(page, live_server, "coordinator@outreach.example")
    page.goto(f"{live_server}/directory/contacts?country=ET")
    total = page.locator("#contact-total").inner_text()
    assert re.fullmatch(r"\d+ contacts?", total), total
    rows = page.locator("#bulk-form tbody tr")
    first_name = rows.nth(0).get_by_role("link").first.inner_text()
    # "select all on this page" ticks every row; untick one
    page.get_by_label("Select all on this page").check()
    assert page.locator('input[name="ids"]:checked').count() == rows.count()
    page.get_by_label("Select all on this page").uncheck()
    rows.nth(0).locator('input[name="ids"]').check()
    rows.nth(1).locator('input[name="ids"]').check()
    assert "(2)" in page.locator("[data-selected-count]").inner_text()
    # tag them: only the tag field shows for this action
    page.get_by_label("Action").select_option("tag_add")
    assert page.get_by_label("…or a new list").is_hidden()
    page.get_by_label("Tag to add or remove").fill("Addis briefing")
    page.get_by_role("button", name="Apply").click()
    page.get_by_text("Tagged 2 contacts “Addis briefing”.").wait_for()
    assert "country=ET" in page.url
    # add the same two to a new list
    rows = page.locator("#bulk-form tbody tr")
    rows.nth(0).locator('input[name="ids"]').check()
    rows.nth(1).locator('input[name="ids"]').check()
    page.get_by_label("Action").select_option("list_add")
    assert page.get_by_label("Tag to add or remove").is_hidden()
    page.get_by_label("…or a new list").fill("Addis briefing invitees")
    page.get_by_role("button", name="Apply").click()
    page.get_by_text("Added 2 contacts to the list “Addis briefing invitees”.").wait_for()
    # the list page shows them; the contact list filters by it
    page.goto(f"{live_server}/directory/lists")
    page.get_by_role("link", name="Addis briefing invitees").click()
    page.get_by_role("heading", name="Addis briefing invitees").wait_for()
    assert page.get_by_role("link", name=first_name).count() == 1
    page.get_by_role("link", name="Filter the contact list").click()
    assert page.locator("#contact-total").inner_text() == "2 contacts"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "contact-list-bulk.png"), full_page=True)
    assert page.problems == []


def test_on_a_phone_the_filters_fold_behind_a_button_that_counts_them(page_factory, live_server):
    page = page_factory(width=390, height=844, is_mobile=True, has_touch=True)
    sign_in(page, live_server, "coordinator@outreach.example")
    page.goto(f"{live_server}/directory/contacts?country=ET&stance=neutral")
    button = page.get_by_role("button", name=re.compile("^Filters"))
    assert button.get_attribute("aria-expanded") == "false"
    assert page.locator("#active-filter-count").inner_text().startswith("2")
    assert page.get_by_label("Country").is_hidden()
    assert page.get_by_role("searchbox", name="Search").is_visible()
    button.click()
    page.get_by_label("Country").wait_for(state="visible")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "contact-list-phone-filters.png"), full_page=False)
    # on a desktop they are open without asking
    desktop = page_factory()
    sign_in(desktop, live_server, "coordinator@outreach.example")
    desktop.goto(f"{live_server}/directory/contacts")
    assert desktop.get_by_label("Country").is_visible()
    assert desktop.get_by_role("button", name=re.compile("^Filters")).is_hidden()
    assert page.problems == [] and desktop.problems == []
