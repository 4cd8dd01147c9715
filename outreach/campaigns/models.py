"""Campaigns, their objectives (with dated values), their targets (with a dated stage history) and the
meetings, commitments and follow-ups that belong to them.

Meetings know nothing of campaigns: the links live here, in association tables this feature owns.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Date, Float, ForeignKey, Index, SmallInteger, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.contacts.models import Contact, Organisation, Tag
from outreach.core.db import Base, version_token


class CampaignStatus(str, enum.Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"


class Stage(str, enum.Enum):
    IDENTIFIED = "identified"
    CONTACTED = "contacted"
    MET = "met"
    COMMITTED = "committed"
    DELIVERED = "delivered"
    DROPPED = "dropped"


#: The pipeline, in order; "dropped" stands outside it.
PIPELINE: tuple[str, ...] = tuple(s.value for s in Stage if s is not Stage.DROPPED)
STAGE_RANK = {stage: i for i, stage in enumerate(PIPELINE)}


class ObjectiveSource(str, enum.Enum):
    MANUAL = "manual"  #: values entered with a dated note
    COMMITMENTS_KEPT = "commitments_kept"  #: commitments kept by this campaign's targets
    TARGETS_COMMITTED = "targets_committed"  #: targets at stage "committed" or beyond
    MEETINGS_HELD = "meetings_held"  #: meetings held with an organisation subtree within the campaign's dates


campaign_tags = Table(
    "campaign_tags",
    Base.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


def _belongs_to_a_campaign(name: str, column: str, table: str) -> Table:
    """Meetings, commitments or follow-ups that belong to a campaign (one campaign each): a table of campaigns'
    own, so that meetings know nothing of campaigns."""
    return Table(name, Base.metadata,
                 Column(column, ForeignKey(f"{table}.id", ondelete="CASCADE"), primary_key=True),
                 Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
                 Index(f"ix_{name}_campaign_id", "campaign_id", column))


campaign_meetings = _belongs_to_a_campaign("campaign_meetings", "meeting_id", "meetings")
campaign_commitments = _belongs_to_a_campaign("campaign_commitments", "commitment_id", "commitments")
campaign_follow_ups = _belongs_to_a_campaign("campaign_follow_ups", "follow_up_id", "follow_ups")


class Campaign(Base):
    """A time-bound effort with a goal, measurable objectives and a pipeline of targets."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        Index("ix_campaigns_status_start", "status", "start_date", "id"),
        Index("ix_campaigns_owner_id", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    goal: Mapped[str] = mapped_column(Text)  #: the goal statement
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=CampaignStatus.DRAFT.value)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()

    owner = relationship("User", foreign_keys=[owner_id])
    tags: Mapped[list[Tag]] = relationship(secondary=campaign_tags, order_by=Tag.name)
    objectives: Mapped[list[Objective]] = relationship(back_populates="campaign", order_by="Objective.id")

    @property
    def is_open(self) -> bool:
        return self.status != CampaignStatus.CLOSED.value

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.name!r} {self.status}>"


class Objective(Base):
    """A measurable objective: a metric moving from a baseline to a target value by a deadline."""

    __tablename__ = "campaign_objectives"
    __table_args__ = (
        Index("ix_campaign_objectives_campaign_id", "campaign_id", "id"),
        Index("ix_campaign_objectives_deadline", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(200))  #: e.g. "Mandates with gender-provision language"
    unit: Mapped[str | None] = mapped_column(String(30))  #: "%", "USD m", "posts"
    baseline: Mapped[float] = mapped_column(Float, default=0)
    target_value: Mapped[float] = mapped_column(Float)
    deadline: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20), default=ObjectiveSource.MANUAL.value)
    #: For a source another feature registers (core/metrics.py): its parameters, "name=value;..." such as
    #: "instrument=12;criterion=participation;at_least=2".
    source_params: Mapped[str | None] = mapped_column(String(200))
    #: For "meetings held": the organisation whose subtree counts.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    is_archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()

    campaign: Mapped[Campaign] = relationship(back_populates="objectives")
    organisation: Mapped[Organisation | None] = relationship()
    values: Mapped[list[ObjectiveValue]] = relationship(
        back_populates="objective", order_by="(ObjectiveValue.as_of, ObjectiveValue.id)", cascade="all, delete-orphan")

    @property
    def is_derived(self) -> bool:
        return self.source != ObjectiveSource.MANUAL.value

    def __repr__(self) -> str:
        return f"<Objective {self.id} {self.metric!r} {self.baseline}->{self.target_value} by {self.deadline}>"


