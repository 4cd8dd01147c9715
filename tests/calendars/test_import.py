"""Importing an invitation: Outlook, Google and Apple files pre-fill a new meeting; hostile files get a clear 4xx."""
from __future__ import annotations

import re
from datetime import datetime, UTC
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

HERE = Path(__file__).parent / "invitations"


def upload(client: Any, data: bytes, name: str = "invite.ics") -> Any:
    """POST the file as multipart, encoded here: Werkzeug's test client spools large bodies to a temporary
    file it never closes."""
    boundary = "----outreach-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: text/calendar\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post("/calendars/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def prefill_of(response: Any) -> dict[str, list[str]]:
    html = response.get_data(as_text=True)
    href = re.search(r'id="continue-to-form" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    return parse_qs(urlsplit(href).query)


@pytest.fixture
def coordinator(login_as: Any, make_contact: Any, app: Any) -> tuple[Any, Any, Any]:
    from outreach.contacts.models import ContactEmail
    from outreach.core.db import db
    client, user = login_as("coordinator", timezone="Europe/London")
    envoy = make_contact("Bineta", "Diop")
    with app.app_context():
        db.session.add(ContactEmail(contact_id=envoy.id, email="bineta.diop@au.example.org", is_primary=True))
        db.session.commit()
    return client, user, envoy


def count_meetings(app: Any) -> int:
    from sqlalchemy import func, select

    from outreach.core.db import db
    from outreach.meetings.models import Meeting
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Meeting))


def test_an_outlook_invitation_prefills_a_new_meeting(app, coordinator, make_user):
    client, _user, envoy = coordinator
    partner = make_user("partner", email="grace@coalition.example.org", name="Grace Partner")
    response = upload(client, (HERE / "outlook.ics").read_bytes())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Briefing on the AU mediation roster" in html
    assert "Unknown Adviser" in html and "adviser@elsewhere.example" in html  # offered for creation
    args = prefill_of(response)
    # "E. Africa Standard Time" is Windows' name for East Africa: 10:00 there, in Addis Ababa's zone
    assert args["timezone"] == ["Africa/Nairobi"] or args["timezone"] == ["Africa/Addis_Ababa"]
    assert args["date"] == ["2027-01-15"] and args["start_time"] == ["10:00"] and args["end_time"] == ["11:30"]
    assert args["location"] == ["AU Commission, Room 4"]
    assert args["online_url"] == ["https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc"]
    assert sorted(args["attendees"]) == sorted([f"c:{envoy.id}", f"u:{partner.id}"])
    assert args["initiated_by"] == ["target"]  # the envoy (a directory contact) sent the invitation
    form = client.get("/meetings/new?" + urlsplit(re.search(r'id="continue-to-form" href="([^"]+)"', html)
                                                   .group(1).replace("&amp;", "&")).query)
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    assert 'value="Briefing on the AU mediation roster"' in page and 'value="2027-01-15"' in page
    assert "Bineta Diop" in page and "Grace Partner" in page
    assert '<option selected value="target">' in page or 'value="target" selected' in page
    assert count_meetings(app) == 0  # nothing saved until the form is


def test_an_apple_invitation_in_its_iana_zone(coordinator):
    client, _user, _envoy = coordinator
    args = prefill_of(upload(client, (HERE / "apple.ics").read_bytes()))
    assert args["timezone"] == ["Africa/Addis_Ababa"] and args["start_time"] == ["10:00"]
    assert args["location"] == ["Radisson Blu, Addis Ababa"]
    assert "initiated_by" not in args  # no organiser named: who asked is left for the person to record


def test_a_recurring_invitation_imports_the_next_occurrence_or_the_series(app, coordinator):
    client, _user, envoy = coordinator
    response = upload(client, (HERE / "google_weekly.ics").read_bytes())
    html = response.get_data(as_text=True)
    args = prefill_of(response)
    assert args["timezone"] == ["Europe/Paris"] and args["start_time"] == ["15:00"]
    next_date = datetime.fromisoformat(args["date"][0])
    assert next_date.weekday() == 0 and next_date.date() >= datetime.now(UTC).date()
    assert args["attendees"] == [f"c:{envoy.id}"]  # matched whatever the case of the e-mail
    assert args["online_url"] == ["https://meet.google.com/abc-defg-hij"]
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', html).group(1)
    n = int(re.search(r"as (\d+) planned meetings", html).group(1))
    assert 2 <= n <= 52
    done = client.post("/calendars/import/series", data={"payload": payload, "choice": "series"})
    assert done.status_code == 302 and count_meetings(app) == n
    from sqlalchemy import select

    from outreach.core.db import db
    from outreach.meetings.models import Meeting
    with app.app_context():
        starts = [m.start_at for m in db.session.scalars(select(Meeting).order_by(Meeting.start_at))]
        zones = {m.timezone for m in db.session.scalars(select(Meeting))}
    assert zones == {"Europe/Paris"}
    from zoneinfo import ZoneInfo
    assert {s.astimezone(ZoneInfo("Europe/Paris")).strftime("%a %H:%M") for s in starts} == {"Mon 15:00"}


