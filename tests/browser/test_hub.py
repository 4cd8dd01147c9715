"""The practice hub in a real browser: an anonymous reader on a phone follows a collection's short link and
opens a resource; the open is counted by the page's beacon."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def test_an_anonymous_reader_on_a_phone_follows_a_collection_link_and_opens_a_resource(page_factory, live_server):
    page = page_factory(390, 844)
    with page.expect_request(re.compile(r".*/hub/opened$")) as beacon:
        page.goto(f"{live_server}/c/planners")
    assert beacon.value.method == "POST"
    page.get_by_role("heading", level=1, name="Briefing pack for mission planners").wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the collection scrolls sideways by {overflow}px on a phone"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hub-collection-phone.png"), full_page=True)
    page.locator("#collection-items").get_by_role("link").first.click()
    page.wait_for_url(re.compile(r".*/hub/r/\d+$"))
    page.get_by_role("link", name="Open the resource").wait_for()
    assert page.get_by_text("Demonstration data").count() >= 1
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the resource page scrolls sideways by {overflow}px on a phone"
    page.screenshot(path=str(ARTIFACTS / "hub-resource-phone.png"), full_page=True)
    page.get_by_role("link", name="Practice hub").first.click()
    page.get_by_role("searchbox", name="Search").fill("mediaton")  # a typo
    page.get_by_role("button", name="Find").click()
    page.locator("#hub-results").get_by_role("link", name=re.compile("[Mm]ediation")).first.wait_for()
    assert page.problems == []


def test_a_manager_sees_the_reach_of_what_readers_opened(page_factory, live_server):
    reader = page_factory(390, 844)
    reader.goto(f"{live_server}/login")
    reader.get_by_role("link", name=re.compile("Practice hub")).click()
    reader.wait_for_url(f"{live_server}/hub")
    page = page_factory()
    sign_in(page, live_server, "manager@outreach.example")
    page.goto(f"{live_server}/resources/reach")
    page.get_by_role("heading", name="Resources opened most").wait_for()
    page.screenshot(path=str(ARTIFACTS / "hub-reach.png"), full_page=True)
    assert page.problems == [] and reader.problems == []
