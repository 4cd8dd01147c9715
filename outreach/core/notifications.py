"""Notifications: the in-app inbox and the delivery outbox that the worker drains.

Features decide *what* is due and call `enqueue`; the core delivers. Every outbox row has a
unique key (subject, channel, due time), so enqueueing the same reminder twice — from two
workers, or after a restart — adds nothing. Delivery claims rows (FOR UPDATE SKIP LOCKED on
PostgreSQL, then a compare-and-set that also protects SQLite), sends, and marks them sent. A
claim carries a lease: a worker killed between claim and send leaves a row that another worker
takes over once the lease has run out.

What "exactly once" means here:
- in-app: the inbox row is written in the same transaction that marks the outbox row sent, and
  it carries the outbox id under a unique constraint: exactly once, whatever crashes.
- e-mail: SMTP is outside our transaction, so a worker killed after the server accepted the
  message but before the commit makes the next worker send it again — at-least-once, with the
  same stable Message-ID (`<outbox-{id}-{key hash}@host>`) so that mail systems and clients can
  drop the duplicate. Nothing is ever skipped: a row stays pending or leased until marked sent.
"""
from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from collections.abc import Callable, Iterable, Mapping

from sqlalchemy import (Boolean, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint, and_, func, or_,
                        select, update)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from outreach.core.db import Base, db, rowcount

log = logging.getLogger(__name__)

CHANNEL_INAPP = "inapp"
CHANNEL_EMAIL = "email"
CHANNELS = (CHANNEL_INAPP, CHANNEL_EMAIL)

PENDING, SENDING, SENT, CANCELLED, FAILED = "pending", "sending", "sent", "cancelled", "failed"
#: How long a claim stays a worker's own before another may take it over.
LEASE = timedelta(minutes=5)
#: Give up on a message after this many claims (it stays visible as "failed").
MAX_ATTEMPTS = 8


class OutboxMessage(Base):
    """Something that must reach one user on one channel at (or after) a due time."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("subject", "channel", "due_at", name="uq_outbox_messages_key"),
        Index("ix_outbox_messages_status_due", "status", "due_at"),
        Index("ix_outbox_messages_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the message is about and why, e.g. "follow_up:12:reminder" — with channel and due time, the unique key.
    subject: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(10))
    due_at: Mapped[datetime] = mapped_column()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))  #: path inside the app, e.g. /follow-ups
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(36))  #: who holds the lease
    lease_until: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()

    @property
    def message_id(self) -> str:
        """A Message-ID that is the same on every attempt, so a resend can be recognised."""
        digest = hashlib.sha256(f"{self.subject}|{self.channel}|{self.due_at.isoformat()}".encode()).hexdigest()[:16]
        return f"<outbox-{self.id}-{digest}@outreach.local>"

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.subject} {self.channel} {self.status}>"


class Notification(Base):
    """One item in a user's in-app inbox."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The outbox row that delivered it; unique, so a redelivery cannot add a second copy.
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column()
    read_at: Mapped[datetime | None] = mapped_column()

    def __repr__(self) -> str:
        return f"<Notification {self.id} user={self.user_id} {self.title!r}>"


class NotificationPreference(Base):
    """How a user wants to be told: e-mail on or off, and the local hour of their daily digest."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    digest_hour: Mapped[int | None] = mapped_column(SmallInteger)  #: 0–23 in the user's zone; None: no digest
    updated_at: Mapped[datetime] = mapped_column()

    def __repr__(self) -> str:
        return f"<NotificationPreference user={self.user_id} digest={self.digest_hour}>"


DEFAULT_DIGEST_HOUR = 7


def default_digest_hour(role: str | None) -> int | None:
    """The digest hour of someone who never chose one: none for activists, whose mailbox others may read."""
    return None if role == "activist" else DEFAULT_DIGEST_HOUR


# --- enqueueing ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Message:
    subject: str
    user_id: int
    due_at: datetime
    title: str
    text: str
    html: str | None = None
    link: str | None = None


def _insert(dialect: str) -> Callable[..., Any]:
    return pg_insert if dialect == "postgresql" else sqlite_insert


def enqueue(message: Message, *, channels: Iterable[str] = CHANNELS, now: datetime) -> int:
    """Add *message* for each channel unless it is already there; return how many rows were new."""
    return enqueue_many([(message, tuple(channels))], now=now)


def enqueue_many(messages: Iterable[tuple[Message, Iterable[str]]], *, now: datetime) -> int:
    """Add each (message, channels) unless already there, many rows per INSERT; return how many rows were new."""
    rows = [dict(subject=message.subject, channel=channel, due_at=message.due_at, user_id=message.user_id,
                 title=message.title[:300], body_text=message.text, body_html=message.html, link=message.link,
                 status=PENDING, attempts=0, created_at=now) for message, channels in messages for channel in channels]
    if not rows:
        return 0
    # One statement with many parameter sets: SQLAlchemy sends them as multi-row INSERTs ("insertmanyvalues").
    stmt = _insert(db.dialect)(OutboxMessage).on_conflict_do_nothing(
        index_elements=["subject", "channel", "due_at"]).returning(OutboxMessage.id)
    return len(db.session.execute(stmt, rows).all())


def cancel_pending(subject_prefix: str, *, now: datetime) -> int:
    """Cancel what has not gone out yet for a subject (a follow-up was completed or moved)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.subject.like(subject_prefix.replace("%", "") + "%"), OutboxMessage.status == PENDING)
        .values(status=CANCELLED, last_error="cancelled before sending")
        .execution_options(synchronize_session=False))
    return rowcount(result) or 0


