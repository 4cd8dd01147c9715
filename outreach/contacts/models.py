"""The advocacy-target directory: organisations, contacts, positions, and who knows whom."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (CheckConstraint, Column, Date, ForeignKey, Index, SmallInteger, String, Table, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import Base


class OrganisationKind(str, enum.Enum):
    UN_ENTITY = "un_entity"
    UN_PEACE_OPERATION = "un_peace_operation"
    REGIONAL_ORGANISATION = "regional_organisation"
    NATIONAL_GOVERNMENT = "national_government"
    PARLIAMENT = "parliament"
    DONOR_AGENCY = "donor_agency"
    FOUNDATION = "foundation"
    NGO_CSO = "ngo_cso"
    ACADEMIC = "academic"
    MEDIA = "media"
    OTHER = "other"


class Stance(str, enum.Enum):
    CHAMPION = "champion"
    SUPPORTIVE = "supportive"
    NEUTRAL = "neutral"
    SCEPTICAL = "sceptical"
    OPPOSED = "opposed"


class RelationshipKind(str, enum.Enum):
    KNOWS_PERSONALLY = "knows_personally"
    FORMER_COLLEAGUE = "former_colleague"
    MET_ONCE = "met_once"
    OTHER = "other"


organisation_tags = Table(
    "organisation_tags",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

contact_tags = Table(
    "contact_tags",
    Base.metadata,
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(Base):
    """A free label shared by organisations and contacts ("1325 NAP", "budget committee")."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)  #: as first typed; matched case-insensitively
    slug: Mapped[str] = mapped_column(String(60), unique=True)  #: lower-case, accent-free key

    def __repr__(self) -> str:
        return f"<Tag {self.id} {self.name}>"


class Organisation(Base):
    """An office, body or institution; organisations form a tree (UN › DPO › MINUSCA › SRSG office)."""

    __tablename__ = "organisations"
    __table_args__ = (
        Index("ix_organisations_archived_name", "is_archived", "name"),
        Index("ix_organisations_parent_id", "parent_id"),
        Index("ix_organisations_kind", "kind"),
        Index("ix_organisations_country", "country"),
        Index("ix_organisations_region", "region"),
        Index("ix_organisations_merged_into_id", "merged_into_id"),
        Index("ix_organisations_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    acronym: Mapped[str | None] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(30), default=OrganisationKind.OTHER.value)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    country: Mapped[str | None] = mapped_column(String(2))  #: ISO 3166-1 alpha-2
    region: Mapped[str | None] = mapped_column(String(60))
    website: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    #: Lower-case, accent-free name, acronym and tags, kept by the services; the search index reads it.
    search_text: Mapped[str] = mapped_column(Text, default="")
    is_archived: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[datetime | None] = mapped_column()
    #: Set when this record was merged into another; it stays archived for the trail.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    tags: Mapped[list[Tag]] = relationship(secondary=organisation_tags, order_by=Tag.name)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.acronym or self.name}>"


class Contact(Base):
    """A person the coalition lobbies or works with."""

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("influence BETWEEN 1 AND 5", name="influence_range"),
        CheckConstraint("cadence_days IS NULL OR cadence_days > 0", name="cadence_positive"),
        Index("ix_contacts_archived_sort", "is_archived", "last_name", "first_name", "id"),
        # The list's two commonest filters, in the list's order: a page reads ~50 rows, not every match.
        Index("ix_contacts_country_sort", "is_archived", "country", "last_name", "first_name", "id"),
        Index("ix_contacts_stance_sort", "is_archived", "stance", "last_name", "first_name", "id"),
        Index("ix_contacts_last_touch_at", "last_touch_at"),
        Index("ix_contacts_merged_into_id", "merged_into_id"),
        Index("ix_contacts_archived_updated", "is_archived", "updated_at", "id"),
        Index("ix_contacts_influence", "influence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    honorific: Mapped[str | None] = mapped_column(String(40))  #: "H.E.", "Dr.", "Lt. Gen."
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))  #: ISO 3166-1 alpha-2 (nationality or base)
    stance: Mapped[str] = mapped_column(String(20), default=Stance.NEUTRAL.value)
    influence: Mapped[int] = mapped_column(SmallInteger, default=3)  #: 1 (low) to 5 (decisive)
    cadence_days: Mapped[int | None] = mapped_column()  #: contact at least every N days
    private_notes: Mapped[str | None] = mapped_column(Text)  #: never shown to activists
    #: Lower-case, accent-free names, e-mails, titles and tags, kept by the services; the search index reads it.
    search_text: Mapped[str] = mapped_column(Text, default="")
    #: The latest logged interaction (kept by the meetings feature); "going cold" and filters use it.
    last_touch_at: Mapped[datetime | None] = mapped_column()
    is_archived: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[datetime | None] = mapped_column()
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    emails: Mapped[list[ContactEmail]] = relationship(back_populates="contact", cascade="all, delete-orphan",
                                                      order_by="(ContactEmail.is_primary.desc(), ContactEmail.id)")
    phones: Mapped[list[ContactPhone]] = relationship(back_populates="contact", cascade="all, delete-orphan",
                                                      order_by="(ContactPhone.is_primary.desc(), ContactPhone.id)")
    languages: Mapped[list[ContactLanguage]] = relationship(cascade="all, delete-orphan",
                                                            order_by="ContactLanguage.code")
    tags: Mapped[list[Tag]] = relationship(secondary=contact_tags, order_by=Tag.name)
    #: held posts first, each group in `post_recency` order (undated last, on PostgreSQL too)
    positions: Mapped[list[Position]] = relationship(
        back_populates="contact",
        order_by="(Position.end_date.is_(None).desc(), Position.start_date.desc().nulls_last(), Position.id.desc())",
    )

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.honorific, self.first_name, self.last_name) if part)

    @property
    def current_positions(self) -> list[Position]:
        """The posts held now, the current post (see `post_recency`) first."""
        return sorted((p for p in self.positions if p.end_date is None), key=post_recency, reverse=True)

    @property
    def current_position(self) -> Position | None:
        """The contact's current post: of the posts held now, the one begun last (see `post_recency`)."""
        held = self.current_positions
        return held[0] if held else None

    def __repr__(self) -> str:
        return f"<Contact {self.id} {self.first_name} {self.last_name}>"


