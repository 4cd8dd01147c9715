"""The facts the ranking reads come from the database in a fixed handful of queries, and rank as expected."""
from __future__ import annotations

from datetime import date, timedelta

from outreach.contacts.models import Contact, Organisation, Position, Relationship
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.introductions import queries, services
from outreach.introductions.models import DoorOpener, IntroductionRequest
from tests.conftest import unique
from tests.introductions.conftest import NOW


def _contact(office, *, ended=False):
    person = Contact(first_name="Colleague", last_name=unique("C"), created_at=NOW, updated_at=NOW)
    db.session.add(person)
    db.session.flush()
    db.session.add(Position(contact_id=person.id, organisation_id=office.id, title="Officer", created_at=NOW,
                            start_date=date(2020, 1, 1), end_date=date(2024, 1, 1) if ended else None))
    return person


def make_meeting(organiser, *, contacts, users, start_at, status="held", initiated_by=None):
    from outreach.meetings import services as meetings

    return meetings.log_meeting(meetings.MeetingData(
        title=unique("Meeting "), start_at=start_at, timezone="UTC", status=status, initiated_by=initiated_by,
        attendees=[f"c:{c.id}" for c in contacts] + [f"u:{u.id}" for u in users]), actor=organiser, now=NOW)


def _knows(user, contact, strength=3):
    db.session.add(Relationship(user_id=user.id, contact_id=contact.id, strength=strength, created_at=NOW,
                                updated_at=NOW))


def test_a_small_world_ranks_as_its_facts_say(ctx, triangle, submit, make_user, count_queries):
    met = db.session.get(User, make_user("partner", name="A Met Often").id)
    rated = db.session.get(User, make_user("partner", name="B Rates Five").id)
    colleague = db.session.get(User, make_user("partner", name="C Knows Office").id)
    former = db.session.get(User, make_user("partner", name="D Knows Former").id)
    speaker = db.session.get(User, make_user("partner", name="E Speaks French").id)
    coordinator = db.session.get(User, triangle.coordinator.id)
    target = db.session.get(Contact, triangle.target.id)
    office = db.session.get(Organisation, triangle.office.id)
    old_office = Organisation(name=unique("Old ministry "), created_at=NOW, updated_at=NOW)
    db.session.add(old_office)
    db.session.flush()
    db.session.add(Position(contact_id=target.id, organisation_id=old_office.id, title="Minister", created_at=NOW,
                            start_date=date(2018, 1, 1), end_date=date(2022, 1, 1)))
    for days in (10, 40, 60, 200):
        # the minister asked for the one 40 days ago
        make_meeting(coordinator, contacts=(target,), users=(met,), start_at=NOW - timedelta(days=days),
                     initiated_by="target" if days == 40 else None)
    make_meeting(coordinator, contacts=(target,), users=(rated,), start_at=NOW - timedelta(days=5), status="planned")
    _knows(rated, target, strength=5)
    for _ in range(3):
        _knows(colleague, _contact(office))
    _knows(former, _contact(old_office))
    db.session.add(DoorOpener(user_id=speaker.id, languages="fr", countries="CF", updated_at=NOW))
    db.session.commit()
    req = db.session.get(IntroductionRequest, submit(triangle).id)
    assert req.profile is not None  # loaded with the request on the page
    with count_queries() as counter:
        ranked = queries.ranked_partners(req, NOW, limit=50)
    assert counter.count == 3, counter.statements  # the target's posts, one aggregate, the partners
    names = [r.candidate.name for r in ranked]
    assert names[:5] == ["A Met Often", "B Rates Five", "C Knows Office", "E Speaks French", "D Knows Former"]
    by_name = {r.candidate.name: r for r in ranked}
    assert by_name["A Met Often"].reasons[0] == "met the target 4 times, last 10 days ago, once at the target's request"
    assert by_name["B Rates Five"].reasons == [
        "rates her relationship with the target 5/5"
    ]  # a planned meeting is no meeting
    assert by_name["C Knows Office"].reasons == ["knows 3 people in the same office"]
    assert by_name["D Knows Former"].reasons == ["knows 1 person where the target used to work"]
    assert by_name["E Speaks French"].reasons == ["speaks French", "works in Central African Republic"]


def test_open_introductions_and_an_earlier_decline_count(ctx, triangle, submit, make_user):
    coordinator = db.session.get(User, triangle.coordinator.id)
    partner = db.session.get(User, triangle.partner.id)
    other = db.session.get(User, triangle.other_partner.id)
    first = db.session.get(IntroductionRequest, submit(triangle).id)
    services.offer(first, partner, actor=coordinator, now=NOW)
    second = db.session.get(IntroductionRequest, submit(triangle).id)
    services.offer(second, other, actor=coordinator, now=NOW)
    services.answer_offer(second, False, "Not now", actor=other, now=NOW)
    ranked = {r.candidate.user_id: r for r in queries.ranked_partners(second, NOW, limit=100)}
    assert "1 open introduction" in ranked[partner.id].reasons
    assert "declined this request before" in ranked[other.id].reasons
    assert list(ranked)[-1] == other.id
