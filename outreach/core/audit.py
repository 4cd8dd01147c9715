"""The append-only audit log: who did what to which record, when, from where."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from outreach.core.db import Base, db


class AuditEvent(Base):
    """One audited action. Rows are never updated or deleted."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_record", "record_type", "record_id"),
        Index("ix_audit_events_actor_id", "actor_id", "id"),
        Index("ix_audit_events_action_id", "action", "id"),
        Index("ix_audit_events_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Who acted as they were then (an e-mail address typed at a failed login, "system" for jobs).
    actor_label: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))  #: dotted verb, e.g. "user.invite"
    record_type: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[str | None] = mapped_column(Text)  #: JSON object

    actor = relationship("User", foreign_keys=[actor_id])

    @property
    def details_dict(self) -> dict[str, Any]:
        return json.loads(self.details) if self.details else {}

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.record_type}:{self.record_id}>"


#: Fields whose content never enters the audit log (features add theirs with register_private_fields()):
#: an event names them and the ids involved, never what they hold. Managers read the log.
_PRIVATE_FIELDS: set[str] = {"password", "password_hash", "token"}
WITHHELD = "(private: not recorded)"


def register_private_fields(*names: str) -> None:
    _PRIVATE_FIELDS.update(names)


def _withhold_private(value: Any) -> Any:
    """*value* with the content of every private field, at any depth, replaced by WITHHELD."""
    if isinstance(value, dict):
        return {k: (WITHHELD if k in _PRIVATE_FIELDS and v not in (None, "") else _withhold_private(v))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_withhold_private(v) for v in value]
    return value


def record_event(
    action: str,
    *,
    actor: Any,
    now: datetime,
    record: Any = None,
    record_type: str | None = None,
    record_id: Any = None,
    ip: str | None = None,
    actor_label: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Append an audit event to the current session (the caller commits with its own change)."""
    if record is not None:
        record_type = record_type or type(record).__tablename__
        record_id = record_id if record_id is not None else getattr(record, "id", None)
    actor_id = getattr(actor, "id", None) if actor is not None and getattr(actor, "is_authenticated", False) else None
    label = actor_label or (getattr(actor, "email", None) if actor_id else None) or "system"
    event_row = AuditEvent(
        occurred_at=now,
        actor_id=actor_id,
        actor_label=label[:254],
        action=action,
        record_type=record_type,
        record_id=None if record_id is None else str(record_id),
        ip=ip,
        details=json.dumps(_withhold_private(details), default=str, sort_keys=True) if details else None,
    )
    db.session.add(event_row)
    return event_row


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise PermissionError("The audit log is append-only.")
