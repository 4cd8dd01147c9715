"""Demo data and the bulk generator."""
from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import func, select

from outreach.core.db import db
from outreach.meetings import services
from outreach.meetings.demo import seed_meetings_demo
from outreach.meetings.models import Attendee, Commitment, FollowUp, Meeting
from outreach.meetings.seed import seed_meetings
from tests.meetings.conftest import NOW


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_meetings_tell_the_story(ctx, make_user):
    for role in ("coordinator", "manager", "partner", "partner", "activist"):
        make_user(role)
    assert seed_meetings_demo(NOW, meetings=80) == 80
    assert seed_meetings_demo(NOW, meetings=80) == 0  # once only
    assert _count(Meeting, Meeting.start_at > NOW) > 0 and _count(Meeting, Meeting.start_at < NOW - timedelta(days=300)) > 0
    statuses = set(db.session.scalars(select(Commitment.status).distinct()))
    assert len(statuses) >= 5
    assert _count(FollowUp, FollowUp.status == "open", FollowUp.due_at < NOW) > 0  # some overdue
    assert _count(Meeting, Meeting.notes.is_not(None)) > 20


def test_bulk_generator_writes_the_numbers_asked_for(ctx, make_user, make_contact):
    user = make_user("partner")
    for _ in range(5):
        make_contact()
    written = []
    counts = seed_meetings(meetings=120, commitments=80, follow_ups=150, seed=7, progress=written.append)
    assert counts["meetings"] == 120 and sum(written) == 350
    assert _count(Meeting) == 120 and _count(Commitment) == 80 and _count(FollowUp) == 150
    assert _count(Attendee) == 240
    # the ORM can still add rows afterwards (sequences moved on PostgreSQL)
    meeting = services.log_meeting(services.MeetingData(title="After the seed", start_at=NOW, timezone="UTC"),
                                   commitments=[], actor=user, now=NOW)
    db.session.flush()
    assert meeting.id > 120


def test_seed_command_refuses_an_empty_directory(app, tmp_path, monkeypatch):
    from outreach.cli import main

    monkeypatch.setenv("OUTREACH_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("OUTREACH_INSTANCE_PATH", str(tmp_path))
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(main, ["seed-meetings", "--meetings", "10", "--commitments", "0", "--follow-ups", "0"])
    assert result.exit_code != 0 and "Seed contacts and users first" in result.output
