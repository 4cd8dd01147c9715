"""The delivery outbox: insert-or-ignore, claims with leases, concurrent workers, a worker killed mid-send.

The concurrency tests need data other connections can see, so they commit for real (outside the
per-test rolled-back transaction) and delete what they made afterwards.
"""
from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, UTC
from email import message_from_bytes
from pathlib import Path
from typing import Any
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, func, select

from outreach.core import notifications
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.notifications import LEASE, Message, Notification, OutboxMessage, claim_due, dispatch_due, enqueue

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _message(user_id: int, n: int = 0, **kw: Any) -> Message:
    return Message(subject=f"test:{n}", user_id=user_id, due_at=kw.pop("due_at", NOW - timedelta(minutes=1)),
                   title=f"Reminder {n}", text="Call the SRSG's office.", **kw)


def test_enqueue_is_insert_or_ignore(ctx, make_user):
    user = make_user("partner")
    assert enqueue(_message(user.id), now=NOW) == 2  # in-app and e-mail
    assert enqueue(_message(user.id), now=NOW) == 0
    assert enqueue(_message(user.id, due_at=NOW), now=NOW) == 2  # another due time is another reminder
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.user_id == user.id)) == 4


def test_in_app_delivery_happens_once_and_only_when_due(app, ctx, make_user, tmp_path):
    user = make_user("partner")
    enqueue(_message(user.id, due_at=NOW + timedelta(hours=1)), channels=["inapp"], now=NOW)
    config = {**app.config, "MAIL_OUTBOX_DIR": str(tmp_path)}
    assert dispatch_due(NOW, config=config) == 0
    assert dispatch_due(NOW + timedelta(hours=1), config=config) == 1
    assert dispatch_due(NOW + timedelta(hours=2), config=config) == 0
    assert notifications.unread_count(user.id) == 1
    assert notifications.mark_read(user.id, None, now=NOW) == 1
    assert notifications.unread_count(user.id) == 0


def test_a_lease_keeps_other_workers_off_until_it_runs_out(ctx, make_user):
    user = make_user("partner")
    enqueue(_message(user.id), channels=["inapp"], now=NOW)
    token_a, claimed_a = claim_due(NOW)
    assert len(claimed_a) == 1
    assert claim_due(NOW + timedelta(minutes=1))[1] == []  # compare-and-set refuses a leased row
    token_b, claimed_b = claim_due(NOW + LEASE + timedelta(seconds=1))
    assert claimed_b == claimed_a  # the lease ran out: another worker takes over
    # the first worker wakes up: its lease is gone, so its delivery does not count
    assert notifications.send_claimed(token_a, claimed_a, config={}, now=NOW) == 0
    assert notifications.send_claimed(token_b, claimed_b, config={}, now=NOW) == 1
    assert notifications.unread_count(user.id) == 1


def test_a_failing_send_is_retried_and_eventually_marked_failed(app, ctx, make_user, monkeypatch):
    user = make_user("partner")
    enqueue(_message(user.id), channels=["email"], now=NOW)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(notifications, "_deliver_email", broken)
    for attempt in range(notifications.MAX_ATTEMPTS + 2):
        dispatch_due(NOW + timedelta(minutes=attempt), config=app.config)
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == user.id))
    db.session.refresh(row)
    assert row.status == "failed" and row.attempts == notifications.MAX_ATTEMPTS
    assert "connection refused" in row.last_error


# --- committed data, several connections ------------------------------------------------------

@contextmanager
def committed_user(app: Any, messages: int, channels: tuple[str, ...] = ("inapp",)) -> Iterator[int]:
    """A user with *messages* due outbox rows, committed; removed again afterwards."""
    with app.app_context():
        user = User(email=f"outbox-{uuid.uuid4().hex[:10]}@example.org", name="Outbox Tester", role="partner",
                    timezone="Africa/Nairobi", created_at=NOW, updated_at=NOW)
        db.session.add(user)
        db.session.flush()
        for n in range(messages):
            enqueue(_message(user.id, n), channels=channels, now=NOW)
        db.session.commit()
        user_id = user.id
    try:
        yield user_id
    finally:
        with app.app_context():
            db.session.execute(delete(Notification).where(Notification.user_id == user_id))
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.user_id == user_id))
            db.session.execute(delete(User).where(User.id == user_id))
            db.session.commit()


