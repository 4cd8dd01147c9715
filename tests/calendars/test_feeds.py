"""Subscription feeds through the web: tokens, 304s, revocation, permissions, privacy, and clients that read them."""
from __future__ import annotations

import logging
import re
from datetime import timedelta, UTC
from typing import Any

import pytest

from tests.calendars import readers
from tests.calendars.conftest import SOON


def create_feed(client: Any, **fields: Any) -> str:
    """Create a feed through the page; return its secret URL's path (shown once)."""
    data = {"name": "My calendar", "scope": "mine", "privacy": "full", "follow_ups_as": "todo",
            "includes": ["meetings", "follow_ups", "commitments"], **fields}
    response = client.post("/calendars/feeds", data={k: v for k, v in data.items() if v is not None})
    assert response.status_code == 201, response.get_data(as_text=True)[:3000]
    url = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', response.get_data(as_text=True)).group(1)
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


@pytest.fixture
def people(login_as: Any, make_contact: Any, make_organisation: Any, make_meeting: Any, app: Any) -> dict[str, Any]:
    manager_client, manager = login_as("manager", timezone="Africa/Addis_Ababa")
    partner_client, partner = login_as("partner", name="Grace Partner")
    activist_client, activist = login_as("activist", name="Secret Activist Name")
    au = make_organisation("African Union")
    office = make_organisation("AU Office of the Special Envoy", parent=au)
    elsewhere = make_organisation("ASEAN")
    envoy = make_contact("Bineta", "Diop", organisation=office)
    _coordinator_client, coordinator = login_as("coordinator")
    # Only coordinators and admins add an activist to a meeting; the partner attends it.
    mine = make_meeting(coordinator, title="Partner meets the envoy", contacts=(envoy,), users=(partner, activist),
                        start_at=SOON, end_at=SOON + timedelta(hours=1), status="planned")
    other = make_meeting(manager, title="Manager only meeting", start_at=SOON + timedelta(days=1), status="planned",
                         )
    return {"manager": (manager_client, manager), "partner": (partner_client, partner),
            "activist": (activist_client, activist), "au": au, "office": office, "elsewhere": elsewhere,
            "envoy": envoy, "mine": mine, "other": other}


def test_a_feed_is_created_shown_once_and_stored_only_as_a_hash(app, people):
    client, manager = people["manager"]
    path = create_feed(client)
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    assert token.startswith("ocal_") and len(token) >= 5 + 22  # ≥ 128 bits of base64url
    from outreach.calendars.models import CalendarFeed
    from outreach.core.db import db
    with app.app_context():
        feed = db.session.query(CalendarFeed).one()
        assert token not in (feed.token_hash, feed.token_hint) and feed.token_hint.endswith(token[-4:])
    page = client.get("/calendars").get_data(as_text=True)
    assert token not in page and "My calendar" in page
    response = app.test_client().get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    body = response.data
    assert b"NAME:My calendar" in body and b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body


def test_etag_answers_304_and_a_change_gives_new_bytes(app, people, make_meeting):
    client, manager = people["manager"]
    path = create_feed(client, scope="organisation")
    anonymous = app.test_client()
    first = anonymous.get(path)
    assert anonymous.get(path).data == first.data  # byte-identical when nothing changed
    again = anonymous.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    make_meeting(manager, title="A new meeting", start_at=SOON + timedelta(days=2), status="planned")
    changed = anonymous.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and b"A new meeting" in changed.data


def test_regenerate_kills_the_old_address_and_revoke_kills_the_feed(app, people):
    client, manager = people["manager"]
    old = create_feed(client)
    from outreach.calendars.models import CalendarFeed
    from outreach.core.db import db
    with app.app_context():
        feed_id = db.session.query(CalendarFeed.id).scalar()
    response = client.post(f"/calendars/feeds/{feed_id}/regenerate")
    new = re.search(r'value="https?://[^/]+(/calendars/feed/[^"]+)"', response.get_data(as_text=True)).group(1)
    anonymous = app.test_client()
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    client.post(f"/calendars/feeds/{feed_id}/rename", data={"name": "Renamed"})
    assert b"NAME:Renamed" in anonymous.get(new).data
    client.post(f"/calendars/feeds/{feed_id}/revoke")
    assert anonymous.get(new).status_code == 404


def test_someone_elses_feed_cannot_be_managed(app, people, login_as):
    client, _manager = people["manager"]
    create_feed(client)
    from outreach.calendars.models import CalendarFeed
    from outreach.core.db import db
    with app.app_context():
        feed_id = db.session.query(CalendarFeed.id).scalar()
    intruder, _ = login_as("coordinator")
    for action in ("rename", "regenerate", "revoke"):
        assert intruder.post(f"/calendars/feeds/{feed_id}/{action}", data={"name": "x"}).status_code == 404


