"""The worker's meetings jobs, called with a fixed `now`: reminders, overdue commitments, digests, e-mail."""
from __future__ import annotations

import socket
from datetime import date, datetime, timedelta, UTC
from email import message_from_bytes, policy
from typing import Any
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from outreach.core.db import db
from outreach.core.notifications import Notification, NotificationPreference, OutboxMessage, dispatch_due
from outreach.meetings import jobs, services
from outreach.meetings.models import CommitmentChange
from tests.meetings.conftest import NOW


def _outbox(user_id: int) -> list[tuple[str, str, datetime]]:
    return list(db.session.execute(select(OutboxMessage.subject, OutboxMessage.channel, OutboxMessage.due_at)
                                   .where(OutboxMessage.user_id == user_id)
                                   .order_by(OutboxMessage.due_at, OutboxMessage.channel)).all())


def test_follow_up_reminders_come_at_each_offset_then_daily(ctx, make_user):
    partner = make_user("partner", timezone="Africa/Nairobi")
    due = NOW + timedelta(days=2)
    follow_up = services.add_follow_up(services.FollowUpData(task="Send the draft resolution text", due_at=due,
                                                             assignee_id=partner.id), actor=partner, now=NOW)
    db.session.commit()
    assert jobs.enqueue_follow_up_reminders(NOW) == 0
    assert jobs.enqueue_follow_up_reminders(due - timedelta(days=1)) == 2  # a day before: in-app + e-mail
    assert jobs.enqueue_follow_up_reminders(due - timedelta(hours=23)) == 0  # the same reminder is not added again
    assert jobs.enqueue_follow_up_reminders(due) == 2  # at the due time
    assert jobs.enqueue_follow_up_reminders(due + timedelta(days=1, minutes=3)) == 2  # daily while overdue
    rows = _outbox(partner.id)
    assert [r[2] for r in rows[::2]] == [due - timedelta(days=1), due, due + timedelta(days=1)]
    subject = db.session.scalar(select(OutboxMessage.title).where(OutboxMessage.due_at == due,
                                                                  OutboxMessage.user_id == partner.id))
    assert "Thu 12 Mar 2026, 12:00 (Africa/Nairobi)" in subject  # 09:00 UTC in the assignee's zone
    services.complete_follow_up(follow_up, actor=partner, now=due + timedelta(days=1, minutes=4))
    db.session.commit()
    assert jobs.enqueue_follow_up_reminders(due + timedelta(days=2)) == 0


def test_a_long_outage_sends_one_late_reminder_not_a_burst(ctx, make_user):
    partner = make_user("partner")
    due = NOW + timedelta(hours=3)
    services.add_follow_up(services.FollowUpData(task="Call", due_at=due, assignee_id=partner.id,
                                                 reminder_offsets=[60, 0]), actor=partner, now=NOW)
    db.session.commit()
    assert jobs.enqueue_follow_up_reminders(due + timedelta(hours=2)) == 2  # only the at-due-time one
    assert [r[2] for r in _outbox(partner.id)] == [due, due]


def test_email_off_means_in_app_only(ctx, make_user):
    partner = make_user("partner")
    db.session.add(NotificationPreference(user_id=partner.id, email_enabled=False, digest_hour=None, updated_at=NOW))
    services.add_follow_up(services.FollowUpData(task="Call", due_at=NOW, assignee_id=partner.id), actor=partner,
                           now=NOW - timedelta(days=1))
    db.session.commit()
    assert jobs.enqueue_follow_up_reminders(NOW) == 1
    assert _outbox(partner.id)[0][1] == "inapp"


def test_overdue_commitments_are_marked_and_the_partner_told(ctx, make_user, make_contact):
    coordinator, partner = make_user("coordinator"), make_user("partner")
    contact = make_contact("Bintou", "Keita")
    late = services.record_commitment(None, services.CommitmentData(
        description="Publish sex-disaggregated data", contact_id=contact.id, accountable_id=partner.id,
        due_date=date(2026, 3, 1)), actor=coordinator, now=NOW - timedelta(days=30))
    soon = services.record_commitment(None, services.CommitmentData(
        description="Second a gender adviser", contact_id=contact.id, accountable_id=partner.id,
        due_date=date(2026, 3, 14)), actor=coordinator, now=NOW - timedelta(days=30))
    db.session.commit()
    assert jobs.check_commitments(NOW) >= 2
    assert late.status == "overdue" and soon.status == "open"
    change = db.session.scalar(select(CommitmentChange).where(CommitmentChange.commitment_id == late.id,
                                                              CommitmentChange.to_status == "overdue"))
    assert change.changed_by_id is None and change.changed_at == NOW
    subjects = {r[0] for r in _outbox(partner.id)}
    assert subjects == {f"commitment:{late.id}:overdue", f"commitment:{soon.id}:due"}
    before = len(_outbox(partner.id))
    jobs.check_commitments(NOW + timedelta(minutes=1))
    assert len(_outbox(partner.id)) == before  # nothing twice


