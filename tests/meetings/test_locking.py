"""Optimistic locking when two saves really race: both read revision N, one commits first.

The check before the write cannot see the other save (each editor read the same revision); the
UPDATE … WHERE revision = N that SQLAlchemy's version counter issues refuses the second one.
Committed data on the session's database (another connection must see it), removed afterwards.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete

from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.meetings import services
from outreach.meetings.models import Meeting
from tests.meetings.conftest import NOW


def test_the_second_of_two_racing_saves_is_refused(app, monkeypatch):
    # The audit log is append-only even for tests: keep this committed test from writing to it.
    monkeypatch.setattr(services, "record_event", lambda *args, **kwargs: None)
    with app.app_context():
        user = User(email=f"lock-{uuid.uuid4().hex[:8]}@example.org", name="Locker", role="coordinator",
                    timezone="UTC", created_at=NOW, updated_at=NOW)
        db.session.add(user)
        db.session.flush()
        meeting = services.log_meeting(services.MeetingData(title="Race", start_at=NOW, timezone="UTC"),
                                       actor=user, now=NOW)
        db.session.commit()
        user_id, meeting_id, revision = user.id, meeting.id, meeting.revision
    try:
        first, second = app.app_context(), app.app_context()
        with second:
            theirs = db.session.get(Meeting, meeting_id)
            actor_b = db.session.get(User, user_id)
            db.session.commit()  # the editor's page is rendered; no transaction stays open
            with first:
                mine = db.session.get(Meeting, meeting_id)
                actor_a = db.session.get(User, user_id)
                services.update_meeting(mine, services.MeetingData(title="Race (first)", start_at=NOW,
                                                                   timezone="UTC"),
                                        expected_revision=revision, actor=actor_a, now=NOW + timedelta(minutes=1))
                db.session.commit()
            with pytest.raises(services.StaleMeeting):
                services.update_meeting(theirs, services.MeetingData(title="Race (second)", start_at=NOW,
                                                                     timezone="UTC"),
                                        expected_revision=revision, actor=actor_b, now=NOW + timedelta(minutes=1))
            db.session.rollback()
        with app.app_context():
            stored = db.session.get(Meeting, meeting_id)
            assert stored.title == "Race (first)" and stored.revision == revision + 1
    finally:
        with app.app_context():
            db.session.execute(delete(Meeting).where(Meeting.id == meeting_id))
            db.session.execute(delete(User).where(User.id == user_id))
            db.session.commit()
