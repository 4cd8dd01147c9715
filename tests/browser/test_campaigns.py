"""Campaigns in the browser: a manager sets one up and adds targets from a filtered list; a partner on a phone
logs a meeting with her first target from "My targets" and sees it move to "Met"."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page, where):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px"


def test_a_manager_creates_a_campaign_with_an_objective_and_adds_targets_from_a_filtered_list(page_factory,
                                                                                              live_server):
    page = page_factory()
    sign_in(page, live_server, "manager@outreach.example")
    page.goto(f"{live_server}/campaigns")
    page.get_by_role("link", name="New campaign").click()
    today = date.today()
    page.get_by_label("Name").fill("Women in Sahel security-sector reform")
    page.get_by_label("Goal statement").fill("Ministries of defence in the Sahel adopt gender-responsive SSR plans.")
    page.get_by_label("Starts").fill((today - timedelta(days=10)).isoformat())
    page.get_by_label("Ends").fill((today + timedelta(days=300)).isoformat())
    page.get_by_label("Status").select_option("active")
    page.get_by_role("button", name="Create campaign").click()
    page.wait_for_url(f"{live_server}/campaigns/*")
    assert "Campaign created." in page.content()
    campaign_url = page.url
    page.get_by_role("link", name="Add an objective").click()
    page.get_by_label("Metric").fill("Ministries with an adopted SSR gender plan")
    page.get_by_label("Target value").fill("4")
    page.get_by_label("Deadline").fill((today + timedelta(days=200)).isoformat())
    page.get_by_role("button", name="Set objective").click()
    page.wait_for_url(f"{live_server}/campaigns/objectives/*")
    assert "Objective set." in page.content() and page.locator("svg.chart").count() == 1
    page.goto(campaign_url)
    page.get_by_role("link", name="Add targets").click()
    page.get_by_label("Country").select_option("ET")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    rows = page.locator("input[name='ids']").count()
    assert rows > 3
    page.get_by_label("Tick every row shown").check()
    assert page.locator("input[name='ids']:checked").count() == rows
    page.get_by_role("button", name="Add ticked").click()
    page.wait_for_load_state()
    assert f"{rows} targets added." in page.content()
    page.goto(campaign_url + "/targets")
    assert page.locator("table.targets-table tbody tr").count() == min(rows, 50)
    page.goto(campaign_url + "/board")
    first = page.locator(".board-column").first.locator("button", has_text="Contacted").first
    first.focus()
    page.keyboard.press("Enter")  # the keyboard moves a card
    page.wait_for_selector("#cards-contacted .board-card-moved")  # the card moved to its new column
    assert "Now at “Contacted”" in page.locator(".board-card-moved").inner_text()
    assert page.locator("#count-contacted").inner_text() == "1"
    assert page.evaluate("document.activeElement.textContent").strip().startswith("Met")  # focus stays on the card
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "campaign-board-1366.png"), full_page=False)
    assert page.problems == []


def test_a_partner_on_a_phone_logs_a_meeting_with_her_first_target_and_sees_it_met(page_factory, live_server):
    page = page_factory(390, 844)
    sign_in(page, live_server, "partner@outreach.example")
    page.goto(f"{live_server}/my-targets")
    _no_sideways_scroll(page, "My targets")
    card = page.locator("article.my-target").filter(
        has=page.locator("[data-stage='identified'], [data-stage='contacted']")).filter(
        has=page.locator("a[href*='attendees=c']")).first
    name = card.locator("h2 a").inner_text()
    card.get_by_role("link", name="Log a meeting").click()
    page.wait_for_url(f"{live_server}/meetings/new*")
    _no_sideways_scroll(page, "the meeting form")
    assert name in page.locator("#attendee-selected").inner_text()
    assert page.locator("#campaign_id option:checked").inner_text() != "None"  # the campaign comes with the link
    page.get_by_label("Title").fill(f"Coffee with {name}")
    page.get_by_label("Status").select_option("held")
    page.locator("#date").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_label("Starts").fill("10:00")
    page.get_by_role("button", name="Save meeting").click()
    page.wait_for_url(f"{live_server}/meetings/*")
    assert "Meeting logged." in page.content()
    page.goto(f"{live_server}/my-targets")
    moved = page.locator("article.my-target").filter(has=page.get_by_role("link", name=name, exact=True)).first
    assert moved.locator(".stage-badge").inner_text() == "Met"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "my-targets-390.png"), full_page=False)
    assert page.problems == []
