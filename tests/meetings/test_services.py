"""Meetings services: logging in one transaction, rules, history, locking, last touch, merges."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, UTC

import pytest
from flask import render_template
from sqlalchemy import func, select

from outreach.contacts.models import Contact
from outreach.core.audit import AuditEvent
from outreach.core.db import db
from outreach.core.notifications import Message, OutboxMessage, enqueue
from outreach.core.signals import contact_merged, meeting_held, organisation_merged
from outreach.meetings import commitment_queries, panels, queries, services
from outreach.meetings.models import Attendee, Commitment, CommitmentChange, FollowUp, Meeting
from tests.meetings.conftest import NOW


def _data(**kw):
    kw.setdefault("title", "Briefing on the MINUSCA mandate")
    kw.setdefault("start_at", NOW - timedelta(hours=2))
    kw.setdefault("timezone", "Africa/Bangui")
    return services.MeetingData(**kw)


def test_log_meeting_saves_everything_in_one_go(ctx, make_user, make_contact, make_organisation):
    coordinator, partner = make_user("coordinator"), make_user("partner")
    office = make_organisation("Office of the SRSG")
    srsg = make_contact("Valentine", "Rugwabiza", organisation=office)
    meeting = services.log_meeting(
        _data(status="held", attendees=[f"c:{srsg.id}", f"u:{partner.id}"], notes="Frank exchange."),
        commitments=[
            services.CommitmentData(
                description="Appoint a senior gender adviser",
                category="appointment_of_women",
                due_date=date(2026, 6, 30),
                accountable_id=partner.id,
            )
        ],
        follow_ups=[
            services.FollowUpData(task="Send the briefing note", due_at=NOW + timedelta(days=2), assignee_id=partner.id)
        ],
        actor=coordinator,
        now=NOW,
    )
    db.session.flush()
    assert [a.role for a in meeting.attendees] == ["target", "partner"]
    assert meeting.organisation_id == office.id  # from the target's current position
    commitment = meeting.commitments[0]
    assert commitment.contact_id == srsg.id  # the one target who attended made it
    assert commitment.status == "open" and commitment.changes[0].to_status == "open"
    assert meeting.follow_ups[0].contact_id == srsg.id
    assert db.session.get(Contact, srsg.id).last_touch_at == meeting.start_at
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"meeting.log", "commitment.record", "follow_up.add"} <= actions


@pytest.mark.parametrize("change, field", [
    (dict(end_at=NOW - timedelta(hours=3)), "end_time"),
    (dict(timezone="Mars/Olympus_Mons"), "timezone"),
    (dict(attendees=["c:999999"]), "attendees"),
    (dict(attendees=["x:1"]), "attendees"),
    (dict(notes="x" * 1_000_000), "notes"),
    (dict(title="  "), "title"),
    (dict(status="postponed"), "status"),
])
def test_bad_meetings_are_refused_with_a_field(ctx, make_user, change, field):
    with pytest.raises(services.MeetingError) as err:
        services.log_meeting(_data(**change), actor=make_user("coordinator"), now=NOW)
    assert err.value.field == field


def test_a_bad_commitment_leaves_nothing_half_saved(ctx, make_user, make_contact):
    coordinator = make_user("coordinator")
    contact = make_contact()
    before = db.session.scalar(select(func.count()).select_from(Meeting))
    with pytest.raises(services.MeetingError):
        services.log_meeting(_data(attendees=[f"c:{contact.id}"]),
                             commitments=[services.CommitmentData(description="Funds", accountable_id=987654)],
                             actor=coordinator, now=NOW)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == before


def test_meeting_held_signal_and_last_touch(ctx, make_user, make_contact):
    coordinator = make_user("coordinator")
    contact = make_contact()
    received = []

    def listener(sender, **kw):
        received.append(kw["meeting"].id)

    meeting_held.connect(listener)
    try:
        planned = services.log_meeting(_data(status="planned", attendees=[f"c:{contact.id}"]), actor=coordinator,
                                       now=NOW)
        assert received == [] and db.session.get(Contact, contact.id).last_touch_at is None
        data = _data(status="held", attendees=[f"c:{contact.id}"])
        services.update_meeting(planned, data, expected_revision=planned.revision, actor=coordinator, now=NOW)
        assert received == [planned.id]
        assert db.session.get(Contact, contact.id).last_touch_at == data.start_at
    finally:
        meeting_held.disconnect(listener)


def test_update_keeps_a_history_and_refuses_stale_revisions(ctx, make_user, make_contact):
    coordinator, other = make_user("coordinator", name="Leila"), make_user("manager", name="Ingrid")
    meeting = services.log_meeting(_data(), actor=coordinator, now=NOW)
    opened_at = meeting.revision
    services.update_meeting(meeting, _data(title="Mandate renewal briefing", location="Bangui"),
                            expected_revision=opened_at, actor=other, now=NOW + timedelta(minutes=5))
    assert meeting.revision == opened_at + 1
    with pytest.raises(services.StaleMeeting) as err:
        services.update_meeting(meeting, _data(title="My older edit"), expected_revision=opened_at,
                                actor=coordinator, now=NOW + timedelta(minutes=6))
    change = err.value.changes[0]
    assert change["by"] == "Ingrid"
    assert change["fields"]["title"] == ["Briefing on the MINUSCA mandate", "Mandate renewal briefing"]
    assert change["fields"]["location"] == [None, "Bangui"]
    assert meeting.title == "Mandate renewal briefing"
    assert [h.revision for h in meeting.history] == [2, 1]


def test_partner_may_edit_only_meetings_they_organised(ctx, make_user):
    coordinator, partner = make_user("coordinator"), make_user("partner")
    meeting = services.log_meeting(_data(), actor=coordinator, now=NOW)
    with pytest.raises(services.MeetingError):
        services.update_meeting(meeting, _data(title="x"), expected_revision=meeting.revision, actor=partner, now=NOW)


def test_commitment_status_history_is_dated_and_attributed(ctx, make_user, make_contact):
    coordinator = make_user("coordinator")
    contact = make_contact()
    commitment = services.record_commitment(None, services.CommitmentData(description="Publish data",
                                                                          contact_id=contact.id),
                                            actor=coordinator, now=NOW)
    services.change_commitment_status(commitment, "on_track", note="Draft seen", actor=coordinator,
                                      now=NOW + timedelta(days=1))
    services.change_commitment_status(commitment, "kept", evidence="https://example.org/report",
                                      actor=coordinator, now=NOW + timedelta(days=9))
    db.session.flush()
    changes = db.session.scalars(select(CommitmentChange).where(CommitmentChange.commitment_id == commitment.id)
                                 .order_by(CommitmentChange.id)).all()
    assert [(c.from_status, c.to_status) for c in changes] == [(None, "open"), ("open", "on_track"),
                                                               ("on_track", "kept")]
    assert changes[2].changed_at == NOW + timedelta(days=9) and changes[2].changed_by_id == coordinator.id
    assert commitment.evidence_links == ["https://example.org/report"]
    with pytest.raises(services.MeetingError):
        services.change_commitment_status(commitment, "kept", actor=coordinator, now=NOW)
    with pytest.raises(services.MeetingError):
        services.change_commitment_status(commitment, "forgotten", actor=coordinator, now=NOW)


def test_a_commitment_needs_someone_who_made_it(ctx, make_user):
    with pytest.raises(services.MeetingError) as err:
        services.record_commitment(None, services.CommitmentData(description="Vague"), actor=make_user(), now=NOW)
    assert err.value.field == "contact_id"


def test_completing_or_snoozing_a_follow_up_cancels_unsent_reminders(ctx, make_user):
    partner = make_user("partner")
    follow_up = services.add_follow_up(services.FollowUpData(task="Call back", due_at=NOW + timedelta(hours=3),
                                                             assignee_id=partner.id), actor=partner, now=NOW)
    enqueue(Message(subject=f"follow_up:{follow_up.id}:remind", user_id=partner.id, due_at=NOW, title="t",
                    text="x"), now=NOW)
    services.snooze_follow_up(follow_up, NOW + timedelta(days=1), actor=partner, now=NOW)
    assert follow_up.due_at == NOW + timedelta(days=1)
    statuses = set(db.session.scalars(select(OutboxMessage.status).where(
        OutboxMessage.subject == f"follow_up:{follow_up.id}:remind")))
    assert statuses == {"cancelled"}
    with pytest.raises(services.MeetingError):
        services.snooze_follow_up(follow_up, NOW - timedelta(hours=1), actor=partner, now=NOW)
    services.complete_follow_up(follow_up, actor=partner, now=NOW)
    assert follow_up.status == "done" and follow_up.completed_at == NOW
    with pytest.raises(services.MeetingError):
        services.complete_follow_up(follow_up, actor=partner, now=NOW)


def test_follow_ups_need_a_real_assignee(ctx, make_user):
    activist = make_user("activist")
    with pytest.raises(services.MeetingError) as err:
        services.add_follow_up(services.FollowUpData(task="x", due_at=NOW, assignee_id=activist.id),
                               actor=make_user(), now=NOW)
    assert err.value.field == "assignee_id"


def test_merged_contacts_and_organisations_are_re_pointed(ctx, make_user, make_contact, make_organisation):
    coordinator = make_user("coordinator")
    old_org, new_org = make_organisation(), make_organisation()
    duplicate, kept = make_contact(organisation=old_org), make_contact()
    both = services.log_meeting(_data(status="held", attendees=[f"c:{duplicate.id}", f"c:{kept.id}"]),
                                actor=coordinator, now=NOW)
    only_dup = services.log_meeting(_data(status="held", start_at=NOW - timedelta(hours=1),
                                          attendees=[f"c:{duplicate.id}"]),
                                    commitments=[services.CommitmentData(description="x")], actor=coordinator, now=NOW)
    db.session.flush()
    contact_merged.send(None, source_id=duplicate.id, target_id=kept.id, actor=coordinator, now=NOW)
    organisation_merged.send(None, source_id=old_org.id, target_id=new_org.id, actor=coordinator, now=NOW)
    db.session.expire_all()
    assert db.session.scalars(select(Attendee.contact_id).where(Attendee.meeting_id == both.id)).all() == [kept.id]
    assert db.session.scalars(select(Attendee.contact_id).where(Attendee.meeting_id == only_dup.id)).all() == [kept.id]
    assert db.session.get(Commitment, only_dup.commitments[0].id).contact_id == kept.id
    assert db.session.get(Meeting, only_dup.id).organisation_id == new_org.id
    assert db.session.get(Contact, kept.id).last_touch_at == NOW - timedelta(hours=1)


def test_organisation_subtree_filter_and_scorecards(ctx, make_user, make_contact, make_organisation):
    coordinator, partner = make_user("coordinator"), make_user("partner", name="Kwame")
    un = make_organisation("United Nations")
    dpo = make_organisation("DPO", parent=un)
    mission = make_organisation("MINUSCA", parent=dpo)
    elsewhere = make_organisation("African Union")
    deep, far = make_contact(organisation=mission), make_contact(organisation=elsewhere)
    m1 = services.log_meeting(_data(attendees=[f"c:{deep.id}"]), actor=coordinator, now=NOW)
    services.log_meeting(_data(attendees=[f"c:{far.id}"]), actor=coordinator, now=NOW)
    for status in ("kept", "broken", None):
        c = services.record_commitment(m1, services.CommitmentData(description="x", accountable_id=partner.id),
                                       actor=coordinator, now=NOW)
        if status:
            services.change_commitment_status(c, status, actor=coordinator, now=NOW)
    db.session.flush()
    page = queries.list_meetings(coordinator, {"organisation": un.id})
    assert [m.id for m in page.items] == [m1.id]
    cards = commitment_queries.scorecards(coordinator)
    un_card = next(s for s in cards["organisations"] if s.key == un.id)
    assert (un_card.kept, un_card.broken, un_card.open) == (1, 1, 1)
    kwame = next(s for s in cards["partners"] if s.key == partner.id)
    assert (kwame.kept, kwame.broken, kwame.open) == (1, 1, 1)


def test_subtree_lists_rank_the_newest_across_offices(ctx, make_user, make_contact, make_organisation):
    """Each office's own newest are ranked together: pages, filters and visibility hold across the subtree."""
    from outreach.contacts.models import Relationship

    coordinator, partner = make_user("coordinator"), make_user("partner")
    un = make_organisation("United Nations")
    offices = [un, make_organisation("DPO", parent=un)]
    offices.append(make_organisation("MINUSCA", parent=offices[1]))
    outside = make_contact(organisation=make_organisation("African Union"))
    people = [make_contact(organisation=office) for office in offices]
    db.session.add(Relationship(user_id=partner.id, contact_id=people[0].id, created_at=NOW, updated_at=NOW))
    logged = []
    for hour in range(9):  # offices take turns, so the newest of the subtree alternate between them
        contact = people[hour % 3]
        she_attends = [f"u:{partner.id}"] if hour % 3 == 2 else []
        meeting = services.log_meeting(
            _data(start_at=NOW - timedelta(hours=hour), kind="call" if hour % 2 else "meeting",
                  attendees=[f"c:{contact.id}", *she_attends]),
            commitments=[services.CommitmentData(description=f"Promise {hour}", organisation_id=offices[hour % 3].id)],
            actor=coordinator, now=NOW)
        logged.append(meeting)
    services.log_meeting(_data(start_at=NOW, attendees=[f"c:{outside.id}"]), actor=coordinator, now=NOW)
    db.session.flush()
    newest_first = [m.id for m in logged]  # hour 0 is the newest

    first = queries.list_meetings(coordinator, {"organisation": un.id}, size=4)
    assert [m.id for m in first.items] == newest_first[:4]
    second = queries.list_meetings(coordinator, {"organisation": un.id}, after=first.next_cursor, size=4)
    assert [m.id for m in second.items] == newest_first[4:8]
    last = queries.list_meetings(coordinator, {"organisation": un.id}, after=second.next_cursor, size=4)
    assert [m.id for m in last.items] == newest_first[8:] and last.next_cursor is None
    calls = queries.list_meetings(coordinator, {"organisation": un.id, "kind": "call"}, size=2)
    assert [m.id for m in calls.items] == [newest_first[1], newest_first[3]]
    mission = queries.list_meetings(coordinator, {"organisation": offices[2].id}, size=50)
    assert [m.id for m in mission.items] == newest_first[2::3]
    # a partner sees only the meetings she attended (knowing a contact is no reason), however many others
    # the offices hold
    seen = queries.list_meetings(partner, {"organisation": un.id}, size=2)
    assert [m.id for m in seen.items] == newest_first[2::3][:2]

    timeline = queries.organisation_timeline(coordinator, un, limit=4)
    assert [m.id for m in timeline["meetings"]] == newest_first[:4]
    assert [c.description for c in timeline["commitments"]] == ["Promise 8", "Promise 7", "Promise 6", "Promise 5"]