def test_feeds_die_when_the_user_is_deactivated_or_loses_the_role(app, people, make_user):
    client, manager = people["manager"]
    mine = create_feed(client)
    org_wide = create_feed(client, scope="organisation", name="Everything")
    anonymous = app.test_client()
    from outreach.core.auth.services import change_role, deactivate_user, reactivate_user
    from outreach.core.auth.models import User
    from outreach.core.db import db
    from outreach.core.time import now_utc
    admin = make_user("admin")
    with app.app_context():
        change_role(db.session.get(User, manager.id), "coordinator", actor=admin, now=now_utc())
        db.session.commit()
    assert anonymous.get(org_wide).status_code == 404  # a coordinator may not have the organisation's feed
    assert anonymous.get(mine).status_code == 200
    with app.app_context():
        change_role(db.session.get(User, manager.id), "manager", actor=admin, now=now_utc())
        db.session.commit()
    assert anonymous.get(org_wide).status_code == 404  # gone for good, not back with the role
    with app.app_context():
        deactivate_user(db.session.get(User, manager.id), actor=admin, now=now_utc())
        reactivate_user(db.session.get(User, manager.id), actor=admin, now=now_utc())
        db.session.commit()
    assert anonymous.get(mine).status_code == 404


def test_the_token_opens_only_its_feed(app, people):
    client, _manager = people["manager"]
    path = create_feed(client)
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    anonymous = app.test_client()
    for url in ("/calendars", "/meetings", f"/meetings/{people['mine'].id}/calendar.ics"):
        for attempt in ({"headers": {"Authorization": f"Bearer {token}"}}, {"query_string": {"token": token}}):
            response = anonymous.get(url, **attempt)
            assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert anonymous.get(path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))).status_code == 404
    assert anonymous.get("/calendars/feed/not-a-token.ics").status_code == 404
    assert anonymous.get("/calendars/feed/" + "ocal_" + "x" * 5000 + ".ics").status_code == 404


