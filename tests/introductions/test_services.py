"""The request's life through the services: every step dated and attributed, consent, purge, key rotation."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach.core.audit import AuditEvent
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.notifications import OutboxMessage
from outreach.introductions import crypto, profiles, services
from outreach.introductions.models import ActivistProfile, IntroductionRequest, RequestTransition
from outreach.introductions.profiles import IdentityRefused, IntroductionError
from tests.introductions.conftest import MARKER, NOW


def _get(model, row):
    return db.session.get(model, row.id)


def test_a_request_goes_from_submitted_to_closed_with_every_step_attributed(ctx, triangle, submit):
    from outreach.meetings import services as meetings

    req = _get(IntroductionRequest, submit(triangle))
    coordinator, partner, other = (_get(User, u) for u in (triangle.coordinator, triangle.partner,
                                                            triangle.other_partner))
    activist = _get(User, triangle.activist)
    t = NOW
    services.triage(req, actor=coordinator, now=(t := t + timedelta(hours=1)))
    services.offer(req, other, actor=coordinator, now=(t := t + timedelta(hours=1)))
    services.answer_offer(req, False, "Travelling for a month", actor=other, now=(t := t + timedelta(hours=1)))
    assert req.state == "declined" and req.partner_id is None
    services.offer(req, partner, actor=coordinator, now=(t := t + timedelta(hours=1)))
    services.answer_offer(req, True, actor=partner, now=(t := t + timedelta(hours=1)))
    with pytest.raises(IntroductionError, match="not agreed"):
        services.record_introduction(req, actor=partner, now=t)
    profiles.give_consent(req, "partner", actor=activist, now=(t := t + timedelta(hours=1)))
    services.record_introduction(req, actor=partner, now=(t := t + timedelta(hours=1)))
    meeting = services.schedule_meeting(
        req,
        services.ScheduleData(start_at=t + timedelta(days=3), timezone="Africa/Bangui"),
        actor=partner,
        now=(t := t + timedelta(hours=1)),
    )
    assert req.state == "meeting_scheduled" and req.meeting_id == meeting.id
    assert {a.user_id for a in meeting.attendees if a.user_id} == {activist.id, partner.id}
    assert activist.name == req.profile.codename  # what the meeting shows of her
    assert req.profile.codename in meeting.title and MARKER not in meeting.title
    req.profile.risk_tier = "high"
    assert req.profile.codename not in services.meeting_title(req)
    data = meetings.MeetingData(title=meeting.title, start_at=meeting.start_at, timezone=meeting.timezone,
                                status="held", outcome="The SRSG will visit the site",
                                attendees=[f"c:{triangle.target.id}", f"u:{activist.id}", f"u:{partner.id}"])
    meetings.update_meeting(meeting, data, expected_revision=meeting.revision, actor=partner,
                            now=(t := t + timedelta(days=4)))
    assert req.state == "closed"
    steps = db.session.scalars(select(RequestTransition).where(RequestTransition.request_id == req.id)
                               .order_by(RequestTransition.id)).all()
    assert [s.to_state for s in steps] == ["submitted", "triaged", "offered", "declined", "offered", "accepted",
                                           "introduced", "meeting_scheduled", "closed"]
    assert [s.actor_id for s in steps][:4] == [activist.id, coordinator.id, coordinator.id, other.id]
    assert steps[3].note == "Travelling for a month" and steps[3].partner_id == other.id
    assert all(a.at < b.at for a, b in zip(steps, steps[1:], strict=False))
    from outreach.introductions.queries import dashboard

    board = dashboard(t)
    assert board["time_at_step"]["submitted"] == pytest.approx(1 / 24, rel=0.01)  # an hour before triage
    assert board["time_at_step"]["meeting_scheduled"] == pytest.approx(4, rel=0.01)
    assert board["outcomes"] == {"meeting": 1, "no meeting": 0}
    assert [(a.name, a.offered, a.accepted, a.declined) for a in board["answers"]] == sorted(
        [(partner.name, 1, 1, 0), (other.name, 1, 0, 1)], key=lambda r: r[0].lower())


def test_a_step_the_state_machine_does_not_allow_is_refused(ctx, triangle, submit):
    req = _get(IntroductionRequest, submit(triangle))
    partner = _get(User, triangle.partner)
    with pytest.raises(IntroductionError):
        services.answer_offer(req, True, actor=partner, now=NOW)  # never offered to her
    with pytest.raises(IntroductionError):
        services.record_introduction(req, actor=_get(User, triangle.coordinator), now=NOW)
    services.withdraw(req, actor=_get(User, triangle.activist), now=NOW)
    with pytest.raises(IntroductionError):
        services.withdraw(req, actor=_get(User, triangle.activist), now=NOW)
    with pytest.raises(IntroductionError):
        services.triage(req, actor=_get(User, triangle.coordinator), now=NOW)


def test_declining_needs_a_reason(ctx, triangle, submit):
    req = _get(IntroductionRequest, submit(triangle))
    with pytest.raises(IntroductionError, match="reason"):
        services.decline_request(req, "  ", actor=_get(User, triangle.coordinator), now=NOW)


def test_withdrawing_consent_hides_her_identity_at_once(ctx, triangle, submit):
    req = _get(IntroductionRequest, submit(triangle))
    coordinator, partner, activist = (_get(User, u) for u in (triangle.coordinator, triangle.partner,
                                                               triangle.activist))
    services.offer(req, partner, actor=coordinator, now=NOW)
    services.answer_offer(req, True, actor=partner, now=NOW)
    with pytest.raises(IdentityRefused):
        profiles.read_identity(req.profile, reader=partner, now=NOW, request=req)
    profiles.give_consent(req, "partner", actor=activist, now=NOW)
    assert MARKER in profiles.read_identity(req.profile, reader=partner, now=NOW, request=req).legal_name
    profiles.withdraw_consent(req, "partner", actor=activist, now=NOW + timedelta(minutes=1))
    with pytest.raises(IdentityRefused):
        profiles.read_identity(req.profile, reader=partner, now=NOW, request=req)
    # another partner never, consent or not
    with pytest.raises(IdentityRefused):
        profiles.read_identity(req.profile, reader=_get(User, triangle.other_partner), now=NOW, request=req)


def test_staff_need_a_recent_confirmation_and_every_read_is_audited(ctx, triangle):
    profile = _get(ActivistProfile, triangle.profile)
    coordinator, activist = _get(User, triangle.coordinator), _get(User, triangle.activist)
    with pytest.raises(IdentityRefused):
        profiles.read_identity(profile, reader=coordinator, now=NOW)
    before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    profiles.read_identity(profile, reader=activist, now=NOW)  # herself: not audited
    assert profiles.read_identity(profile, reader=coordinator, now=NOW, reauthenticated=True).city == f"{MARKER} City"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
    assert [(e.action, e.actor_id) for e in events] == [("activist.identity_read", coordinator.id)]
    assert MARKER not in (events[0].details or "")


def test_messages_name_her_by_codename_only_and_high_risk_not_at_all(ctx, triangle, submit, make_profile, make_user):
    req = _get(IntroductionRequest, submit(triangle))
    services.offer(req, _get(User, triangle.partner), actor=_get(User, triangle.coordinator), now=NOW)
    profile = _get(ActivistProfile, triangle.profile)
    offer = db.session.scalar(select(OutboxMessage).where(OutboxMessage.subject.like(f"intro:{req.id}:offered%")))
    assert profile.codename in offer.body_text  # a standard-risk activist is named by codename
    profile.risk_tier = "high"
    services.answer_offer(req, False, "No time", actor=_get(User, triangle.partner), now=NOW + timedelta(minutes=1))
    services.offer(req, _get(User, triangle.other_partner), actor=_get(User, triangle.coordinator),
                   now=NOW + timedelta(minutes=2))
    services.add_message(req, "Could you say which office?", actor=_get(User, triangle.coordinator),
                         now=NOW + timedelta(minutes=5))
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.like(f"intro:{req.id}:%"))).all()
    assert rows
    for row in rows:
        text = " ".join(filter(None, (row.title, row.body_text, row.body_html, row.link)))
        assert MARKER not in text and "high" not in text.lower() and "risk" not in text.lower()
    later = [r for r in rows if r.created_at > NOW]
    assert any(r.user_id == triangle.other_partner.id for r in later)
    assert later and all(profile.codename not in r.title + r.body_text for r in later)


def test_purge_erases_her_and_keeps_an_anonymised_trail(ctx, triangle, submit, make_user):
    req = _get(IntroductionRequest, submit(triangle))
    services.add_message(req, "My cousin works there", actor=_get(User, triangle.activist), now=NOW)
    admin = _get(User, make_user("admin"))
    profile = _get(ActivistProfile, triangle.profile)
    with pytest.raises(IntroductionError):
        services.purge_profile(profile, actor=_get(User, triangle.coordinator), now=NOW)
    services.purge_profile(profile, actor=admin, now=NOW + timedelta(days=1))
    profile = _get(ActivistProfile, triangle.profile)
    req = _get(IntroductionRequest, req)
    assert profile.is_purged and profile.legal_name_token is None and profile.email_token is None
    assert profile.codename.startswith("Purged activist")
    assert req.state == "withdrawn" and req.purpose == "[removed]" and req.messages[0].body == "[removed]"
    assert [t.to_state for t in req.transitions] == ["submitted", "withdrawn"]
    user = _get(User, triangle.activist)
    assert not user.is_active_account and "purged" in user.email
    with pytest.raises(IdentityRefused):
        profiles.read_identity(profile, reader=admin, now=NOW, reauthenticated=True)


def test_rotating_keys_re_encrypts_under_the_newest_key(ctx, app, triangle):
    from cryptography.fernet import Fernet

    old = list(app.config["ENCRYPTION_KEYS"])
    new_key = Fernet.generate_key().decode()
    app.config["ENCRYPTION_KEYS"] = [new_key, *old]
    try:
        assert profiles.rotate_keys() >= 1
        token = db.session.scalar(select(ActivistProfile.legal_name_token).where(
            ActivistProfile.id == triangle.profile.id))
        assert Fernet(new_key.encode()).decrypt(token.encode()).decode() == f"{MARKER} Legal Name"
        app.config["ENCRYPTION_KEYS"] = [new_key]  # the old key can now be dropped
        assert crypto.decrypt(token) == f"{MARKER} Legal Name"
    finally:
        app.config["ENCRYPTION_KEYS"] = old


def test_bad_input_is_refused_with_a_message(ctx, triangle):
    profile = _get(ActivistProfile, triangle.profile)
    activist = _get(User, triangle.activist)
    for data, field in ((services.RequestData(purpose="x" * 1_000_000, ask="a", contact_id=triangle.target.id),
                         "purpose"),
                        (services.RequestData(purpose="ok\x00", ask="a", contact_id=triangle.target.id), "purpose"),
                        (services.RequestData(purpose="ok", ask="a", contact_id=triangle.target.id,
                                              window_start=__import__("datetime").date(1, 1, 1)), "window_start"),
                        (services.RequestData(purpose="ok", ask="a"), None)):
        with pytest.raises(IntroductionError) as caught:
            services.submit_request(profile, data, actor=activist, now=NOW)
        assert caught.value.field == field
    assert db.session.scalar(select(IntroductionRequest.id).where(IntroductionRequest.profile_id == profile.id)) is None