def test_two_workers_claiming_at_once_deliver_each_message_exactly_once(app, monkeypatch):
    """On PostgreSQL the workers skip each other's locked rows; on SQLite the compare-and-set decides."""
    delivered: list[tuple[str, int]] = []
    lock = threading.Lock()
    original = notifications._deliver_inapp
    original_claim = notifications.claim_due
    # Each worker waits after its first (committed) claim until the other has claimed too: whichever
    # thread the scheduler favours, both must win rows while the other's are still being sent.
    both_claimed = threading.Barrier(2, timeout=20)
    waited: set[str] = set()

    def claiming(*args: Any, **kwargs: Any) -> Any:
        result = original_claim(*args, **kwargs)
        name = threading.current_thread().name
        with lock:
            first = name not in waited
            waited.add(name)
        if first:
            both_claimed.wait()
        return result

    def recording(message: OutboxMessage, now: datetime) -> None:
        with lock:
            delivered.append((threading.current_thread().name, message.id))
        original(message, now)

    monkeypatch.setattr(notifications, "_deliver_inapp", recording)
    monkeypatch.setattr(notifications, "claim_due", claiming)
    with committed_user(app, messages=60) as user_id:
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                with app.app_context():
                    start.wait()
                    while dispatch_due(NOW, config=app.config, batch=4, max_batches=1):
                        time.sleep(0.002)  # like a real tick, let the other worker in
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, name=f"worker-{i}") for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        ids = [row_id for _name, row_id in delivered]
        assert len(ids) == len(set(ids)) == 60  # none twice, none skipped
        assert {name for name, _ in delivered} == {"worker-0", "worker-1"}  # both really worked
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Notification).where(
                Notification.user_id == user_id)) == 60
            assert set(db.session.scalars(select(OutboxMessage.status).where(
                OutboxMessage.user_id == user_id))) == {"sent"}


KILLED_WORKER = """
import os, signal, sys
from datetime import datetime, timezone
from outreach import create_app
from outreach.core.notifications import claim_due
from tests.conftest import app_config
app = create_app(app_config(sys.argv[1], sys.argv[2]))
with app.app_context():
    token, ids = claim_due(datetime.fromisoformat(sys.argv[3]))
    print(len(ids), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # killed between claim and send
"""


def test_a_worker_killed_between_claim_and_send_is_recovered_without_duplicates(app, tmp_path):
    config = {**app.config, "MAIL_OUTBOX_DIR": str(tmp_path / "mail")}
    with committed_user(app, messages=3, channels=("inapp", "email")) as user_id:
        proc = subprocess.run([sys.executable, "-c", KILLED_WORKER, app.config["DATABASE_URL"], str(tmp_path),
                               NOW.isoformat()], capture_output=True, text=True, timeout=60,
                              cwd=Path(__file__).resolve().parents[2])
        assert proc.returncode == -9, proc.stderr
        assert proc.stdout.strip() == "6"  # it had claimed all six rows before it died
        with app.app_context():
            # a restarted worker, while the dead one's lease still runs: nothing to take, nothing lost
            assert dispatch_due(NOW + timedelta(minutes=1), config=config) == 0
            assert set(db.session.scalars(select(OutboxMessage.status).where(
                OutboxMessage.user_id == user_id))) == {"sending"}
            # after the lease: everything goes out once
            assert dispatch_due(NOW + LEASE + timedelta(minutes=1), config=config) == 6
            assert dispatch_due(NOW + LEASE + timedelta(minutes=2), config=config) == 0
            assert db.session.scalar(select(func.count()).select_from(Notification).where(
                Notification.user_id == user_id)) == 3
        mails = sorted((tmp_path / "mail").glob("*.eml"))
        assert len(mails) == 3


def test_an_email_resent_after_a_crash_keeps_its_message_id(app, tmp_path):
    """At-least-once for e-mail: a worker that dies after SMTP accepted the message makes the next one
    send it again, with the same Message-ID so that receivers can drop the duplicate."""
    config = {**app.config, "MAIL_OUTBOX_DIR": str(tmp_path)}
    with committed_user(app, messages=1, channels=("email",)):
        with app.app_context():
            token, ids = claim_due(NOW)
            message = db.session.get(OutboxMessage, ids[0])
            notifications._deliver_email(message, config, NOW)  # sent... then the worker dies before marking
            db.session.rollback()
        with app.app_context():
            assert dispatch_due(NOW + LEASE + timedelta(seconds=1), config=config) == 1
        mails = [message_from_bytes(p.read_bytes()) for p in sorted(tmp_path.glob("*.eml"))]
        assert len(mails) == 2 and mails[0]["Message-ID"] == mails[1]["Message-ID"]
        assert mails[0]["Message-ID"].startswith("<outbox-")


@pytest.mark.parametrize("hour", [None, 6])
def test_preferences_round_trip(ctx, make_user, hour):
    user = make_user("partner")
    assert notifications.preferences_for(user.id).digest_hour == notifications.DEFAULT_DIGEST_HOUR
    notifications.save_preferences(user, email_enabled=False, digest_hour=hour, now=NOW)
    assert notifications.preferences_for(user.id).digest_hour == hour
    assert notifications.channels_for(user.id) == ("inapp",)