class ContactEmail(Base):
    __tablename__ = "contact_emails"
    __table_args__ = (UniqueConstraint("contact_id", "email"), Index("ix_contact_emails_email", "email"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))  #: normalised, lower case
    label: Mapped[str | None] = mapped_column(String(30))  #: "work", "personal", "assistant"
    is_primary: Mapped[bool] = mapped_column(default=False)

    contact: Mapped[Contact] = relationship(back_populates="emails")

    def __repr__(self) -> str:
        return f"<ContactEmail {self.email}>"


class ContactPhone(Base):
    __tablename__ = "contact_phones"
    __table_args__ = (UniqueConstraint("contact_id", "number"), Index("ix_contact_phones_number", "number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20))  #: E.164, e.g. +236700000000
    label: Mapped[str | None] = mapped_column(String(30))
    is_primary: Mapped[bool] = mapped_column(default=False)

    contact: Mapped[Contact] = relationship(back_populates="phones")

    def __repr__(self) -> str:
        return f"<ContactPhone {self.number}>"


class ContactLanguage(Base):
    """A language the contact works in (ISO 639-1 or 639-3 code)."""

    __tablename__ = "contact_languages"
    __table_args__ = (Index("ix_contact_languages_code", "code"),)

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(3), primary_key=True)

    def __repr__(self) -> str:
        return f"<ContactLanguage {self.contact_id} {self.code}>"


def post_recency(post: Any) -> tuple[bool, date, int]:
    """The one rule for which held post is a contact's current one: the latest start date, an undated
    post after every dated one, then the post recorded last. Anything with start_date and id sorts by it."""
    return (post.start_date is not None, post.start_date or date.min, post.id or 0)


class Position(Base):
    """A title a contact holds (or held) at an organisation; officials rotate."""

    __tablename__ = "positions"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        Index("ix_positions_contact_id", "contact_id", "end_date"),
        Index("ix_positions_organisation_id", "organisation_id", "end_date"),
        #: who works in an office now, read from the index alone (the contacts of an organisation subtree)
        Index("ix_positions_current", "organisation_id", "contact_id",
              sqlite_where=text("end_date IS NULL"), postgresql_where=text("end_date IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)  #: None while the post is held
    created_at: Mapped[datetime] = mapped_column()

    contact: Mapped[Contact] = relationship(back_populates="positions")
    organisation: Mapped[Organisation] = relationship()

    @property
    def is_current(self) -> bool:
        return self.end_date is None

    def __repr__(self) -> str:
        return f"<Position {self.contact_id}@{self.organisation_id} {self.title}>"


class Relationship(Base):
    """A partner (user) knows a contact: the door they can open."""

    __tablename__ = "relationships"
    __table_args__ = (
        UniqueConstraint("user_id", "contact_id"),
        CheckConstraint("strength BETWEEN 1 AND 5", name="strength_range"),
        Index("ix_relationships_contact_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30), default=RelationshipKind.KNOWS_PERSONALLY.value)
    strength: Mapped[int] = mapped_column(SmallInteger, default=3)  #: self-attested, 1 to 5
    since: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    is_archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()

    contact: Mapped[Contact] = relationship()
    user = relationship("User")

    def __repr__(self) -> str:
        return f"<Relationship user={self.user_id} contact={self.contact_id} {self.kind}>"


class ContactList(Base):
    """A static list of contacts ("Security Council desk officers"), as CiviCRM's groups: members are added by
    hand or in bulk, never by a rule. Archived, never deleted."""

    __tablename__ = "contact_lists"
    __table_args__ = (Index("ix_contact_lists_archived_name", "is_archived", "name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    #: Who looks after the list (who to ask before changing it); any coordinator may change it.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_archived: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()

    owner = relationship("User", foreign_keys=[owner_id])

    def __repr__(self) -> str:
        return f"<ContactList {self.id} {self.name}>"


class ContactListMember(Base):
    """A contact on a list; removing one is recorded in the audit log."""

    __tablename__ = "contact_list_members"
    __table_args__ = (
        #: "the lists this contact is on" (the contact's page); the primary key answers "the members of a list"
        #: and the contact list's filter by list.
        Index("ix_contact_list_members_contact_id", "contact_id"),
    )

    list_id: Mapped[int] = mapped_column(ForeignKey("contact_lists.id", ondelete="CASCADE"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column()
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<ContactListMember list={self.list_id} contact={self.contact_id}>"