def test_daily_digest_at_the_users_local_hour(ctx, make_user):
    partner = make_user("partner", timezone="Asia/Jakarta")  # UTC+7
    db.session.add(NotificationPreference(user_id=partner.id, email_enabled=True, digest_hour=7, updated_at=NOW))
    services.add_follow_up(services.FollowUpData(task="Prepare the ASEAN briefing", due_at=NOW + timedelta(hours=2),
                                                 assignee_id=partner.id), actor=partner, now=NOW)
    db.session.commit()
    before_seven = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)  # 06:30 in Jakarta
    assert jobs.enqueue_digests(before_seven) == 0
    after_seven = datetime(2026, 3, 10, 0, 5, tzinfo=UTC)  # 07:05 in Jakarta
    assert jobs.enqueue_digests(after_seven) == 1
    assert jobs.enqueue_digests(after_seven + timedelta(minutes=1)) == 0
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == partner.id))
    assert row.due_at == datetime(2026, 3, 10, 0, 0, tzinfo=UTC) and row.channel == "email"
    assert "Prepare the ASEAN briefing" in row.body_text and "(Asia/Jakarta)" in row.body_text


def test_job_dispatch_reaches_the_inbox(app, ctx, make_user, tmp_path):
    partner = make_user("partner")
    services.add_follow_up(services.FollowUpData(task="Call the force commander", due_at=NOW,
                                                 assignee_id=partner.id), actor=partner, now=NOW - timedelta(days=2))
    db.session.commit()
    jobs.enqueue_follow_up_reminders(NOW)
    config = {**app.config, "MAIL_OUTBOX_DIR": str(tmp_path)}
    assert dispatch_due(NOW, config=config) == 2
    titles = db.session.scalars(select(Notification.title).where(Notification.user_id == partner.id)).all()
    assert len(titles) == 1 and "Call the force commander" in titles[0]
    assert len(list(tmp_path.glob("*.eml"))) == 1


# --- a real SMTP server -------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self) -> None:
            self.messages: list[Any] = []

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            self.messages.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def test_reminder_email_over_smtp_has_text_and_html_in_the_readers_zone(app, ctx, make_user, smtp_server):
    controller, handler = smtp_server
    partner = make_user("partner", timezone="America/New_York", email="sarah@example.org")
    coordinator = make_user("coordinator")
    due = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)  # 10:00 in New York (EDT)
    meeting = services.log_meeting(services.MeetingData(
        title="Meeting with the AU Special Envoy", start_at=datetime(2026, 3, 9, 7, 0, tzinfo=UTC),
        timezone="Africa/Addis_Ababa", status="held"), follow_ups=[services.FollowUpData(
            task="Send the Envoy our WPS brief", due_at=due, assignee_id=partner.id)],
        actor=coordinator, now=NOW)
    db.session.commit()
    jobs.enqueue_follow_up_reminders(due)
    config = {**app.config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port, "MAIL_STARTTLS": False,
              "MAIL_FROM": "Outreach <outreach@example.org>"}
    assert dispatch_due(due, config=config) == 2
    assert len(handler.messages) == 1
    recipients, raw = handler.messages[0]
    assert recipients == ["sarah@example.org"]
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["Message-ID"].startswith("<outbox-")
    assert "Thu 12 Mar 2026, 10:00 (America/New_York)" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "due Thu 12 Mar 2026, 10:00 (America/New_York)" in text
    assert "Send the Envoy our WPS brief" in text and "Meeting with the AU Special Envoy" in text
    assert "<strong>Thu 12 Mar 2026, 10:00 (America/New_York)</strong>" in html
    assert "http://localhost/follow-ups" in text
    assert meeting.follow_ups[0].assignee_id == partner.id
    # a second tick sends nothing more
    jobs.enqueue_follow_up_reminders(due + timedelta(minutes=1))
    dispatch_due(due + timedelta(minutes=1), config=config)
    assert len(handler.messages) == 1


