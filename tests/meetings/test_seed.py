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
    assert (
        _count(Meeting, Meeting.start_at > NOW) > 0
        and _count(Meeting, Meeting.start_at < NOW - timedelta(days=300)) > 0
    )
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
    assert _count(Attendee) == counts["attendees"] >= 240  # a target and the organiser at least, often more
    per_meeting = db.session.execute(select(func.count()).select_from(Attendee).group_by(Attendee.meeting_id)).scalars()
    sizes = sorted(per_meeting)
    assert len(sizes) == 120 and sizes[0] >= 2 and 2 <= sizes[len(sizes) // 2] <= 4
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
    result = runner.invoke(main, ["seed", "--meetings", "10"])
    assert result.exit_code != 0 and "Seed contacts and users first" in result.output


def test_one_seed_command_builds_a_whole_data_set(tmp_path, monkeypatch):
    """`outreach seed` is what the benchmark runs: users, directory and meetings in one go."""
    from sqlalchemy import func, select

    from outreach import create_app
    from outreach.cli import main
    from outreach.contacts.models import Contact
    from outreach.core.auth.models import User
    from outreach.core.db import db
    from outreach.meetings.models import Commitment, FollowUp, Meeting

    monkeypatch.setenv("OUTREACH_DATABASE_URL", f"sqlite:///{tmp_path / 'full.db'}")
    monkeypatch.setenv("OUTREACH_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("OUTREACH_ARGON2_PROFILE", "fast")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(main, ["seed", "--users", "30", "--organisations", "20", "--contacts", "100",
                                  "--meetings", "200", "--commitments", "50", "--follow-ups", "60", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert (
        "Added 30 users, 20 organisations, 100 contacts, 200 meetings, 50 commitments, 60 follow-ups" in result.output
    )
    with create_app().app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert (count(User), count(Contact), count(Meeting), count(Commitment), count(FollowUp)) == (
            30, 100, 200, 50, 60)
        roles = set(db.session.scalars(select(User.role)))
        assert {"partner", "activist", "coordinator"} <= roles


def test_the_bulk_data_looks_like_the_day_after_a_normal_worker_day(ctx, make_user, make_contact):
    """Years of use, the worker running: past work mostly settled, what was due already sent, so a tick at the
    seed's moment finds nothing; an hour later it finds an hour's worth."""
    from outreach.core.notifications import Notification, OutboxMessage
    from outreach.meetings import jobs

    for role in ("partner", "partner", "coordinator", "activist"):
        make_user(role)
    for _ in range(60):
        make_contact()
    seed_meetings(meetings=600, commitments=800, follow_ups=3000, seed=11, now=NOW)
    db.session.flush()
    old = FollowUp.due_at < NOW - timedelta(days=30)
    assert _count(FollowUp, old, FollowUp.status == "open") < 0.05 * _count(FollowUp, old)
    assert _count(FollowUp, old, FollowUp.status == "cancelled") > 0
    assert _count(FollowUp, FollowUp.due_at < NOW, FollowUp.status == "open") > 0  # a few still overdue
    assert _count(FollowUp, FollowUp.due_at > NOW, FollowUp.status == "open") > 0
    assert _count(Commitment, Commitment.due_date < NOW.date(), Commitment.status.in_(("open", "on_track"))) == 0
    assert _count(Commitment, Commitment.status == "overdue") > 0
    assert _count(OutboxMessage, OutboxMessage.status != "sent") == 0
    assert _count(OutboxMessage, OutboxMessage.subject.like("follow_up:%")) > 0
    assert _count(Notification) > 0
    seed_meetings(meetings=100, commitments=100, follow_ups=500, seed=12, now=NOW)  # adding more keeps that true
    db.session.flush()
    assert jobs.enqueue_follow_up_reminders(NOW) == 0
    assert jobs.check_commitments(NOW) == 0
    assert jobs.enqueue_digests(NOW) == 0
    assert jobs.enqueue_follow_up_reminders(NOW + timedelta(hours=6)) > 0
