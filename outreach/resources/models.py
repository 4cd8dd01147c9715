"""The practice hub: resources, their vocabularies (topics, audiences), collections, shares and reach."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.contacts.models import Organisation
from outreach.core.db import Base


class ResourceKind(str, enum.Enum):
    TOOLKIT = "toolkit"
    TRAINING = "training_module"
    RESEARCH = "research"
    DATA_SET = "data_set"
    CASE_STORY = "case_story"
    POLICY_BRIEF = "policy_brief"


class ResourceStatus(str, enum.Enum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    RETIRED = "retired"


class EvidenceStrength(str, enum.Enum):
    """How strong the evidence behind a resource is (an ordinal scale)."""

    ANECDOTAL = "anecdotal"
    PRACTICE = "practice_based"
    EMERGING = "emerging"
    STRONG = "strong"


class Topic(Base):
    """A subject of the hub (mediation, peacekeeping, National Action Plans …): data, kept by curators."""

    __tablename__ = "resource_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    is_archived: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<Topic {self.slug}>"


class Audience(Base):
    """Whom a resource is for (ministry staff, mission planners …): data, kept by curators."""

    __tablename__ = "resource_audiences"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    is_archived: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<Audience {self.slug}>"


resource_topic_links = Table(
    "resource_topic_links", Base.metadata,
    Column("resource_id", ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("resource_topics.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_resource_topic_links_topic", "topic_id", "resource_id"),
)

resource_audience_links = Table(
    "resource_audience_links", Base.metadata,
    Column("resource_id", ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True),
    Column("audience_id", ForeignKey("resource_audiences.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_resource_audience_links_audience", "audience_id", "resource_id"),
)


class ResourceLanguage(Base):
    __tablename__ = "resource_languages"
    __table_args__ = (Index("ix_resource_languages_code", "code", "resource_id"),)

    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True)  #: ISO 639-1 ("fr")


class ResourcePlace(Base):
    """A country (ISO 3166-1 alpha-2) or a region ("Sahel", "West Africa") a resource is about."""

    __tablename__ = "resource_places"
    __table_args__ = (Index("ix_resource_places_code", "code", "resource_id"),)

    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(60), primary_key=True)


class Resource(Base):
    """A toolkit, training module, research, data set, case story or policy brief."""

    __tablename__ = "resources"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'in_review', 'published', 'retired')", name="status_known"),
        Index("ix_resources_status_id", "status", "id"),
        Index("ix_resources_submitted_by_id", "submitted_by_id"),
        Index("ix_resources_suggested_by_id", "suggested_by_id"),
        Index("ix_resources_publisher_id", "publisher_id"),
        Index("ix_resources_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(30), default=ResourceKind.TOOLKIT.value)
    publisher_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    url: Mapped[str | None] = mapped_column(String(1000))  #: a link, or an uploaded file (below), or both
    issued_on: Mapped[date | None] = mapped_column(Date)  #: when the publisher issued it
    evidence: Mapped[str | None] = mapped_column(String(20))  #: EvidenceStrength
    status: Mapped[str] = mapped_column(String(20), default=ResourceStatus.DRAFT.value)
    #: Why it was sent back or retired (internal: never on the public pages).
    status_reason: Mapped[str | None] = mapped_column(Text)
    internal_notes: Mapped[str | None] = mapped_column(Text)  #: for the coalition only
    is_demo: Mapped[bool] = mapped_column(default=False)  #: demonstration data, marked as such on every page
    #: Lower-case, accent-free title, summary and publisher; the search index reads it.
    search_text: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The activist who suggested it: used only to tell her when it is published, never shown.
    suggested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: What the hub says about who suggested it: a label, never a name ("a grassroots activist").
    suggested_by_label: Mapped[str | None] = mapped_column(String(120))
    published_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()

    publisher: Mapped[Organisation | None] = relationship(lazy="raise_on_sql")
    topics: Mapped[list[Topic]] = relationship(secondary=resource_topic_links, order_by=Topic.name,
                                               lazy="raise_on_sql")
    audiences: Mapped[list[Audience]] = relationship(secondary=resource_audience_links,
                                                     order_by=Audience.name, lazy="raise_on_sql")
    languages: Mapped[list[ResourceLanguage]] = relationship(cascade="all, delete-orphan", lazy="raise_on_sql",
                                                             order_by=ResourceLanguage.code)
    places: Mapped[list[ResourcePlace]] = relationship(cascade="all, delete-orphan", lazy="raise_on_sql",
                                                       order_by=ResourcePlace.code)
    file: Mapped[ResourceFile | None] = relationship(back_populates="resource", lazy="raise_on_sql",
                                                     cascade="all, delete-orphan", uselist=False)

    @property
    def is_published(self) -> bool:
        return self.status == ResourceStatus.PUBLISHED.value

    def __repr__(self) -> str:
        return f"<Resource {self.id} {self.status}>"


class ResourceFile(Base):
    """An uploaded file, stored under the instance folder by a generated name (never the uploader's)."""

    __tablename__ = "resource_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), unique=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  #: random hex + extension
    #: The name offered on download: cleaned to letters, digits, dots, dashes.
    download_name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column()

    resource: Mapped[Resource] = relationship(back_populates="file")

    def __repr__(self) -> str:
        return f"<ResourceFile {self.id} {self.stored_name}>"


class Collection(Base):
    """A saved selection of resources behind a short, stable link (/c/<slug>)."""

    __tablename__ = "resource_collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)  #: never changes once made
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    is_public: Mapped[bool] = mapped_column(default=True)
    is_archived: Mapped[bool] = mapped_column(default=False)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()

    items: Mapped[list[CollectionItem]] = relationship(cascade="all, delete-orphan", lazy="raise_on_sql",
                                                       order_by="CollectionItem.position")

    def __repr__(self) -> str:
        return f"<Collection {self.slug}>"


class CollectionItem(Base):
    __tablename__ = "resource_collection_items"
    __table_args__ = (Index("ix_resource_collection_items_resource_id", "resource_id"),)

    collection_id: Mapped[int] = mapped_column(ForeignKey("resource_collections.id", ondelete="CASCADE"),
                                               primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    resource: Mapped[Resource] = relationship(lazy="raise_on_sql")


class Share(Base):
    """A resource shared with an attendee of a meeting: so no one sends the same pack twice."""

    __tablename__ = "resource_shares"
    __table_args__ = (
        UniqueConstraint("meeting_id", "resource_id", "contact_id", name="uq_resource_shares_meeting_resource_contact"),
        Index("ix_resource_shares_contact", "contact_id", "shared_on"),
        Index("ix_resource_shares_resource_id", "resource_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    shared_on: Mapped[date] = mapped_column(Date)
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The "send the toolkit" follow-up made with the share, if any.
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("follow_ups.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column()

    resource: Mapped[Resource] = relationship(lazy="raise_on_sql")

    def __repr__(self) -> str:
        return f"<Share {self.resource_id}→{self.contact_id} in {self.meeting_id}>"


class CommitmentEvidence(Base):
    """A resource cited as evidence of a commitment (the data set showing the budget line, the adopted plan).

    Taking it off keeps the row (removed_at, removed_by): nothing a user entered is lost; citing it again
    brings the same row back.
    """

    __tablename__ = "resource_commitment_evidence"
    __table_args__ = (
        UniqueConstraint("commitment_id", "resource_id", name="uq_resource_commitment_evidence_pair"),
        Index("ix_resource_commitment_evidence_resource_id", "resource_id"),  #: "cited as evidence of" a resource
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    note: Mapped[str | None] = mapped_column(String(300))  #: what in the resource shows it, e.g. "table 4, p. 12"
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column()
    removed_at: Mapped[datetime | None] = mapped_column()
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    resource: Mapped[Resource] = relationship(lazy="raise_on_sql")

    def __repr__(self) -> str:
        return (
            f"<CommitmentEvidence {self.resource_id} for {self.commitment_id}{' removed' if self.removed_at else ''}>"
        )


class ReachCount(Base):
    """How often a resource or a collection was opened on a day: a number, nothing about who opened it."""

    __tablename__ = "resource_reach"
    __table_args__ = (
        UniqueConstraint("subject", "subject_id", "day", name="uq_resource_reach_subject_day"),
        CheckConstraint("subject IN ('resource', 'collection')", name="subject_known"),
        Index("ix_resource_reach_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(12))  #: "resource" or "collection"
    subject_id: Mapped[int] = mapped_column()
    day: Mapped[date] = mapped_column(Date)
    opens: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<ReachCount {self.subject}:{self.subject_id} {self.day} {self.opens}>"