def test_a_tampered_series_is_refused_and_nothing_is_written(app, coordinator, login_as):
    client, _user, _envoy = coordinator
    html = upload(client, (HERE / "google_weekly.ics").read_bytes()).get_data(as_text=True)
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', html).group(1)
    assert client.post("/calendars/import/series", data={"payload": payload[:-3] + "xyz"}).status_code == 400
    other, _ = login_as("coordinator")  # someone else's reading of the file
    assert other.post("/calendars/import/series", data={"payload": payload}).status_code == 400
    assert count_meetings(app) == 0


def _calendar(*lines: str) -> bytes:
    return (
        "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//x//y//EN", *lines, "END:VCALENDAR"]) + "\r\n"
    ).encode()


_EVENT = ["BEGIN:VEVENT", "UID:a@b", "DTSTAMP:20261201T000000Z", "DTSTART:20270101T100000Z", "SUMMARY:x", "END:VEVENT"]

HOSTILE = {
    "no event": (_calendar(), "no event"),
    "empty": (b"", "empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
    "not utf-8": (_calendar(*_EVENT).replace(b"SUMMARY:x", b"SUMMARY:\xff\xfe"), "UTF-8"),
    "not a calendar": (b"hello, world\r\n", "BEGIN:VCALENDAR"),
    "broken folding": (_calendar("BEGIN:VEVENT", "UID:a@b", "DTSTART:20270101T100000Z", "SUMMARY:a long line",
                                 "that was folded without its space", "END:VEVENT"), "Line 8"),
    "unknown zone": (_calendar("BEGIN:VEVENT", "UID:a@b", "DTSTAMP:20261201T000000Z",
                               "DTSTART;TZID=Mars/Olympus_Mons:20270101T100000", "SUMMARY:x", "END:VEVENT"),
                     "Mars/Olympus_Mons"),
    "ten thousand events": (_calendar(*(_EVENT * 10000)), "an invitation is at most 512 KB"),
    "sixty events": (_calendar(*(_EVENT * 60)), "one invitation at a time"),
    "deep nesting": (_calendar(*["BEGIN:X-NEST"] * 50, *["END:X-NEST"] * 50), "nests"),
    "unclosed": (_calendar("BEGIN:VEVENT", "UID:a@b").replace(b"END:VCALENDAR\r\n", b""), "not closed"),
    "two events": (_calendar(*_EVENT, *[x.replace("a@b", "c@d") for x in _EVENT]), "2 different events"),
    "no start": (_calendar("BEGIN:VEVENT", "UID:a@b", "SUMMARY:x", "END:VEVENT"), "no start"),
    "year 9999": (_calendar(*[x.replace("20270101", "99991231") for x in _EVENT]), "out of range"),
    "bad rule": (_calendar(*_EVENT[:-1], "RRULE:FREQ=SOMETIMES", "END:VEVENT"), "cannot read"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_get_a_clear_4xx_and_no_meeting(app, coordinator, case):
    client, _user, _envoy = coordinator
    data, message = HOSTILE[case]
    response = upload(client, data)
    assert 400 <= response.status_code < 500, (case, response.status_code)
    assert message in response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'"), case
    assert count_meetings(app) == 0


def test_a_huge_file_is_refused_before_it_is_read(app, coordinator):
    client, _user, _envoy = coordinator
    huge = _calendar(*_EVENT[:-1], "DESCRIPTION:" + "x" * (600 * 1024), "END:VEVENT")
    response = upload(client, huge)
    assert response.status_code == 413 and "at most 512 KB" in response.get_data(as_text=True)


def test_partners_never_find_an_activist_by_email(app, login_as, make_user):
    make_user("activist", email="hidden@activists.example", name="Hidden Activist")
    client, _ = login_as("partner")
    data = _calendar(*_EVENT[:-1], "ATTENDEE;CN=Someone:mailto:hidden@activists.example", "END:VEVENT")
    response = upload(client, data)
    assert response.status_code == 200 and "Hidden Activist" not in response.get_data(as_text=True)
    assert "attendees" not in prefill_of(response)
