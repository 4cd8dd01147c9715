"""Several servers, one PostgreSQL: two gunicorn instances and two `outreach worker` processes.

A session made on one server works on the other; an edit on one is seen on the other, and a stale edit
is refused across servers; the follow-up reminders that fall due during the run reach their people
exactly once — in the inbox, and as one distinct e-mail each at a local SMTP server — while the
workers are killed with SIGKILL and started again, cycle after cycle.
"""
from __future__ import annotations

import random
import re
import signal
import socket
import threading
import time
from collections import Counter
from datetime import timedelta
from email import message_from_bytes
from typing import Any

from sqlalchemy import func, select

from tests.reliability.harness import (Client, app_env, create_users, dispose, meeting_form, prepared_app, processes,
                                       report, sized, start_server, start_worker)

#: Short, so that a row claimed by a killed worker is taken over within the run.
LEASE_SECONDS = 6


class Mailbox:
    """What the SMTP server received: one Message-ID per delivery."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.message_ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.message_ids.append(str(message["Message-ID"]))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _make_follow_ups(app: Any, assignees: list[Any], count: int, first_due: Any, window: float) -> list[int]:
    from outreach.core.db import db
    from outreach.core.time import now_utc
    from outreach.meetings.models import FollowUp

    now = now_utc()
    with app.app_context():
        rows = [FollowUp(task=f"Reminder drill {i}", assignee_id=assignees[i % len(assignees)].id,
                         due_at=first_due + timedelta(seconds=window * i / max(count - 1, 1)),
                         reminder_offsets="0", remind_daily_when_overdue=False, status="open",
                         created_at=now, updated_at=now) for i in range(count)]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def _outbox(app: Any, follow_up_ids: list[int]) -> dict[str, Any]:
    from outreach.core.db import db
    from outreach.core.notifications import Notification, OutboxMessage

    subjects = [f"follow_up:{i}:remind" for i in follow_up_ids]
    with app.app_context():
        rows = db.session.execute(select(OutboxMessage.id, OutboxMessage.subject, OutboxMessage.channel,
                                         OutboxMessage.status, OutboxMessage.attempts)
                                  .where(OutboxMessage.subject.in_(subjects))).all()
        inbox = db.session.execute(select(Notification.outbox_id, func.count()).where(
            Notification.outbox_id.in_([r.id for r in rows] or [0])).group_by(Notification.outbox_id)).all()
        db.session.rollback()
        db.engine.dispose()
    return {"rows": rows, "inbox": dict(inbox)}


def test_two_servers_and_two_killed_workers_share_one_postgresql(pg_scratch, instance, tmp_path):
    from aiosmtpd.controller import Controller

    from outreach.core.time import now_utc

    app = prepared_app(pg_scratch, instance)
    alice, bob, *assignees = create_users(app, ["coordinator", "manager", "partner", "coordinator", "partner"])
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    rng = random.Random(1325)
    cycles, due_count, window = sized(20, 60), sized(40, 200), sized(30.0, 150.0)
    env = app_env(pg_scratch, instance, OUTREACH_MAIL_SERVER="127.0.0.1", OUTREACH_MAIL_PORT=str(smtp.port),
                  OUTREACH_MAIL_STARTTLS="0", OUTREACH_OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS))
    kills = 0
    try:
        with processes() as started:
            one = start_server(env, tmp_path / "web-1.log")
            two = start_server(env, tmp_path / "web-2.log")
            started += [one, two]
            assert one.port != two.port

            # A session made on one server works on the other.
            first = Client(one.port)
            first.login(alice.email)
            elsewhere = Client(two.port, cookies=dict(first.cookies))
            home = elsewhere.get("/")
            assert home.status == 200 and alice.name in home.text

            # An edit on one is seen on the other; a stale edit is refused across servers.
            first.get("/meetings/new")
            created = first.post("/meetings/new", meeting_form("Seen everywhere"))
            assert created.status == 302
            meeting_path = re.search(r"/meetings/\d+", created.headers["location"]).group(0)
            assert "Seen everywhere" in elsewhere.get(meeting_path).text
            manager = Client(two.port)
            manager.login(bob.email)
            mine = first.get(meeting_path + "/edit")
            theirs = manager.get(meeting_path + "/edit")
            revision = re.search(r'name="revision" type="hidden" value="(\d+)"', mine.text).group(1)
            assert re.search(r'name="revision" type="hidden" value="(\d+)"', theirs.text).group(1) == revision
            saved = manager.post(meeting_path + "/edit", meeting_form("Renamed on server two", revision=revision))
            assert saved.status == 302
            assert "Renamed on server two" in first.get(meeting_path).text
            refused = first.post(meeting_path + "/edit", meeting_form("Stale on server one", revision=revision))
            assert refused.status == 409 and "changed since you opened it" in refused.text
            assert "Renamed on server two" in elsewhere.get(meeting_path).text

            # Reminders falling due through the run, while the workers are killed and restarted.
            follow_ups = _make_follow_ups(app, assignees, due_count, now_utc() + timedelta(seconds=5), window)
            workers = [start_worker(env, tmp_path / f"worker-{n}.log") for n in range(2)]
            started += workers
            began = time.monotonic()
            for _ in range(cycles):  # spread over the window in which the reminders fall due
                time.sleep(rng.uniform(0.2, 2 * window / cycles - 0.2))
                victim = rng.randrange(2)
                workers[victim].kill(signal.SIGKILL)
                kills += 1
                workers[victim] = start_worker(env, tmp_path / f"worker-{victim}.log")
                started.append(workers[victim])
            # Let the survivors finish: every lease of a killed worker runs out and is taken over.
            deadline = time.monotonic() + window + 10 * LEASE_SECONDS + 120
            while time.monotonic() < deadline:
                state = _outbox(app, follow_ups)
                if len(state["rows"]) == 2 * due_count and all(r.status == "sent" for r in state["rows"]):
                    break
                time.sleep(1)
            time.sleep(1)  # an e-mail in flight at the last check lands
            for worker in workers:
                worker.kill(signal.SIGTERM)
            elapsed = time.monotonic() - began
    finally:
        smtp.stop()
        dispose(app)

    state = _outbox(app, follow_ups)
    rows = state["rows"]
    email_ids = {r.id for r in rows if r.channel == "email"}
    inapp_ids = {r.id for r in rows if r.channel == "inapp"}
    received = Counter(int(m.group(1)) for m in (re.match(r"<outbox-(\d+)-", mid) for mid in mailbox.message_ids)
                       if m and int(m.group(1)) in email_ids)
    figures = {
        "servers": 2, "workers": 2, "worker_kills": kills, "seconds": round(elapsed, 1),
        "reminders_due": due_count,
        "inbox_delivered": sum(1 for i in inapp_ids if state["inbox"].get(i) == 1),
        "inbox_duplicated": sum(n - 1 for n in state["inbox"].values() if n > 1),
        "inbox_missed": sum(1 for i in inapp_ids if not state["inbox"].get(i)) + due_count - len(inapp_ids),
        "emails_distinct": len(received),
        "emails_missed": due_count - len(received),
        "email_resends_same_message_id": sum(n - 1 for n in received.values()),
        "outbox_not_sent": sum(1 for r in rows if r.status != "sent"),
    }
    report("multi_server_postgresql", figures)
    assert figures["outbox_not_sent"] == 0, figures
    assert len(inapp_ids) == len(email_ids) == due_count, figures
    assert figures["inbox_delivered"] == due_count and figures["inbox_duplicated"] == 0, figures
    assert figures["inbox_missed"] == 0 and figures["emails_missed"] == 0, figures
    # E-mail is at-least-once: a worker killed between the SMTP hand-off and its commit makes the next one
    # send the same Message-ID again. That can happen at most once per kill.
    assert figures["email_resends_same_message_id"] <= kills, figures
    assert kills == cycles