def test_feed_requests_are_rate_limited(app, people, monkeypatch):
    from outreach.calendars import guard
    client, _manager = people["manager"]
    path = create_feed(client)
    monkeypatch.setitem(app.config, "CALENDAR_FEED_LIMIT", 3)
    anonymous = app.test_client()
    assert [anonymous.get(path).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert int(anonymous.get(path).headers["Retry-After"]) > 0
    monkeypatch.setitem(app.config, "CALENDAR_FEED_LIMIT", 0)  # none (the benchmark's setting)
    assert anonymous.get(path).status_code == 200
    monkeypatch.setattr(guard.per_address_misses, "limit", 2)
    assert [anonymous.get("/calendars/feed/ocal_guess.ics").status_code for _ in range(3)] == [404, 404, 429]


def test_tokens_are_masked_in_logs(caplog):
    from outreach.calendars.guard import MaskFeedTokens
    logger = logging.getLogger("werkzeug")
    assert any(isinstance(f, MaskFeedTokens) for f in logger.filters)
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('%s - - "%s" %s', "127.0.0.1", "GET /calendars/feed/ocal_AbC-12_xyz.ics HTTP/1.1", "200")
        logging.getLogger("gunicorn.access").info("%(r)s", {"r": "GET /calendars/feed/ocal_SECRET.ics"})
    assert "ocal_AbC" not in caplog.text and "ocal_SECRET" not in caplog.text and "ocal_***" in caplog.text


def unfolded(app: Any, path: str) -> bytes:
    """The feed's content lines joined back (a name may be folded across two lines)."""
    response = app.test_client().get(path)
    assert response.status_code == 200
    return response.data.replace(b"\r\n ", b"")


def _uids(body: bytes) -> set[str]:
    return set(re.findall(rb"UID:(meeting-\d+@outreach)", body.replace(b"\r\n ", b"")))


def test_a_partners_feed_holds_exactly_the_meetings_she_can_open(app, people, make_meeting, make_contact):
    from outreach.contacts.models import Relationship
    from outreach.core.db import db
    from outreach.core.time import now_utc
    client, partner = people["partner"]
    manager = people["manager"][1]
    known = make_contact("Known", "Person")
    with app.app_context():
        db.session.add(Relationship(user_id=partner.id, contact_id=known.id, kind="knows_personally",
                                    created_at=now_utc(), updated_at=now_utc()))
        db.session.commit()
    on_her_contact = make_meeting(manager, title="On her contact", contacts=(known,), start_at=SOON, status="planned")
    cancelled = make_meeting(partner, title="Called off", start_at=SOON, status="cancelled")
    candidates = [people["mine"], people["other"], on_her_contact, cancelled]
    path = create_feed(client, includes=["meetings"])
    body = unfolded(app, path)
    can_open = {f"meeting-{m.id}@outreach".encode() for m in candidates
                if client.get(f"/meetings/{m.id}").status_code == 200}
    assert _uids(body) == can_open
    # hers and the cancelled one (kept as cancelled); knowing a contact never opens meetings with them
    assert len(can_open) == 2 and f"meeting-{on_her_contact.id}@outreach".encode() not in body
    assert b"STATUS:CANCELLED" in body


def test_activists_are_never_named_unless_she_reads_her_own_feed(app, people):
    manager_client, _ = people["manager"]
    body = unfolded(app, create_feed(manager_client, scope="organisation"))
    assert b"Partner meets the envoy" in body and b"Secret Activist Name" not in body
    activist_client, _ = people["activist"]
    own = unfolded(app, create_feed(activist_client, includes=["meetings"]))
    assert b"Secret Activist Name" in own and b"Partner meets the envoy" in own


def test_titles_only_and_busy_only_feeds(app, people):
    client, _ = people["manager"]
    busy = unfolded(app, create_feed(client, scope="organisation", privacy="busy"))
    assert b"SUMMARY:Busy" in busy and b"envoy" not in busy and b"Diop" not in busy
    titles = unfolded(app, create_feed(client, scope="organisation", privacy="titles", name="T"))
    assert b"Partner meets the envoy" in titles and b"Diop" not in titles and b"LOCATION" not in titles


def test_coordinator_subscribes_to_an_organisation_subtree(app, people, login_as):
    client, _ = login_as("coordinator")
    body = unfolded(app, create_feed(client, scope="subtree", organisation=str(people["au"].id)))
    assert _uids(body) == {f"meeting-{people['mine'].id}@outreach".encode()}
    partner_client, _ = people["partner"]
    refused = partner_client.post("/calendars/feeds", data={"name": "x", "scope": "organisation", "privacy": "full",
                                                            "follow_ups_as": "todo", "includes": "meetings"})
    assert refused.status_code == 422


def test_follow_ups_as_tasks_or_events_and_commitment_deadlines(app, people, make_meeting):
    from outreach.meetings import services
    from outreach.core.db import db
    from outreach.core.time import now_utc
    client, manager = people["manager"]
    with app.app_context():
        services.log_meeting(
            services.MeetingData(title="With promises", start_at=SOON, timezone="UTC",
                                 attendees=[f"c:{people['envoy'].id}"]),
            commitments=[services.CommitmentData(description="Appoint a gender adviser", contact_id=people["envoy"].id,
                                                 due_date=(SOON + timedelta(days=30)).date(),
                                                 accountable_id=manager.id)],
            follow_ups=[services.FollowUpData(task="Send the brief", due_at=SOON + timedelta(days=1),
                                              assignee_id=manager.id)],
            actor=manager, now=now_utc())
        db.session.commit()
    tasks = unfolded(app, create_feed(client))
    assert b"BEGIN:VTODO" in tasks and b"SUMMARY:Send the brief" in tasks
    assert b"DTSTART;VALUE=DATE:" in tasks and b"Appoint a gender adviser" in tasks
    events = unfolded(app, create_feed(client, follow_ups_as="event", name="E"))
    assert b"BEGIN:VTODO" not in events and b"SUMMARY:Send the brief" in events


def test_independent_clients_read_the_feed_with_the_same_times(app, people, tmp_path):
    """10:00 in Addis Ababa is 07:00 UTC in every reader, each event in its own zone."""
    client, _ = people["manager"]
    body = app.test_client().get(create_feed(client, scope="organisation")).data
    uid = f"meeting-{people['mine'].id}@outreach"
    expected = SOON.astimezone(UTC)
    assert SOON.hour == 7 and b"DTSTART;TZID=Africa/Addis_Ababa:" + SOON.strftime("%Y%m%dT100000").encode() in body
    strict = readers.strict_ical(body)
    assert strict[uid] == (expected, "Partner meets the envoy")
    assert readers.vobject_read(body)[uid] == (expected, "Partner meets the envoy")
    parsed = readers.icaljs_read(body)
    event = next(e for e in parsed["events"] if e["uid"] == uid)
    assert event["start"] == expected.strftime("%Y-%m-%dT%H:%M:%S.000Z") and event["tzid"] == "Africa/Addis_Ababa"
    assert parsed["name"] == "My calendar" and "Africa/Addis_Ababa" in parsed["timezones"]
    assert len(parsed["events"]) == len(strict) - len([k for k in strict if k.startswith("follow-up")])
    stored = readers.radicale_round_trip(body, tmp_path)
    assert stored[uid] == (expected, "Partner meets the envoy")
    assert set(stored) == set(strict)


def test_a_feed_runs_a_fixed_number_of_queries_and_writes_nothing(app, people, make_meeting, count_queries):
    client, manager = people["manager"]
    path = create_feed(client, scope="organisation")
    anonymous = app.test_client()
    with count_queries() as few:
        anonymous.get(path)
    for n in range(6):
        make_meeting(manager, title=f"Extra {n}", contacts=(people["envoy"],), users=(people["partner"][1],),
                     start_at=SOON + timedelta(hours=n))
    with count_queries() as many:
        body = anonymous.get(path).data
    assert body.count(b"BEGIN:VEVENT") == 8
    assert many.count == few.count and many.writes == []


def test_an_unchanged_feed_answers_304_from_its_fingerprint_without_reading_its_items(app, people, make_meeting,
                                                                                      count_queries, monkeypatch):
    from outreach.calendars import ics, services

    client, manager = people["manager"]
    path = create_feed(client, scope="organisation")
    anonymous = app.test_client()
    first = anonymous.get(path)
    etag = first.headers["ETag"]
    assert anonymous.get(path).headers["ETag"] == etag  # the same data: the same ETag, on every 200 too

    def must_not_render(*_args, **_kw):
        raise AssertionError("a 304 reads and renders nothing")

    with monkeypatch.context() as m:
        m.setattr(services, "collect_items", must_not_render)
        m.setattr(ics, "build_calendar", must_not_render)
        with count_queries() as few:
            again = anonymous.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
        assert again.headers["Cache-Control"] == "private, no-cache"
        for n in range(4):
            make_meeting(manager, title=f"Extra {n}", contacts=(people["envoy"],), start_at=SOON + timedelta(hours=n))
        etag = anonymous.get(path, headers={"If-None-Match": "*"}).headers["ETag"]
        with count_queries() as many:
            assert anonymous.get(path, headers={"If-None-Match": etag}).status_code == 304
    # the feed and its owner, then one aggregate per source (meetings: two, their attendees' names being written)
    assert few.count == many.count == 5 and many.writes == []


def _changed(app, path: str, etag: str, expected: bytes) -> str:
    """The feed after a change: a new ETag, the new bytes, and the new ETag answers 304."""
    anonymous = app.test_client()
    response = anonymous.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] != etag
    assert expected in response.data.replace(b"\r\n ", b"")
    new = response.headers["ETag"]
    assert anonymous.get(path, headers={"If-None-Match": new}).status_code == 304
    return new


