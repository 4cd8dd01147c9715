"""Calendars in the browser: a manager subscribes to an organisation's calendar and independent parsers read it;
a coordinator adds a meeting to her calendar and imports an Outlook invitation into a new meeting."""
from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in
from tests.calendars import readers

pytestmark = pytest.mark.browser
INVITATIONS = Path(__file__).resolve().parents[1] / "calendars" / "invitations"


def _fetch(url: str) -> tuple[int, bytes, dict[str, str]]:
    """As a calendar client would: no cookie, only the address."""
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (a local test server)
        return response.status, response.read(), dict(response.headers)


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_a_manager_subscribes_to_an_organisation_subtree(page_factory, live_server, width, height, tmp_path):
    page = page_factory(width, height)
    sign_in(page, live_server, "manager@outreach.example")
    page.get_by_role("link", name="Calendars").first.click() if width > 1000 else page.goto(f"{live_server}/calendars")
    page.wait_for_url(f"{live_server}/calendars")
    page.get_by_label("Name", exact=True).fill(f"AU calendar ({width})")
    page.get_by_label("An organisation and its offices").check()
    page.get_by_label("Organisation", exact=True).select_option(label="African Union Commission")
    page.get_by_label("Full details (title, place, who attends, a link to the meeting)").check()
    page.get_by_role("button", name="Create subscription").click()
    address = page.locator("#feed-url").input_value()
    assert address.startswith(live_server + "/calendars/feed/ocal_")
    assert page.locator("#feed-webcal").get_attribute("href") == "webcal://" + address.split("://", 1)[1]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"calendars-new-feed-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the calendars page scrolls sideways by {overflow}px"

    status, body, headers = _fetch(address)
    assert status == 200 and headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert headers["Referrer-Policy"] == "no-referrer"
    # the same meetings as the organisation's own download, read by three independent parsers
    organisation_id = re.search(r"/directory/organisations/(\d+)", page.evaluate(
        "fetch('/directory/organisations?q=African+Union+Commission').then(r => r.text())")).group(1)
    download = page.evaluate(f"fetch('/calendars/organisations/{organisation_id}.ics').then(r => r.text())")
    expected = set(re.findall(r"UID:(meeting-\d+@outreach)", download.replace("\r\n ", "")))
    strict = readers.strict_ical(body)
    assert expected and {uid for uid in strict if uid.startswith("meeting-")} == expected
    assert {uid for uid in readers.vobject_read(body) if uid.startswith("meeting-")} == expected
    parsed = readers.icaljs_read(body)
    assert {e["uid"] for e in parsed["events"] if e["uid"].startswith("meeting-")} == expected
    for event in parsed["events"]:
        if event["uid"] in strict and event["start"]:
            assert event["start"].replace(".000Z", "+00:00") == strict[event["uid"]][0].isoformat()
    assert parsed["name"] == f"AU calendar ({width})"
    assert page.problems == []


def test_a_coordinator_adds_a_meeting_to_her_calendar_and_imports_an_invitation(page_factory, live_server):
    page = page_factory()
    sign_in(page, live_server, "coordinator@outreach.example")
    page.goto(f"{live_server}/meetings")
    page.locator("a[href^='/meetings/']").filter(has_not_text="Log a meeting").first.click()
    page.wait_for_url(re.compile(r".*/meetings/\d+$"))
    title = page.locator("h1").inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to calendar").click()
    saved = download_info.value.path()
    body = Path(saved).read_bytes()
    events = readers.strict_ical(body)
    assert len(events) == 1 and list(events.values())[0][1] == title

    page.goto(f"{live_server}/calendars")
    page.get_by_role("link", name="Import an invitation").click()
    page.get_by_label("Invitation (.ics, at most 512 KB)").set_input_files(str(INVITATIONS / "outlook.ics"))
    page.get_by_role("button", name="Read the invitation").click()
    assert "Briefing on the AU mediation roster" in page.locator("h1").inner_text()
    assert "adviser@elsewhere.example" in page.locator("#unknown").inner_text()
    page.screenshot(path=str(ARTIFACTS / "calendars-import-preview.png"), full_page=True)
    page.get_by_role("link", name="Continue to the meeting form").click()
    page.wait_for_url(re.compile(r".*/meetings/new\?.*"))
    assert page.get_by_label("Title").input_value() == "Briefing on the AU mediation roster"
    assert page.get_by_label("Starts").input_value() == "10:00"
    assert page.locator("[name='date']").input_value() == "2027-01-15"
    assert page.get_by_label("Status").input_value() == "planned"  # still to come: it cannot be held yet
    page.get_by_role("button", name="Save meeting").click()
    page.wait_for_url(re.compile(r".*/meetings/\d+$"))
    assert "Meeting logged." in page.content() and "AU Commission, Room 4" in page.content()

    # a hostile file gets a clear message, not an error page
    page.goto(f"{live_server}/calendars/import")
    bad = Path(page.context.browser.version and "/tmp") / "not-a-calendar.ics"
    bad.write_bytes(b"\x00\x01binary")
    page.get_by_label("Invitation (.ics, at most 512 KB)").set_input_files(str(bad))
    page.get_by_role("button", name="Read the invitation").click()
    assert "This is not a calendar file" in page.locator("#file-error").inner_text()
    assert [p for p in page.problems if "415" not in p] == []


def test_a_manager_subscribes_to_a_campaigns_calendar_from_its_page(page_factory, live_server):
    page = page_factory(1366, 900)
    sign_in(page, live_server, "manager@outreach.example")
    page.goto(f"{live_server}/campaigns")
    page.get_by_role("link", name="Gender provisions in the MINUSCA mandate renewal").first.click()
    page.wait_for_url(re.compile(r".*/campaigns/\d+$"))
    campaign_id = page.url.rsplit("/", 1)[1]
    download = page.locator("#scope-calendar").get_by_role("link", name="Download .ics")
    assert download.get_attribute("href") == f"/calendars/scopes/campaign/{campaign_id}.ics"
    page.locator("#scope-calendar").get_by_role("link", name="Add to calendar (subscribe)").click()
    page.wait_for_url(re.compile(r".*/calendars\?scope=campaign.*"))
    assert page.get_by_label("A campaign (its meetings, follow-ups and commitment deadlines)").is_checked()
    assert page.get_by_label("Campaign", exact=True).input_value() == campaign_id
    page.get_by_label("Name", exact=True).fill("MINUSCA campaign")
    page.get_by_role("button", name="Create subscription").click()
    address = page.locator("#feed-url").input_value()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calendars-campaign-feed.png"), full_page=True)
    status, body, _headers = _fetch(address)
    assert status == 200
    downloaded = page.evaluate(f"fetch('/calendars/scopes/campaign/{campaign_id}.ics').then(r => r.text())")
    expected = set(re.findall(r"UID:(meeting-\d+@outreach)", downloaded.replace("\r\n ", "")))
    assert expected, "the demo links meetings to the MINUSCA campaign"
    assert {uid for uid in readers.strict_ical(body) if uid.startswith("meeting-")} == expected
    assert {uid for uid in readers.vobject_read(body) if uid.startswith("meeting-")} == expected
    parsed = readers.icaljs_read(body)
    assert {e["uid"] for e in parsed["events"] if e["uid"].startswith("meeting-")} == expected
    assert page.problems == []
