"""The directory in a real browser: search as you type, the tree, the organisation picker, phones."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def test_search_as_you_type_and_open_a_contact(page_factory, live_server):
    page = page_factory()
    sign_in(page, live_server, "coordinator@outreach.example")
    page.goto(f"{live_server}/directory/contacts")
    page.wait_for_load_state("load")
    page.get_by_role("searchbox", name="Search").fill("kiplagt")  # a typo
    page.wait_for_url(re.compile(r".*q=kiplagt.*"))
    results = page.locator("#contact-results")
    results.get_by_role("link", name=re.compile("Kiplagat")).first.wait_for()
    results.get_by_role("link", name=re.compile("Kiplagat")).first.click()
    page.get_by_role("heading", name="Career").wait_for()
    assert page.problems == []


def test_tree_branches_open_on_demand(page_factory, live_server):
    page = page_factory()
    sign_in(page, live_server, "partner@outreach.example")
    page.goto(f"{live_server}/directory/organisations?view=tree")
    page.locator("summary", has_text="Offices of UN:").click()
    page.get_by_role("link", name="DPO").wait_for()
    page.locator("summary", has_text="Offices of DPO:").click()
    page.get_by_role("link", name="MINUSCA").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "directory-tree.png"), full_page=True)
    assert page.problems == []


def test_move_to_a_new_post_with_the_organisation_picker(page_factory, live_server):
    page = page_factory()
    sign_in(page, live_server, "coordinator@outreach.example")
    page.goto(f"{live_server}/directory/contacts/2")
    name = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("link", name="Move to a new post").click()
    page.wait_for_url(re.compile(r".*/positions/new\?move=1"))
    page.wait_for_load_state("load")  # htmx binds its listeners once the page has loaded
    page.get_by_placeholder("Type part of a name or acronym").fill("UN Wom")
    page.locator("[data-pick-id]", has_text="UN Women").first.click()
    page.get_by_label("Title").fill("Deputy Executive Director")
    page.get_by_label("Started").fill("2026-06-01")
    page.get_by_role("button", name="Save the post").click()
    page.wait_for_url(f"{live_server}/directory/contacts/2")
    assert f"{name.split(' ', 1)[-1]} moved to a new post" in page.content() or "moved to a new post" in page.content()
    current = page.locator(".timeline li.current").first.inner_text()
    assert "Deputy Executive Director" in current and "UN Women" in current
    assert page.problems == []


@pytest.mark.parametrize("role,paths", [
    ("coordinator", ["/directory/contacts", "/directory/contacts/1", "/directory/organisations",
                     "/directory/organisations?view=tree", "/directory/organisations/8", "/directory/contacts/new",
                     "/directory/contacts/1/positions/new", "/directory/duplicates", "/directory/import",
                     "/directory/search?q=minusca", "/directory/contacts/3/merge?with=4"]),
    ("activist", ["/directory/public", "/directory/public?q=srsg"]),
])
def test_directory_pages_fit_a_phone(page_factory, live_server, role, paths):
    page = page_factory(390, 844)
    sign_in(page, live_server, f"{role}@outreach.example")
    for path in paths:
        page.goto(live_server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    assert page.problems == []
