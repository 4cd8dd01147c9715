"""Meetings (interactions), the commitments targets make in them, and the follow-ups they need."""
from __future__ import annotations

import enum
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.contacts.models import Contact, Organisation
from outreach.core.db import Base


class MeetingKind(str, enum.Enum):
    MEETING = "meeting"
    CALL = "call"
    EVENT = "event"
    EMAIL = "email"
    OTHER = "other"


class MeetingInitiator(str, enum.Enum):
    """Who asked for the meeting: contact the target sought weighs more when matching partners to doors."""

    US = "us"  #: a partner or the coalition asked
    TARGET = "target"  #: the target (or her office) asked


class MeetingStatus(str, enum.Enum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class CommitmentCategory(str, enum.Enum):
    MANDATE_LANGUAGE = "mandate_language"
    FUNDING = "funding"
    APPOINTMENT_OF_WOMEN = "appointment_of_women"
    POLICY = "policy"
    DATA = "data"
    ACCESS = "access"
    OTHER = "other"


class CommitmentStatus(str, enum.Enum):
    OPEN = "open"
    ON_TRACK = "on_track"
    OVERDUE = "overdue"
    KEPT = "kept"
    PARTLY_KEPT = "partly_kept"
    BROKEN = "broken"
    WITHDRAWN = "withdrawn"


#: Statuses in which a commitment is still running (reminders, overdue checks).
LIVE_COMMITMENT_STATUSES = (CommitmentStatus.OPEN.value, CommitmentStatus.ON_TRACK.value,
                            CommitmentStatus.OVERDUE.value)


class FollowUpStatus(str, enum.Enum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class AttendeeRole(str, enum.Enum):
    TARGET = "target"  #: a contact we lobby
    PARTNER = "partner"
    ACTIVIST = "activist"
    STAFF = "staff"  #: coordinators, managers


class Meeting(Base):
    """An interaction: a meeting, call, event or e-mail exchange, at a time in a place's zone."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("end_at IS NULL OR end_at >= start_at", name="ends_after_start"),
        Index("ix_meetings_start_at", "start_at", "id"),
        Index("ix_meetings_status_start", "status", "start_at", "id"),  #: held meetings by date, read alone
        Index("ix_meetings_kind_start", "kind", "start_at"),
        Index("ix_meetings_organiser_id", "organiser_id", "id"),  #: "recently logged by me"
        #: an office's meetings newest first, read from the index alone (the organisation-subtree lists)
        Index("ix_meetings_organisation_id", "organisation_id", "start_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default=MeetingKind.MEETING.value)
    title: Mapped[str] = mapped_column(String(200))
    start_at: Mapped[datetime] = mapped_column()
    end_at: Mapped[datetime | None] = mapped_column()
    timezone: Mapped[str] = mapped_column(String(64))  #: IANA zone where it happens
    location: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(500))
    #: The office the meeting was with (filters by organisation subtree use it).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    agenda: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)  #: internal: never shown to activists
    outcome: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=MeetingStatus.PLANNED.value)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: MeetingInitiator value, or None when nobody recorded who asked for it.
    initiated_by: Mapped[str | None] = mapped_column(String(10))
    #: Bumped on every save; a save based on an older revision is refused (optimistic locking).
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()

    organiser = relationship("User", foreign_keys=[organiser_id])
    organisation: Mapped[Organisation | None] = relationship()
    attendees: Mapped[list[Attendee]] = relationship(back_populates="meeting", cascade="all, delete-orphan",
                                                     order_by="Attendee.id")
    commitments: Mapped[list[Commitment]] = relationship(back_populates="meeting", order_by="Commitment.id")
    follow_ups: Mapped[list[FollowUp]] = relationship(back_populates="meeting", order_by="FollowUp.due_at")
    history: Mapped[list[MeetingRevision]] = relationship(order_by="MeetingRevision.revision.desc()",
                                                          cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": revision}

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.kind} {self.title!r} {self.status}>"


class Attendee(Base):
    """Someone at a meeting: a contact, or a user (partner, activist, staff)."""

    __tablename__ = "meeting_attendees"
    __table_args__ = (
        CheckConstraint("(contact_id IS NULL) <> (user_id IS NULL)", name="contact_or_user"),
        UniqueConstraint("meeting_id", "contact_id", name="uq_meeting_attendees_contact"),
        UniqueConstraint("meeting_id", "user_id", name="uq_meeting_attendees_user"),
        #: With the meeting: a contact's attendances are read from the index alone (timelines, campaigns).
        Index("ix_meeting_attendees_contact_id", "contact_id", "meeting_id"),
        Index("ix_meeting_attendees_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10), default=AttendeeRole.TARGET.value)

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    contact: Mapped[Contact | None] = relationship()
    user = relationship("User")

    @property
    def label(self) -> str:
        if self.contact is not None:
            return self.contact.full_name
        return self.user.name if self.user is not None else "?"

    def __repr__(self) -> str:
        return f"<Attendee meeting={self.meeting_id} contact={self.contact_id} user={self.user_id}>"


class MeetingRevision(Base):
    """One saved edit of a meeting: who, when, and which fields went from what to what."""

    __tablename__ = "meeting_revisions"
    __table_args__ = (UniqueConstraint("meeting_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column()
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changes: Mapped[str] = mapped_column(Text)  #: JSON {field: [old, new]}

    changed_by = relationship("User")

    @property
    def changes_dict(self) -> dict[str, Any]:
        return json.loads(self.changes) if self.changes else {}

    def __repr__(self) -> str:
        return f"<MeetingRevision {self.meeting_id}#{self.revision}>"


class Commitment(Base):
    """A promise made by a target (a contact and/or an organisation), usually in a meeting."""

    __tablename__ = "commitments"
    __table_args__ = (
        CheckConstraint("contact_id IS NOT NULL OR organisation_id IS NOT NULL", name="has_target"),
        Index("ix_commitments_status_due", "status", "due_date"),
        #: a person's or an office's commitments by status, when each was made read from the index (campaign reports)
        Index("ix_commitments_contact_id", "contact_id", "status", "created_at"),
        Index("ix_commitments_organisation_id", "organisation_id", "status", "created_at"),
        Index("ix_commitments_organisation_newest", "organisation_id", "id"),  #: an office's newest commitments
        Index("ix_commitments_organisation_due", "organisation_id", "due_date"),  #: a subtree's calendar window
        Index("ix_commitments_created_by_id", "created_by_id"),  #: "mine" in calendar feeds
        Index("ix_commitments_accountable_id", "accountable_id", "status"),
        Index("ix_commitments_meeting_status", "meeting_id", "status"),  #: a partner's meetings' overdue ones
        Index("ix_commitments_category", "category", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(Text)  #: what was promised
    category: Mapped[str] = mapped_column(String(25), default=CommitmentCategory.OTHER.value)
    indicator: Mapped[str | None] = mapped_column(String(300))  #: how we will know, e.g. "women police officers"
    target_value: Mapped[str | None] = mapped_column(String(100))  #: e.g. "30 %" or "USD 2 m"
    due_date: Mapped[date | None] = mapped_column(Date)
    #: The partner who follows this promise up.
    accountable_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    evidence: Mapped[str | None] = mapped_column(Text)  #: links, one per line
    status: Mapped[str] = mapped_column(String(12), default=CommitmentStatus.OPEN.value)
    status_changed_at: Mapped[datetime] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()

    meeting: Mapped[Meeting | None] = relationship(back_populates="commitments")
    contact: Mapped[Contact | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    accountable = relationship("User", foreign_keys=[accountable_id])
    changes: Mapped[list[CommitmentChange]] = relationship(order_by="CommitmentChange.id.desc()",
                                                           cascade="all, delete-orphan")

    @property
    def evidence_links(self) -> list[str]:
        return [line.strip() for line in (self.evidence or "").splitlines() if line.strip()]

    @property
    def made_by(self) -> str:
        parts = [self.contact.full_name if self.contact else None,
                 (self.organisation.acronym or self.organisation.name) if self.organisation else None]
        return " · ".join(p for p in parts if p)

    def __repr__(self) -> str:
        return f"<Commitment {self.id} {self.status} due={self.due_date}>"


class CommitmentChange(Base):
    """A dated, attributed change of a commitment's status."""

    __tablename__ = "commitment_changes"
    __table_args__ = (Index("ix_commitment_changes_commitment_id", "commitment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    changed_at: Mapped[datetime] = mapped_column()
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  #: None: the system
    note: Mapped[str | None] = mapped_column(Text)

    changed_by = relationship("User")

    def __repr__(self) -> str:
        return f"<CommitmentChange {self.commitment_id} {self.from_status}->{self.to_status}>"


class FollowUp(Base):
    """A task someone must do by a time, with reminders."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        Index("ix_follow_ups_assignee_status_due", "assignee_id", "status", "due_at"),
        Index("ix_follow_ups_status_due", "status", "due_at"),
        Index("ix_follow_ups_meeting_id", "meeting_id"),
        Index("ix_follow_ups_contact_id", "contact_id"),
        Index("ix_follow_ups_commitment_id", "commitment_id", "due_at"),  #: a commitment's chasers, newest due first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(500))
    due_at: Mapped[datetime] = mapped_column()
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default=FollowUpStatus.OPEN.value)
    #: Minutes before the due time at which to remind, comma-separated ("1440,0": a day before and at due time).
    reminder_offsets: Mapped[str] = mapped_column(String(100), default="1440,0")
    remind_daily_when_overdue: Mapped[bool] = mapped_column(default=True)
    completed_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()

    assignee = relationship("User", foreign_keys=[assignee_id])
    meeting: Mapped[Meeting | None] = relationship(back_populates="follow_ups")
    contact: Mapped[Contact | None] = relationship()
    commitment: Mapped[Commitment | None] = relationship()

    @property
    def offsets(self) -> list[int]:
        return sorted({int(x) for x in self.reminder_offsets.split(",") if x.strip().lstrip("-").isdigit()},
                      reverse=True)

    def __repr__(self) -> str:
        return f"<FollowUp {self.id} {self.status} due={self.due_at:%Y-%m-%dT%H:%M}>"


class CommitmentTally(Base):
    """Maintained counters for the scorecards: commitments per subject (a contact, an organisation, a partner,
    a top-level organisation with its offices) and status bucket. Kept in step by `outreach.meetings.tallies`
    (ORM events on Commitment and Organisation, the merge listeners, the bulk seeder); `tallies.rebuild()`
    recounts everything from the commitments."""

    __tablename__ = "commitment_tallies"
    __table_args__ = (Index("ix_commitment_tallies_rank", "subject_kind", "total", "subject_id"),)

    subject_kind: Mapped[str] = mapped_column(String(12), primary_key=True)  #: contact, organisation, partner, root
    subject_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kept: Mapped[int] = mapped_column(default=0)
    partly_kept: Mapped[int] = mapped_column(default=0)
    broken: Mapped[int] = mapped_column(default=0)
    open: Mapped[int] = mapped_column(default=0)  #: open, on track or overdue
    withdrawn: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)  #: all but withdrawn: the scorecards rank by it

    def __repr__(self) -> str:
        return f"<CommitmentTally {self.subject_kind} {self.subject_id} total={self.total}>"


#: Serves the Today page's "going cold" panel for staff: per cadence, the contacts touched longest ago
#: (undated contacts by creation), read in index order (outreach.meetings.queries.going_cold).
Index("ix_contacts_cadence_touch", Contact.cadence_days, Contact.last_touch_at, Contact.created_at)