# --- delivering ------------------------------------------------------------------------------

def _claimable(now: datetime) -> Any:
    # The IN list lets both databases seek (status, due_at) for the two live statuses only, however many
    # sent rows the outbox keeps.
    return and_(OutboxMessage.status.in_((PENDING, SENDING)), OutboxMessage.due_at <= now,
                OutboxMessage.attempts < MAX_ATTEMPTS,
                or_(OutboxMessage.status == PENDING, OutboxMessage.lease_until < now))


def claim_due(now: datetime, *, limit: int = 50, lease: timedelta = LEASE) -> tuple[str, list[int]]:
    """Lease up to *limit* due rows to this caller and commit; return (claim token, ids).

    PostgreSQL skips rows another worker has locked; on SQLite (one writer at a time) each row is
    taken with a compare-and-set on its status and lease, so two workers never both win a row.
    """
    token = str(uuid.uuid4())
    candidates = select(OutboxMessage.id).where(_claimable(now)).order_by(OutboxMessage.due_at, OutboxMessage.id)
    if db.dialect == "postgresql":
        candidates = candidates.limit(limit).with_for_update(skip_locked=True)
    else:
        candidates = candidates.limit(limit)
    ids = list(db.session.scalars(candidates))
    claimed: set[int] = set()
    if ids:
        # One compare-and-set for the lot: the claimable condition is checked again under the write lock.
        claimed = set(db.session.scalars(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids), _claimable(now))
            .values(status=SENDING, claim_token=token, lease_until=now + lease, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage.id).execution_options(synchronize_session=False)))
    db.session.commit()
    return token, [row_id for row_id in ids if row_id in claimed]


def _deliver_inapp(message: OutboxMessage, now: datetime) -> None:
    stmt = _insert(db.dialect)(Notification).values(
        user_id=message.user_id, outbox_id=message.id, title=message.title, body=message.body_text,
        link=message.link, created_at=now).on_conflict_do_nothing(index_elements=["outbox_id"])
    db.session.execute(stmt)


def _deliver_email(message: OutboxMessage, config: Mapping[str, Any], now: datetime) -> None:
    from outreach.core.auth.models import User
    from outreach.core.mail import send_mail

    user = db.session.get(User, message.user_id)  # preloaded by send_claimed: no query
    if user is None or not user.is_active_account:
        return
    link = f"{config.get('BASE_URL', '')}{message.link}" if message.link else None
    text = message.body_text + (f"\n\n{link}\n" if link else "")
    send_mail(config, to=user.email, subject=message.title, text=text, html=message.body_html, now=now,
              message_id=message.message_id)


def _mark(row_id: int, token: str, **values: Any) -> bool:
    """Finish a claimed row — only if the lease is still ours (a slow worker may have lost it)."""
    result = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == row_id, OutboxMessage.claim_token == token,
                                    OutboxMessage.status == SENDING)
        .values(**values).execution_options(synchronize_session=False))
    return rowcount(result) == 1


def _send_inapp_together(messages: list[OutboxMessage], token: str, now: datetime) -> int:
    """Deliver in-app rows in one transaction: each inbox row is written with its outbox row marked sent, so a
    crash anywhere leaves both undone and the lease hands them to the next worker — still exactly once."""
    ours = set(db.session.scalars(
        update(OutboxMessage).where(OutboxMessage.id.in_([m.id for m in messages]), OutboxMessage.claim_token == token,
                                    OutboxMessage.status == SENDING)
        .values(status=SENT, sent_at=now, claim_token=None, lease_until=None)
        .returning(OutboxMessage.id).execution_options(synchronize_session=False)))
    for message in messages:
        if message.id in ours:  # a slow worker whose lease ran out delivers nothing
            _deliver_inapp(message, now)
    db.session.commit()
    return len(ours)