def test_the_etag_changes_whenever_the_feed_would(app, people):
    from outreach.contacts import services as contacts
    from outreach.core.auth.models import User
    from outreach.core.db import db
    from outreach.core.time import now_utc
    from outreach.meetings.models import Meeting

    client, manager = people["manager"]
    path = create_feed(client, scope="organisation")
    etag = app.test_client().get(path).headers["ETag"]
    with app.app_context():
        meeting = db.session.get(Meeting, people["mine"].id)
        meeting.title, meeting.updated_at = "Renamed meeting", now_utc()
        db.session.commit()
    etag = _changed(app, path, etag, b"SUMMARY:Renamed meeting")
    with app.app_context():  # an attendee's name is in the description
        contacts.update_contact(db.session.get(type(people["envoy"]), people["envoy"].id), {"last_name": "Diop-Sall"},
                                actor=manager, now=now_utc())
        db.session.commit()
    etag = _changed(app, path, etag, b"Bineta Diop-Sall")
    with app.app_context():  # a coalition member renamed behind the services' back (no change stamp): still seen
        db.session.get(User, people["partner"][1].id).name = "Grace Partner-Osei"
        db.session.commit()
    etag = _changed(app, path, etag, b"Grace Partner-Osei")
    client.post(f"/calendars/feeds/{_feed_id(app)}/rename", data={"name": "Renamed feed"})
    _changed(app, path, etag, b"NAME:Renamed feed")


def _feed_id(app) -> int:
    from outreach.calendars.models import CalendarFeed
    from outreach.core.db import db

    with app.app_context():
        return db.session.query(CalendarFeed.id).one()[0]


def test_a_source_without_a_fingerprint_leaves_the_etag_to_the_bytes(app, people, monkeypatch):
    import hashlib
    from dataclasses import replace

    from outreach.core import calendar

    client, _manager = people["manager"]
    path = create_feed(client, scope="organisation")
    monkeypatch.setitem(calendar._SOURCES, "follow_ups", replace(calendar._SOURCES["follow_ups"], fingerprint=None))
    anonymous = app.test_client()
    first = anonymous.get(path)
    assert first.headers["ETag"] == '"' + hashlib.sha256(first.data).hexdigest()[:32] + '"'
    assert anonymous.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
