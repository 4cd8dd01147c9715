"""Logging a meeting in the browser: typeahead, one form, no script or CSP errors, usable on a phone."""
from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

#: The day the meetings logged here were held (a meeting still to come cannot be held).
HELD_ON = "2026-03-09"


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_log_a_meeting_with_the_typeahead(page_factory, live_server, width, height):
    page = page_factory(width, height)
    sign_in(page, live_server, "coordinator@outreach.example")
    page.goto(f"{live_server}/meetings/new")
    page.get_by_label("Title").fill(f"Call with the partners ({width})")
    page.get_by_label("Date", exact=True).fill(HELD_ON)  # a held meeting lies in the past
    page.get_by_label("Starts").fill("10:00")
    page.get_by_placeholder("Type a name").fill("kip")
    page.locator("#attendee-results input[data-kind='partner'][data-label*='Kiplagat']").check()
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


def _log_meeting(page: Any, base: str, title: str, starts: str, follow_ups: dict[str, str]) -> None:
    """Sign in as the coordinator and log a meeting with follow-ups (task -> due date)."""
    sign_in(page, base, "coordinator@outreach.example")
    page.goto(f"{base}/meetings/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Date", exact=True).fill(HELD_ON)  # a held meeting lies in the past
    page.get_by_label("Starts").fill(starts)
    for row, (task, due) in enumerate(follow_ups.items()):
        if row:
            page.get_by_role("button", name="Add another follow-up").click()
            page.wait_for_load_state()
        page.locator(f"[name='follow_ups-{row}-task']").fill(task)
        page.locator(f"[name='follow_ups-{row}-due_date']").fill(due)
    page.get_by_role("button", name="Save meeting").click()
    page.wait_for_url(f"{base}/meetings/*")


def test_two_browsers_editing_the_same_meeting(page_factory, live_server):
    first = page_factory()
    _log_meeting(first, live_server, "Donor round table", "09:00", {"Circulate the minutes": "2030-01-10"})
    edit_url = first.url + "/edit"
    second = page_factory(390, 844)
    sign_in(second, live_server, "manager@outreach.example")
    first.goto(edit_url)
    second.goto(edit_url)
    assert second.locator("[name='follow_ups-0-task']").input_value() == ""  # rows add new follow-ups only
    second.get_by_label("Title").fill("Donor round table (Oslo)")
    second.get_by_role("button", name="Save meeting").click()
    second.wait_for_url(edit_url.removesuffix("/edit"))
    assert "Meeting saved." in second.content()
    first.get_by_label("Outcome").fill("Norway will co-host.")
    first.get_by_role("button", name="Save meeting").click()
    assert "changed since you opened it" in first.content()
    assert "Donor round table (Oslo)" in first.locator("#stale-changes").inner_text()
    assert first.get_by_label("Outcome").input_value() == "Norway will co-host."  # nothing typed is lost
    first.get_by_role("button", name="Save meeting").click()  # save again, on top of the other change
    first.wait_for_url(edit_url.removesuffix("/edit"))
    page = first.content()
    assert "Norway will co-host." in page and "Donor round table (Oslo)" in page
    assert page.count("Circulate the minutes") == 1
    # the refused save answers 409 on purpose; nothing else may go wrong
    assert [p for p in first.problems if "409 (CONFLICT)" not in p] == [] and second.problems == []


def test_follow_up_actions_from_my_list(page_factory, live_server):
    """Done, snooze and "not needed" share one form per row; each button reaches its own action."""
    page = page_factory()
    _log_meeting(page, live_server, "Follow-up drill", "11:00",
                 {"Send the brief": "2030-06-01", "Book the hall": "2030-06-02", "Draft the letter": "2030-06-03"})

    def row(task: str) -> Any:
        page.goto(f"{live_server}/follow-ups")
        return page.locator("li.follow-up", has_text=task)

    snoozed = row("Send the brief")
    snoozed.get_by_label("Snooze for").select_option("1w")
    snoozed.get_by_role("button", name="Snooze").click()
    assert "Snoozed: Send the brief" in page.content()
    assert "8 Jun 2030" in page.locator("li.follow-up", has_text="Send the brief").inner_text()  # 1 June + a week
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "follow-ups-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "follow-ups-390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})

    page.once("dialog", lambda dialog: dialog.dismiss())
    row("Book the hall").get_by_role("button", name="Not needed").click()
    assert "Cancelled" not in page.content() and page.locator("li.follow-up", has_text="Book the hall").count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("li.follow-up", has_text="Book the hall").get_by_role("button", name="Not needed").click()
    page.wait_for_load_state()
    assert "Cancelled: Book the hall" in page.content()

    row("Draft the letter").get_by_role("button", name="Done").click()
    assert "Done: Draft the letter" in page.content()
    remaining = page.locator("li.follow-up").all_inner_texts()
    assert not any("Book the hall" in t or "Draft the letter" in t for t in remaining)
    assert page.problems == []