def _send_one(message: OutboxMessage, token: str, config: Mapping[str, Any], now: datetime) -> int:
    """Deliver one row and commit; a failure is recorded on the row for a later attempt."""
    try:
        if message.channel == CHANNEL_INAPP:
            _deliver_inapp(message, now)
        else:
            _deliver_email(message, config, now)
    except Exception as exc:  # noqa: BLE001 - one bad address must not block the rest
        db.session.rollback()
        log.warning("Delivery of outbox %s failed: %s", message.id, exc)
        final = FAILED if message.attempts >= MAX_ATTEMPTS else PENDING
        _mark(message.id, token, status=final, last_error=str(exc)[:2000], claim_token=None, lease_until=None)
        db.session.commit()
        return 0
    if _mark(message.id, token, status=SENT, sent_at=now, claim_token=None, lease_until=None):
        db.session.commit()
        return 1
    # Our lease ran out and someone else holds the row: undo our in-app copy, theirs counts.
    db.session.rollback()
    return 0


def send_claimed(token: str, ids: list[int], *, config: Mapping[str, Any], now: datetime) -> int:
    """Deliver rows this caller claimed; return how many were marked sent.

    In-app rows go out together in one transaction; each e-mail is committed as soon as it is sent,
    so that a crash resends as little as possible.
    """
    from outreach.core.auth.models import User

    if not ids:
        return 0
    loaded = {m.id: m for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(ids)).execution_options(populate_existing=True))}
    messages = [loaded[i] for i in ids if i in loaded and loaded[i].claim_token == token]
    recipients = sorted({m.user_id for m in messages if m.channel != CHANNEL_INAPP})
    # Held here so that they stay in the identity map: `_deliver_email` then finds its user without a query.
    users = db.session.scalars(select(User).where(User.id.in_(recipients))).all() if recipients else []
    inapp = [m for m in messages if m.channel == CHANNEL_INAPP]
    sent = 0
    if inapp:
        try:
            sent += _send_inapp_together(inapp, token, now)
        except Exception:  # noqa: BLE001 - retried one by one below, where a failure is recorded per row
            db.session.rollback()
            sent += sum(_send_one(message, token, config, now) for message in inapp)
    for message in messages:
        if message.channel != CHANNEL_INAPP:
            sent += _send_one(message, token, config, now)
    del users
    return sent


def dispatch_due(now: datetime, *, config: Mapping[str, Any], batch: int = 50, max_batches: int = 20,
                 lease: timedelta = LEASE) -> int:
    """Claim and deliver everything due, batch by batch; safe to run in any number of workers."""
    total = 0
    for _ in range(max_batches):
        token, ids = claim_due(now, limit=batch, lease=lease)
        if not ids:
            break
        total += send_claimed(token, ids, config=config, now=now)
    return total


# --- the inbox -------------------------------------------------------------------------------

def unread_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(user_id: int, notification_id: int | None, *, now: datetime) -> int:
    """Mark one notification (or, with None, all of them) read for *user_id*."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    return rowcount(db.session.execute(stmt.values(read_at=now).execution_options(synchronize_session=False))) or 0


def preferences_for(user_id: int, role: str | None = None) -> NotificationPreference:
    """The stored preferences, or unsaved defaults (e-mail on, digest at 07:00; activists: no digest)."""
    pref = db.session.get(NotificationPreference, user_id)
    if pref is None:
        pref = NotificationPreference(user_id=user_id, email_enabled=True, digest_hour=default_digest_hour(role))
    return pref


def save_preferences(user: Any, *, email_enabled: bool, digest_hour: int | None, now: datetime) -> None:
    from outreach.core.audit import record_event

    pref = db.session.get(NotificationPreference, user.id)
    if pref is None:
        pref = NotificationPreference(user_id=user.id, updated_at=now)
        db.session.add(pref)
    pref.email_enabled, pref.digest_hour, pref.updated_at = email_enabled, digest_hour, now
    db.session.flush()
    record_event("notifications.preferences", actor=user, now=now, record_type="users", record_id=user.id,
                 email_enabled=email_enabled, digest_hour=digest_hour)


def channels_for(user_id: int) -> tuple[str, ...]:
    return channels_by_user([user_id])[user_id]


def channels_by_user(user_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """Each user's channels (e-mail unless they turned it off), for many users in one query per thousand."""
    ids = sorted(set(user_ids))
    silent: set[int] = set()
    for start in range(0, len(ids), 1000):
        silent.update(db.session.scalars(select(NotificationPreference.user_id).where(
            NotificationPreference.user_id.in_(ids[start:start + 1000]),
            NotificationPreference.email_enabled.is_(False))))
    return {uid: (CHANNEL_INAPP,) if uid in silent else CHANNELS for uid in ids}