def test_visibility_of_meetings_by_role(ctx, make_user, make_contact):
    """A partner sees what she attended or logged, or where she is accountable or assigned a follow-up;
    knowing a contact (a relationship she declares herself) never widens it."""
    from outreach.contacts.models import Relationship

    coordinator, partner, stranger = make_user("coordinator"), make_user("partner"), make_user("partner")
    activist = make_user("activist")
    known = make_contact()
    db.session.add(Relationship(user_id=partner.id, contact_id=known.id, created_at=NOW, updated_at=NOW))
    on_contact = services.log_meeting(_data(attendees=[f"c:{known.id}"]),
                                      commitments=[services.CommitmentData(description="On the known contact")],
                                      actor=coordinator, now=NOW)
    with_activist = services.log_meeting(_data(attendees=[f"u:{activist.id}"]), actor=coordinator, now=NOW)
    attended = services.log_meeting(_data(attendees=[f"u:{partner.id}"]), actor=coordinator, now=NOW)
    logged = services.log_meeting(_data(attendees=[f"c:{known.id}"]), actor=partner, now=NOW)
    accountable = services.log_meeting(_data(attendees=[f"c:{known.id}"]), commitments=[services.CommitmentData(
        description="Hers to chase", accountable_id=partner.id)], actor=coordinator, now=NOW)
    assigned = services.log_meeting(_data(attendees=[f"c:{known.id}"]), follow_ups=[services.FollowUpData(
        task="Write back", due_at=NOW + timedelta(days=1), assignee_id=partner.id)], actor=coordinator, now=NOW)
    db.session.flush()

    def ids(user):
        return {m.id for m in queries.list_meetings(user, {}).items}

    hers = {attended.id, logged.id, accountable.id, assigned.id}
    assert {on_contact.id, with_activist.id} | hers <= ids(coordinator)
    assert ids(partner) == hers
    assert ids(stranger).isdisjoint(hers | {on_contact.id, with_activist.id})
    assert ids(activist) == {with_activist.id}
    from outreach.meetings.access import visible_commitments

    seen = set(db.session.scalars(select(Commitment.description).where(visible_commitments(partner))))
    assert seen == {"Hers to chase"}


