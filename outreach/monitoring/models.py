"""Instruments the coalition watches, their versions over time, assessments, money and key posts."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (CheckConstraint, Date, ForeignKey, Index, Numeric, SmallInteger, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import Base


class InstrumentKind(str, enum.Enum):
    MANDATE = "mandate"  #: a peace operation's mandate (UN Security Council, AU PSC, ECOWAS…)
    NEGOTIATION = "negotiation"  #: a peace process or negotiation
    NATIONAL_ACTION_PLAN = "national_action_plan"  #: a UNSCR 1325 National Action Plan
    LAW = "law"  #: e.g. the US Women, Peace and Security Act of 2017
    IMPLEMENTATION_PLAN = "implementation_plan"  #: an agency's plan implementing a law
    BUDGET_LINE = "budget_line"  #: a donor's budget line


class DecisionKind(str, enum.Enum):
    RENEWAL = "renewal"
    REVIEW = "review"
    EXPIRY = "expiry"


class FundingKind(str, enum.Enum):
    REQUIRED = "required"
    ALLOCATED = "allocated"
    SPENT = "spent"


class LinkKind(str, enum.Enum):
    MEETING = "meeting"
    COMMITMENT = "commitment"


#: The ordinal scale of an assessment, weakest first.
RATINGS = (0, 1, 2, 3)


class Criterion(Base):
    """Something the coalition presses for in every instrument ("participation"); a data list admins extend."""

    __tablename__ = "monitoring_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)  #: stable, lower-case; used in filters and exports
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(SmallInteger, default=100)  #: order of the watchlist's columns
    is_archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column()

    def __repr__(self) -> str:
        return f"<Criterion {self.id} {self.key}>"


class Instrument(Base):
    """A tracked mandate, negotiation, National Action Plan, law, implementation plan or budget line."""

    __tablename__ = "instruments"
    __table_args__ = (
        Index("ix_instruments_watchlist", "is_archived", "next_decision_on", "id"),
        Index("ix_instruments_expiry", "is_archived", "expires_on"),  #: expiries in calendars
        Index("ix_instruments_kind", "kind"),
        Index("ix_instruments_region", "region"),
        Index("ix_instruments_body_id", "body_id"),
        CheckConstraint("expires_on IS NULL OR adopted_on IS NULL OR expires_on >= adopted_on",
                        name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str | None] = mapped_column(String(60))  #: "MINUSCA mandate", "Nigeria NAP II"
    #: The body responsible: an organisation of the directory (the Security Council, a ministry, a donor).
    body_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    #: ISO 3166-1 alpha-2 codes, comma-separated, for the countries covered.
    countries: Mapped[str] = mapped_column(String(400), default="")
    region: Mapped[str | None] = mapped_column(String(60))
    summary: Mapped[str | None] = mapped_column(Text)
    documents: Mapped[str] = mapped_column(Text, default="")  #: links to its documents, one per line
    adopted_on: Mapped[date | None] = mapped_column(Date)
    next_decision_on: Mapped[date | None] = mapped_column(Date)  #: next renewal or review
    next_decision_kind: Mapped[str] = mapped_column(String(10), default=DecisionKind.RENEWAL.value)
    expires_on: Mapped[date | None] = mapped_column(Date)
    #: Days before the next decision when followers are reminded, comma-separated ("90,30,7").
    reminder_days: Mapped[str] = mapped_column(String(60), default="90,30,7")
    #: Kept by the services: the newest version and the one before it, so the watchlist reads ratings directly.
    latest_version_id: Mapped[int | None] = mapped_column()
    previous_version_id: Mapped[int | None] = mapped_column()
    #: An admin may publish a summary to the public directory (what activists may read).
    is_public: Mapped[bool] = mapped_column(default=False)
    public_summary: Mapped[str | None] = mapped_column(Text)
    is_archived: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[datetime | None] = mapped_column()
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    body = relationship("Organisation", foreign_keys=[body_id])
    latest_version: Mapped[InstrumentVersion | None] = relationship(
        primaryjoin="foreign(Instrument.latest_version_id) == InstrumentVersion.id", viewonly=True)

    @property
    def country_codes(self) -> list[str]:
        return [c for c in self.countries.split(",") if c]

    @property
    def document_links(self) -> list[str]:
        return [line for line in self.documents.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<Instrument {self.id} {self.short_name or self.title}>"


class InstrumentVersion(Base):
    """One edition of an instrument: a renewal resolution, a revised plan, a new budget year."""

    __tablename__ = "instrument_versions"
    __table_args__ = (Index("ix_instrument_versions_instrument", "instrument_id", "effective_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id", ondelete="CASCADE"))
    effective_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(120))  #: "S/RES/2709 (2023)"
    source_url: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by = relationship("User", foreign_keys=[created_by_id])

    def __repr__(self) -> str:
        return f"<InstrumentVersion {self.id} {self.reference}>"


class Assessment(Base):
    """A rating of one version against one criterion, with its evidence. Re-rating keeps the old row."""

    __tablename__ = "instrument_assessments"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 0 AND 3", name="rating_range"),
        Index("ix_instrument_assessments_version", "version_id", "criterion_id", "is_current"),
        Index("ix_instrument_assessments_criterion", "criterion_id", "rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("instrument_versions.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("monitoring_criteria.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(SmallInteger)  #: 0 absent, 1 weak, 2 adequate, 3 strong
    evidence_quote: Mapped[str | None] = mapped_column(Text)
    evidence_page: Mapped[str | None] = mapped_column(String(40))
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    is_current: Mapped[bool] = mapped_column(default=True)  #: False once someone rated it again
    assessed_at: Mapped[datetime] = mapped_column()
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    criterion: Mapped[Criterion] = relationship()
    assessed_by = relationship("User", foreign_keys=[assessed_by_id])

    def __repr__(self) -> str:
        return f"<Assessment {self.id} v{self.version_id} c{self.criterion_id}={self.rating}>"


class Funding(Base):
    """An amount for one year: required, allocated or spent, in one currency, with its source."""

    __tablename__ = "instrument_funding"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_positive"),
        CheckConstraint("year BETWEEN 1945 AND 2200", name="year_range"),
        Index("ix_instrument_funding_instrument", "instrument_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))  #: ISO 4217
    source: Mapped[str | None] = mapped_column(String(300))
    source_url: Mapped[str | None] = mapped_column(String(500))
    is_archived: Mapped[bool] = mapped_column(default=False)  #: withdrawn entries stay, hidden
    created_at: Mapped[datetime] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<Funding {self.id} {self.year} {self.kind} {self.amount} {self.currency}>"


class KeyPost(Base):
    """A post that matters for an instrument: held by whoever holds that title at that organisation now."""

    __tablename__ = "instrument_key_posts"
    __table_args__ = (UniqueConstraint("instrument_id", "organisation_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(
        String(200)
    )  #: as in positions: "Special Representative of the Secretary-General"
    created_at: Mapped[datetime] = mapped_column()

    organisation = relationship("Organisation", foreign_keys=[organisation_id])

    def __repr__(self) -> str:
        return f"<KeyPost {self.id} {self.title}>"


class InstrumentFollower(Base):
    """A coordinator (or manager) who follows an instrument and is reminded before its decisions."""

    __tablename__ = "instrument_followers"

    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column()

    def __repr__(self) -> str:
        return f"<InstrumentFollower {self.instrument_id}:{self.user_id}>"


class InstrumentLink(Base):
    """Advocacy work that concerns an instrument: a meeting or a commitment."""

    __tablename__ = "instrument_links"
    __table_args__ = (
        CheckConstraint("(meeting_id IS NULL) <> (commitment_id IS NULL)", name="one_record"),
        Index("ix_instrument_links_instrument", "instrument_id", "id"),
        Index("uq_instrument_links_meeting", "instrument_id", "meeting_id", unique=True,
              sqlite_where=text("meeting_id IS NOT NULL"), postgresql_where=text("meeting_id IS NOT NULL")),
        Index("uq_instrument_links_commitment", "instrument_id", "commitment_id", unique=True,
              sqlite_where=text("commitment_id IS NOT NULL"), postgresql_where=text("commitment_id IS NOT NULL")),
        Index("ix_instrument_links_meeting_id", "meeting_id"),
        Index("ix_instrument_links_commitment_id", "commitment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    linked_at: Mapped[datetime] = mapped_column()
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    instrument: Mapped[Instrument] = relationship()

    def __repr__(self) -> str:
        return f"<InstrumentLink {self.id} i{self.instrument_id} m{self.meeting_id} c{self.commitment_id}>"