def test_worker_tick_runs_the_meetings_jobs(app):
    from outreach.core.jobs import registered_jobs
    from outreach.worker import register_core_jobs

    register_core_jobs()
    names = [j.name for j in registered_jobs()]
    assert {"meetings.follow_up_reminders", "meetings.commitments", "meetings.digests"} <= set(names)
    assert names.index("notifications.dispatch") > names.index("meetings.follow_up_reminders")


# --- the cost of a tick -----------------------------------------------------------------------

def test_the_latest_reminder_is_the_last_of_all_reminder_instants():
    import random

    rng = random.Random(5)
    for _ in range(2000):
        due = NOW + timedelta(minutes=rng.randint(-60 * 24 * 40, 60 * 24 * 10))
        offsets = ",".join(str(rng.choice((10080, 1440, 60, 0))) for _ in range(rng.randint(0, 3)))
        daily = rng.random() < 0.7
        passed = [t for t in jobs.instants_for(due, offsets, daily) if t <= NOW]
        assert jobs.latest_instant(due, offsets, daily, NOW) == (passed[-1] if passed else None)


def _overdue_follow_ups(partner: Any, n: int) -> None:
    for i in range(n):
        data = services.FollowUpData(task=f"Chase {i}", due_at=NOW - timedelta(days=2, minutes=i),
                                     assignee_id=partner.id)
        services.add_follow_up(data, actor=partner, now=NOW - timedelta(days=5))


def test_a_tick_costs_the_same_few_statements_however_many_follow_ups(ctx, make_user, count_queries, tmp_path):
    """No query per follow-up or per message: reminders are checked, loaded, enqueued and sent in batches."""
    config = {"MAIL_OUTBOX_DIR": str(tmp_path), "MAIL_FROM": "outreach@example.org"}
    partner, other = make_user("partner"), make_user("coordinator")
    counts = []
    for user, n in ((partner, 3), (other, 30)):
        _overdue_follow_ups(user, n)
        db.session.commit()
        later = NOW + timedelta(hours=len(counts))  # the second round finds the first one's reminders done
        with count_queries() as busy:
            assert jobs.enqueue_follow_up_reminders(later) == 2 * n
        with count_queries() as steady:
            assert jobs.enqueue_follow_up_reminders(later) == 0
        with count_queries() as delivery:
            assert dispatch_due(later, config=config, batch=100) == 2 * n  # one batch each time
        # one inbox row per in-app message, one mark per e-mail (committed as soon as it is sent); the rest batched
        counts.append((busy.count, steady.count, len(delivery.writes) - 2 * n, delivery.count - len(delivery.writes)))
    assert counts[0] == counts[1], counts


def test_a_task_with_a_line_break_still_reaches_the_mailbox(app, ctx, make_user, tmp_path):
    """Stored before tasks were one line (or arriving some other way): the subject is made one line."""
    partner = make_user("partner")
    services.add_follow_up(services.FollowUpData(task="Call the commander\nabout the\r\nbudget", due_at=NOW,
                                                 assignee_id=partner.id), actor=partner, now=NOW - timedelta(days=2))
    db.session.commit()
    jobs.enqueue_follow_up_reminders(NOW)
    config = {**app.config, "MAIL_OUTBOX_DIR": str(tmp_path)}
    assert dispatch_due(NOW, config=config) == 2
    assert not db.session.scalars(select(OutboxMessage).where(OutboxMessage.status != "sent")).all()
    [mail] = tmp_path.glob("*.eml")
    assert (
        "Call the commander about the budget" in message_from_bytes(mail.read_bytes(), policy=policy.default)["subject"]
    )


def test_an_activist_gets_no_digest_unless_she_asks(ctx, make_user):
    activist = make_user("activist", timezone="UTC")
    partner = make_user("partner", timezone="UTC")
    at_eight = datetime(2026, 3, 10, 8, 5, tzinfo=UTC)
    services.log_meeting(services.MeetingData(title="Both attend", start_at=at_eight + timedelta(hours=3),
                                              timezone="UTC", attendees=[f"u:{activist.id}", f"u:{partner.id}"]),
                         actor=make_user("coordinator"), now=NOW)
    db.session.commit()
    assert jobs.enqueue_digests(at_eight) == 2  # the partner's and the coordinator's
    assert [s for s, _c, _d in _outbox(activist.id) if s.startswith("digest")] == []
    db.session.add(NotificationPreference(user_id=activist.id, email_enabled=True, digest_hour=8, updated_at=NOW))
    db.session.commit()
    assert jobs.enqueue_digests(at_eight) == 1