def test_timeline_panels_build_and_render(app, ctx, make_user, make_contact, make_organisation):
    coordinator = make_user("coordinator")
    office = make_organisation("ECOWAS Commission")
    contact = make_contact("Fatou", "Sow", organisation=office)
    services.log_meeting(_data(title="Talk on the regional plan", status="held", attendees=[f"c:{contact.id}"]),
                         commitments=[services.CommitmentData(description="Share the budget lines")],
                         actor=coordinator, now=NOW)
    db.session.flush()
    contact = db.session.get(Contact, contact.id)  # as the contact page loads it
    built = panels.build_contact_timeline(coordinator, NOW, contact=contact)
    assert [m.title for m in built["meetings"]] == ["Talk on the regional plan"]
    assert built["last_touch_at"] == NOW - timedelta(hours=2)
    org_built = panels.build_organisation_timeline(coordinator, NOW, organisation=office)
    assert len(org_built["commitments"]) == 1
    assert panels.build_contact_timeline(coordinator, NOW) is None
    with app.test_request_context():
        from flask_login import login_user

        login_user(coordinator)
        html = render_template("meetings/_contact_timeline.html", ctx=built)
        assert "Talk on the regional plan" in html and "Share the budget lines" in html
        html = render_template("meetings/_contact_timeline.html", ctx=org_built)
        assert "Share the budget lines" in html


