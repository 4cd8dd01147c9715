"""Monitoring's decision dates join calendar feeds as the "decisions" source: instruments one follows ("mine"),
or every active instrument (the organisation's calendar), as all-day events linking to the instrument's page."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC
from typing import Any

import icalendar

from tests.calendars.test_feeds import create_feed
from tests.monitoring.conftest import make_instrument  # noqa: F401

TODAY = datetime.now(UTC).date()


def _events(app: Any, path: str) -> dict[str, Any]:
    response = app.test_client().get(path)
    assert response.status_code == 200
    return {str(c["UID"]): c for c in icalendar.Calendar.from_ical(response.data).walk("VEVENT")}


def _instruments(app: Any, make_instrument: Any, actor: Any) -> dict[str, Any]:
    return {
        "followed": make_instrument(actor, title="MINUSCA mandate", short_name="MINUSCA",
                                    next_decision_on=TODAY + timedelta(days=40), next_decision_kind="renewal",
                                    expires_on=TODAY + timedelta(days=41)),
        "other": make_instrument(actor, title="Nigeria National Action Plan II", kind="national_action_plan",
                                 next_decision_on=TODAY + timedelta(days=10), next_decision_kind="review"),
        "far": make_instrument(actor, title="Too far ahead", next_decision_on=TODAY + timedelta(days=5000)),
        "archived": make_instrument(actor, title="Archived mandate", next_decision_on=TODAY + timedelta(days=5)),
    }


def _follow(app: Any, instrument: Any, user: Any) -> None:
    from outreach.core.db import db
    from outreach.core.time import now_utc
    from outreach.monitoring import services
    from outreach.monitoring.models import Instrument
    with app.app_context():
        services.set_following(db.session.get(Instrument, instrument.id), user, True, now=now_utc())
        db.session.commit()


def _archive(app: Any, instrument: Any) -> None:
    from outreach.core.db import db
    from outreach.monitoring.models import Instrument
    with app.app_context():
        db.session.get(Instrument, instrument.id).is_archived = True
        db.session.commit()


def test_a_coordinators_feed_holds_the_decisions_of_the_instruments_she_follows(app, login_as, make_instrument):
    client, coordinator = login_as("coordinator")
    found = _instruments(app, make_instrument, coordinator)
    _follow(app, found["followed"], coordinator)
    _archive(app, found["archived"])
    _follow(app, found["archived"], coordinator)
    assert "Decision dates of instruments" in client.get("/calendars").get_data(as_text=True)
    events = _events(app, create_feed(client, includes=["meetings", "decisions"]))
    followed = found["followed"].id
    assert set(events) == {f"instrument-{followed}-next@outreach", f"instrument-{followed}-expiry@outreach"}
    renewal = events[f"instrument-{followed}-next@outreach"]
    assert str(renewal["SUMMARY"]) == "Renewal: MINUSCA"
    assert renewal["DTSTART"].dt == TODAY + timedelta(days=40) and renewal["DTSTART"].params.get("VALUE") == "DATE"
    assert str(renewal["URL"]).endswith(f"/monitoring/instruments/{followed}")
    assert str(events[f"instrument-{followed}-expiry@outreach"]["SUMMARY"]) == "Expiry: MINUSCA"


def test_the_organisation_feed_holds_every_active_instruments_next_decision(app, login_as, make_instrument):
    client, manager = login_as("manager")
    found = _instruments(app, make_instrument, manager)
    _archive(app, found["archived"])
    events = _events(app, create_feed(client, scope="organisation", includes=["decisions"]))
    assert set(events) == {f"instrument-{found['followed'].id}-next@outreach",
                           f"instrument-{found['followed'].id}-expiry@outreach",
                           f"instrument-{found['other'].id}-next@outreach"}
    assert str(events[f"instrument-{found['other'].id}-next@outreach"]["SUMMARY"]) == \
        "Review: Nigeria National Action Plan II"
    # Busy only says nothing of the instrument.
    busy = app.test_client().get(create_feed(client, scope="organisation", includes=["decisions"], privacy="busy",
                                             name="Busy")).data
    assert b"MINUSCA" not in busy and b"Nigeria" not in busy and b"monitoring" not in busy


def test_partners_and_activists_cannot_include_decisions(app, login_as, make_instrument):
    for role in ("partner", "activist"):
        client, user = login_as(role)
        assert "Decision dates of instruments" not in client.get("/calendars").get_data(as_text=True)
        refused = client.post("/calendars/feeds", data={"name": "x", "scope": "mine", "privacy": "full",
                                                         "follow_ups_as": "todo",
                                                         "includes": ["meetings", "decisions"]})
        assert refused.status_code == 422, role


def test_a_feed_loses_decisions_when_its_owner_can_no_longer_include_them(app, login_as, make_instrument):
    from outreach.calendars.models import CalendarFeed
    from outreach.core.auth.models import User
    from outreach.core.db import db
    client, coordinator = login_as("coordinator")
    found = _instruments(app, make_instrument, coordinator)
    _follow(app, found["followed"], coordinator)
    path = create_feed(client, includes=["meetings", "decisions"])
    assert _events(app, path)
    with app.app_context():  # straight in the database: the role-change signal would revoke other scopes only
        db.session.get(User, coordinator.id).role = "partner"
        db.session.commit()
        assert db.session.query(CalendarFeed).one().includes == "meetings,decisions"
    assert _events(app, path) == {}


def test_independent_readers_see_the_decision_dates_on_their_days(app, login_as, make_instrument):
    from tests.calendars import readers
    client, manager = login_as("manager")
    found = _instruments(app, make_instrument, manager)
    body = app.test_client().get(create_feed(client, scope="organisation", includes=["decisions"])).data
    expected = {f"instrument-{found['followed'].id}-next@outreach": TODAY + timedelta(days=40),
                f"instrument-{found['followed'].id}-expiry@outreach": TODAY + timedelta(days=41),
                f"instrument-{found['other'].id}-next@outreach": TODAY + timedelta(days=10)}
    strict = readers.strict_ical(body)
    assert {uid: start for uid, (start, _summary) in strict.items() if uid in expected} == expected
    assert {uid for uid in readers.vobject_read(body)} >= set(expected)
    parsed = readers.icaljs_read(body)
    assert {e["uid"]: e["start"][:10] for e in parsed["events"] if e["uid"] in expected} == {
        uid: day.isoformat() for uid, day in expected.items()}


def test_decisions_cost_two_queries_however_many_instruments(app, login_as, make_instrument, count_queries):
    client, manager = login_as("manager")
    path = create_feed(client, scope="organisation", includes=["decisions"])
    _instruments(app, make_instrument, manager)
    anonymous = app.test_client()
    with count_queries() as few:
        anonymous.get(path)
    for n in range(5):
        make_instrument(manager, next_decision_on=TODAY + timedelta(days=n + 1), expires_on=TODAY + timedelta(days=90))
    with count_queries() as many:
        body = anonymous.get(path).data
    assert body.count(b"BEGIN:VEVENT") == 4 + 10
    assert many.count == few.count and many.writes == []


def test_a_decisions_feed_answers_304_until_an_instrument_changes(app, login_as, make_instrument):
    from outreach.core.db import db
    from outreach.core.time import now_utc
    from outreach.monitoring.models import Instrument

    client, manager = login_as("manager")
    path = create_feed(client, scope="organisation", includes=["decisions"])
    found = _instruments(app, make_instrument, manager)
    anonymous = app.test_client()
    etag = anonymous.get(path).headers["ETag"]
    assert anonymous.get(path, headers={"If-None-Match": etag}).status_code == 304
    with app.app_context():
        instrument = db.session.get(Instrument, found["followed"].id)
        instrument.short_name, instrument.updated_at = "MINUSCA II", now_utc()
        instrument.revision += 1
        db.session.commit()
    changed = anonymous.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"Renewal: MINUSCA II" in changed.data
    _archive(app, found["followed"])
    assert anonymous.get(path, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 200