def test_pick_who_follows_up_by_typing_a_name(page_factory, live_server):
    page = page_factory(390, 844)
    sign_in(page, live_server, "coordinator@outreach.example")
    page.goto(f"{live_server}/meetings/new")
    page.get_by_label("Title").fill("Envoy debrief")
    page.get_by_label("Date", exact=True).fill(HELD_ON)  # a held meeting lies in the past
    page.get_by_label("Starts").fill("15:00")
    page.locator("[name='follow_ups-0-task']").fill("Brief the envoy's office")
    page.locator("[name='follow_ups-0-due_date']").fill("2030-02-01")
    assert page.locator("#follow_ups-0-assignee_id-chosen").inner_text() == "Leila Haddad"  # yourself, to start
    page.locator("#follow_ups-0-assignee_id-search").fill("kip")
    page.locator("#follow_ups-0-assignee_id-results [data-pick-label*='Kiplagat']").click()
    assert "Kiplagat" in page.locator("#follow_ups-0-assignee_id-chosen").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#follow_ups-0-assignee_id").locator("xpath=ancestor::fieldset").screenshot(
        path=str(ARTIFACTS / "follow-up-picker-390.png"))
    page.get_by_role("button", name="Save meeting").click()
    page.wait_for_url(f"{live_server}/meetings/*")
    assert "Kiplagat" in page.locator("li.follow-up", has_text="Brief the envoy's office").inner_text()
    assert page.problems == []


def test_made_by_offers_the_targets_ticked_and_the_server_decides(page_factory, live_server):
    """The "Made by" picker lists the targets ticked above (read from each one's data-id); a promise left
    unattributed with two targets attending is refused by the server, and the form comes back as it was."""
    page = page_factory(1366, 900)
    sign_in(page, live_server, "coordinator@outreach.example")
    page.goto(f"{live_server}/meetings/new")
    page.get_by_label("Title").fill("Briefing with two targets")
    page.get_by_label("Date", exact=True).fill(HELD_ON)
    page.get_by_label("Starts").fill("11:00")
    page.get_by_placeholder("Type a name").fill("Kamara")
    results = page.locator("#attendee-results input[data-kind='contact']")
    results.first.wait_for()
    first, second = (results.nth(i).get_attribute("data-id") for i in range(2))
    results.first.check()
    page.locator(f"#attendee-results input[data-id='{second}']").check()
    made_by = page.locator("[name='commitments-0-contact_id']")
    assert [o.get_attribute("value") for o in made_by.locator("option").all()] == ["", first, second]
    page.locator("[name='commitments-0-description']").fill("Nominate a gender adviser")
    page.get_by_role("button", name="Save meeting").click()
    page.wait_for_load_state()
    assert "Several targets attended: choose who made this commitment." in page.content()
    assert page.problems == [
        "Failed to load resource: the server responded with a status of 422 (UNPROCESSABLE ENTITY)"
    ]
    page.problems.clear()  # the refusal's 422, which the browser logs; nothing else went wrong
    assert sorted(o.get_attribute("value") for o in made_by.locator("option").all()) == sorted(["", first, second])
    made_by.select_option(second)
    page.get_by_role("button", name="Save meeting").click()
    page.wait_for_url(f"{live_server}/meetings/*")
    assert "Meeting logged." in page.content() and "Nominate a gender adviser" in page.content()
    assert page.problems == []
