"""Subscription feeds: a user's calendar URL with its scope, contents and privacy mode."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import Base


class FeedScope(str, enum.Enum):
    MINE = "mine"  #: my meetings, follow-ups and commitments
    ORGANISATION = "organisation"  #: everything (managers, admins)
    SUBTREE = "subtree"  #: an organisation and its offices (coordinators, managers, admins)


class FollowUpsAs(str, enum.Enum):
    TODO = "todo"  #: VTODO: a task in the calendar's task list
    EVENT = "event"  #: a 30-minute event at the due time


DEFAULT_INCLUDES = "meetings,follow_ups,commitments"


class CalendarFeed(Base):
    """A subscription URL. Only a hash of its token is kept: the token is shown once."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (Index("ix_calendar_feeds_user_id", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    scope: Mapped[str] = mapped_column(String(20), default=FeedScope.MINE.value)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    #: The record of a scope another feature registered (the campaign of a "campaign" feed).
    scope_record_id: Mapped[int | None] = mapped_column()
    #: The keys of the calendar sources the feed includes, comma-separated in the sources' order:
    #: "meetings,follow_ups,commitments" (commitment deadlines as all-day events), "decisions", ...
    includes: Mapped[str] = mapped_column(String(200), default=DEFAULT_INCLUDES)
    follow_ups_as: Mapped[str] = mapped_column(String(10), default=FollowUpsAs.TODO.value)
    privacy: Mapped[str] = mapped_column(String(10), default="full")  #: full, titles, busy
    #: sha256 of the token, hex. The token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_hint: Mapped[str] = mapped_column(String(12))  #: "ocal_…x7Qz": enough to tell feeds apart
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    user = relationship("User")
    organisation = relationship("Organisation")

    @property
    def include_keys(self) -> frozenset[str]:
        return frozenset(k for k in self.includes.split(",") if k)

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<CalendarFeed {self.id} user={self.user_id} {self.scope} {self.token_hint}>"