def test_going_cold_lists_contacts_past_their_cadence(ctx, make_user, make_contact):
    from outreach.contacts.models import Relationship

    partner = make_user("partner")
    cold = make_contact(cadence_days=30)
    warm = make_contact(cadence_days=30)
    for c in (cold, warm):
        db.session.add(Relationship(user_id=partner.id, contact_id=c.id, created_at=NOW, updated_at=NOW))
    services.log_meeting(_data(status="held", start_at=NOW + timedelta(days=40), attendees=[f"c:{warm.id}"]),
                         actor=partner, now=NOW + timedelta(days=41))  # logged once it was held
    db.session.flush()
    later = NOW + timedelta(days=45)
    assert [c.id for c in queries.going_cold(partner, later)] == [cold.id]


def test_revision_json_is_readable(ctx, make_user):
    meeting = services.log_meeting(_data(), actor=make_user(), now=NOW)
    db.session.flush()
    assert json.loads(meeting.history[0].changes) == {"created": True}
    assert meeting.history[0].changes_dict == {"created": True}


def test_times_keep_the_meeting_zone(ctx, make_user):
    start = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)  # 10:00 in Addis Ababa
    meeting = services.log_meeting(_data(start_at=start, timezone="Africa/Addis_Ababa"), actor=make_user(), now=NOW)
    db.session.flush()
    db.session.expire(meeting)
    assert meeting.start_at == start and meeting.start_at.tzinfo is not None
    assert meeting.timezone == "Africa/Addis_Ababa"


