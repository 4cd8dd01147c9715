"""Activist profiles (with an encrypted identity), consent, introduction requests and their trail."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.contacts.models import Contact, Organisation
from outreach.core.db import Base


class RiskTier(str, enum.Enum):
    STANDARD = "standard"
    ELEVATED = "elevated"
    HIGH = "high"


class RequestState(str, enum.Enum):
    SUBMITTED = "submitted"
    TRIAGED = "triaged"
    OFFERED = "offered"  #: to one partner, waiting for her answer
    ACCEPTED = "accepted"
    DECLINED = "declined"  #: by the partner; the coordinator offers it to the next
    INTRODUCED = "introduced"
    MEETING_SCHEDULED = "meeting_scheduled"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


#: States in which nothing moves any more.
FINAL_STATES = (RequestState.CLOSED.value, RequestState.WITHDRAWN.value)
#: States in which a partner holds the request (her load).
PARTNER_STATES = (RequestState.OFFERED.value, RequestState.ACCEPTED.value, RequestState.INTRODUCED.value,
                  RequestState.MEETING_SCHEDULED.value)


class Urgency(str, enum.Enum):
    NORMAL = "normal"
    SOON = "soon"
    URGENT = "urgent"


class ConsentScope(str, enum.Enum):
    PARTNER = "partner"  #: share her identity with the partner who accepted
    TARGET = "target"  #: the partner may give her name to the target


class ActivistProfile(Base):
    """An activist as the coalition knows her: a codename in the open, her identity encrypted."""

    __tablename__ = "activist_profiles"
    __table_args__ = (
        Index("ix_activist_profiles_country", "country"),
        CheckConstraint("risk_tier IN ('standard', 'elevated', 'high')", name="risk_tier_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Her account, once she has one (a coordinator may create the profile before inviting her).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    #: The invitation sent to her, until she accepts it and the profile is linked to her account.
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="SET NULL"), unique=True)
    codename: Mapped[str] = mapped_column(String(60), unique=True)  #: all partners and targets see until consent
    #: Protected identity: Fernet tokens (outreach.introductions.crypto), never plaintext.
    legal_name_token: Mapped[str | None] = mapped_column(Text)
    email_token: Mapped[str | None] = mapped_column(Text)
    phone_token: Mapped[str | None] = mapped_column(Text)
    city_token: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(2))  #: ISO 3166-1 alpha-2
    organisation: Mapped[str | None] = mapped_column(String(200))  #: her own group; staff only
    focus_areas: Mapped[str] = mapped_column(String(300), default="")  #: comma-separated
    languages: Mapped[str] = mapped_column(String(60), default="")  #: comma-separated ISO 639 codes
    risk_tier: Mapped[str] = mapped_column(String(10), default=RiskTier.STANDARD.value)
    bio: Mapped[str | None] = mapped_column(Text)  #: short, public: what partners read in a brief
    is_purged: Mapped[bool] = mapped_column(default=False)
    purged_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def focus_list(self) -> list[str]:
        return [area.strip() for area in self.focus_areas.split(",") if area.strip()]

    def __repr__(self) -> str:  # never the identity
        return f"<ActivistProfile {self.id} {self.codename}>"


class IntroductionRequest(Base):
    """An activist asks to be introduced to a target (a contact, or an office to be resolved to one)."""

    __tablename__ = "introduction_requests"
    __table_args__ = (
        CheckConstraint("contact_id IS NOT NULL OR organisation_id IS NOT NULL", name="has_target"),
        Index("ix_introduction_requests_state_id", "state", "id"),  #: the triage queue, newest first
        Index("ix_introduction_requests_state_waiting", "state", "state_changed_at"),  #: service-level reminders
        Index("ix_introduction_requests_profile", "profile_id", "id"),
        Index("ix_introduction_requests_partner", "partner_id", "state", "id"),
        Index("ix_introduction_requests_contact_id", "contact_id"),
        Index("ix_introduction_requests_organisation_id", "organisation_id"),
        Index("ix_introduction_requests_meeting_id", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("activist_profiles.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    purpose: Mapped[str] = mapped_column(Text)
    ask: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(10), default=Urgency.NORMAL.value)
    window_start: Mapped[date | None] = mapped_column(Date)
    window_end: Mapped[date | None] = mapped_column(Date)
    languages: Mapped[str] = mapped_column(String(60), default="")  #: comma-separated ISO 639 codes
    state: Mapped[str] = mapped_column(String(20), default=RequestState.SUBMITTED.value)
    state_changed_at: Mapped[datetime] = mapped_column()
    #: The partner the request is offered to (or who accepted it); None between offers.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(Text)  #: staff only
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()

    profile: Mapped[ActivistProfile] = relationship()
    contact: Mapped[Contact | None] = relationship()
    target_organisation: Mapped[Organisation | None] = relationship()
    partner = relationship("User", foreign_keys=[partner_id])
    transitions: Mapped[list[RequestTransition]] = relationship(order_by="RequestTransition.id",
                                                                back_populates="request")
    messages: Mapped[list[RequestMessage]] = relationship(order_by="RequestMessage.id")

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    def __repr__(self) -> str:
        return f"<IntroductionRequest {self.id} {self.state}>"


class RequestTransition(Base):
    """One step of a request: from, to, when, by whom, and why (a reason, never protected text)."""

    __tablename__ = "introduction_transitions"
    __table_args__ = (
        Index("ix_introduction_transitions_request", "request_id", "id"),
        Index("ix_introduction_transitions_partner", "partner_id", "to_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("introduction_requests.id", ondelete="CASCADE"))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The partner concerned (offered to, accepted, declined).
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)

    request: Mapped[IntroductionRequest] = relationship(back_populates="transitions")
    actor = relationship("User", foreign_keys=[actor_id])
    partner = relationship("User", foreign_keys=[partner_id])

    def __repr__(self) -> str:
        return f"<RequestTransition {self.request_id} {self.from_state}->{self.to_state}>"


class RequestMessage(Base):
    """The clarification thread between the activist and the coordinators (partners never read it)."""

    __tablename__ = "introduction_messages"
    __table_args__ = (Index("ix_introduction_messages_request", "request_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("introduction_requests.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()

    author = relationship("User")

    def __repr__(self) -> str:
        return f"<RequestMessage {self.id} on {self.request_id}>"


class Consent(Base):
    """What she allowed to be shared, with whom, when given and withdrawn, recorded by whom."""

    __tablename__ = "activist_consents"
    __table_args__ = (
        Index("ix_activist_consents_request", "request_id", "scope"),
        Index("ix_activist_consents_profile", "profile_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("activist_profiles.id", ondelete="CASCADE"))
    request_id: Mapped[int] = mapped_column(ForeignKey("introduction_requests.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(10))  #: ConsentScope
    grantee_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    grantee_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    given_at: Mapped[datetime] = mapped_column()
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<Consent {self.id} {self.scope} request={self.request_id}>"


class DoorOpener(Base):
    """What matching needs to know about a partner beyond her relationships: languages, countries."""

    __tablename__ = "door_openers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    languages: Mapped[str] = mapped_column(String(60), default="")  #: comma-separated ISO 639 codes
    countries: Mapped[str] = mapped_column(String(120), default="")  #: comma-separated ISO 3166 codes
    updated_at: Mapped[datetime] = mapped_column()

    def __repr__(self) -> str:
        return f"<DoorOpener {self.user_id}>"


class ServiceLevel(Base):
    """How long a request may wait in a state before the people concerned are reminded (set by admins)."""

    __tablename__ = "introduction_service_levels"
    __table_args__ = (CheckConstraint("days BETWEEN 1 AND 365", name="days_range"),)

    state: Mapped[str] = mapped_column(String(20), primary_key=True)
    days: Mapped[int] = mapped_column(SmallInteger)
    updated_at: Mapped[datetime] = mapped_column()
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<ServiceLevel {self.state} {self.days}d>"