class ObjectiveValue(Base):
    """A dated reading of a manual objective, with a note saying where it comes from."""

    __tablename__ = "campaign_objective_values"
    __table_args__ = (Index("ix_campaign_objective_values_objective", "objective_id", "as_of", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("campaign_objectives.id", ondelete="CASCADE"))
    value: Mapped[float] = mapped_column(Float)
    as_of: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column()

    objective: Mapped[Objective] = relationship(back_populates="values")
    recorded_by = relationship("User")

    def __repr__(self) -> str:
        return f"<ObjectiveValue {self.objective_id} {self.value} on {self.as_of}>"


class Target(Base):
    """A contact or an organisation a campaign sets out to move, at a stage of the pipeline."""

    __tablename__ = "campaign_targets"
    __table_args__ = (
        CheckConstraint("(contact_id IS NULL) <> (organisation_id IS NULL)", name="contact_or_organisation"),
        CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),
        # Unique per campaign (NULLs are distinct, so each index only constrains its own kind).
        Index("uq_campaign_targets_contact", "campaign_id", "contact_id", unique=True),
        Index("uq_campaign_targets_organisation", "campaign_id", "organisation_id", unique=True),
        #: the board's columns and the table's default order, read from the index
        Index("ix_campaign_targets_stage", "campaign_id", "stage", "priority", "id"),
        #: the table's default order (priority), whatever the filters
        Index("ix_campaign_targets_priority", "campaign_id", "priority", "id"),
        Index("ix_campaign_targets_contact_id", "contact_id"),
        Index("ix_campaign_targets_organisation_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(10), default=Stage.IDENTIFIED.value)
    drop_reason: Mapped[str | None] = mapped_column(String(500))
    priority: Mapped[int] = mapped_column(SmallInteger, default=2)  #: 1 high, 2 medium, 3 low
    next_step: Mapped[str | None] = mapped_column(String(300))
    next_step_due: Mapped[date | None] = mapped_column(Date)
    stage_changed_at: Mapped[datetime] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()

    campaign: Mapped[Campaign] = relationship()
    contact: Mapped[Contact | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    assignments: Mapped[list[TargetAssignment]] = relationship(back_populates="target", cascade="all, delete-orphan",
                                                               order_by="TargetAssignment.assigned_at")
    history: Mapped[list[StageChange]] = relationship(order_by="StageChange.id.desc()", cascade="all, delete-orphan")

    @property
    def name(self) -> str:
        if self.contact is not None:
            return self.contact.full_name
        return self.organisation.name if self.organisation is not None else "?"

    @property
    def partner_ids(self) -> list[int]:
        return [a.user_id for a in self.assignments]

    @property
    def partner_names(self) -> list[str]:
        return [a.user.name for a in self.assignments]

    @property
    def version(self) -> str:
        """The version a page shows, sent back with a save so that a save on an older copy is refused."""
        return version_token(self.updated_at)

    def __repr__(self) -> str:
        return f"<Target {self.id} campaign={self.campaign_id} {self.stage}>"


class TargetAssignment(Base):
    """A partner expected to move a target."""

    __tablename__ = "campaign_target_partners"
    __table_args__ = (Index("ix_campaign_target_partners_user", "user_id", "target_id"),)

    target_id: Mapped[int] = mapped_column(ForeignKey("campaign_targets.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    assigned_at: Mapped[datetime] = mapped_column()
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    target: Mapped[Target] = relationship(back_populates="assignments")
    user = relationship("User", foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<TargetAssignment target={self.target_id} user={self.user_id}>"


class StageChange(Base):
    """A dated, attributed move of a target between stages; *source* says whether a person or the data moved it."""

    __tablename__ = "campaign_stage_changes"
    __table_args__ = (
        Index("ix_campaign_stage_changes_target", "target_id", "id"),
        #: the funnel over time and partners' activity, per campaign
        Index("ix_campaign_stage_changes_campaign", "campaign_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("campaign_targets.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    from_stage: Mapped[str | None] = mapped_column(String(10))
    to_stage: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(12), default="manual")  #: manual, meeting, commitment
    #: The meeting or commitment that moved it (source "meeting"/"commitment").
    source_id: Mapped[int | None] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column()
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    changed_by = relationship("User")

    def __repr__(self) -> str:
        return f"<StageChange {self.target_id} {self.from_stage}->{self.to_stage}>"