def test_follow_up_offsets_parse(ctx, make_user):
    partner = make_user("partner")
    follow_up = services.add_follow_up(services.FollowUpData(task="x", due_at=NOW, assignee_id=partner.id,
                                                             reminder_offsets=[0, 1440, 99]), actor=partner, now=NOW)
    assert follow_up.offsets == [1440, 0]
    assert isinstance(db.session.get(FollowUp, follow_up.id), FollowUp)


def test_going_cold_orders_by_how_far_past_the_cadence(ctx, make_user, make_contact):
    coordinator = make_user("coordinator")
    slow = make_contact(cadence_days=365)  # created at NOW: 100 days later, still fine
    fast = make_contact(cadence_days=7)
    medium = make_contact(cadence_days=30)
    later = NOW + timedelta(days=100)
    ids = [c.id for c in queries.going_cold(coordinator, later, limit=50)]
    assert fast.id in ids and medium.id in ids and slow.id not in ids
    assert ids.index(fast.id) < ids.index(medium.id)


def test_a_higher_feature_widens_what_a_partner_reads_through_core(ctx, make_user, make_contact, monkeypatch):
    """The extension point campaigns will use (meetings linked to targets assigned to her)."""
    from outreach.core import visibility
    from outreach.meetings.access import get_meeting_or_404

    coordinator, partner = make_user("coordinator"), make_user("partner")
    meeting = services.log_meeting(_data(attendees=[f"c:{make_contact().id}"]), actor=coordinator, now=NOW)
    db.session.flush()
    assert meeting.id not in {m.id for m in queries.list_meetings(partner, {}).items}
    monkeypatch.setitem(visibility._SOURCES, "test.assigned_targets",
                        lambda user: select(Meeting.id).where(Meeting.id == meeting.id)
                        if user.id == partner.id else None)
    assert meeting.id in {m.id for m in queries.list_meetings(partner, {}).items}
    assert get_meeting_or_404(meeting.id, partner).id == meeting.id
    assert meeting.id not in {m.id for m in queries.list_meetings(make_user("partner"), {}).items}
