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


class CalendarFeed(Base):
    """A subscription URL. Only a hash of its token is kept: the token is shown once."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (Index("ix_calendar_feeds_user_id", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    scope: Mapped[str] = mapped_column(String(20), default=FeedScope.MINE.value)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    include_meetings: Mapped[bool] = mapped_column(default=True)
    include_follow_ups: Mapped[bool] = mapped_column(default=True)
    follow_ups_as: Mapped[str] = mapped_column(String(10), default=FollowUpsAs.TODO.value)
    include_commitments: Mapped[bool] = mapped_column(default=True)  #: deadlines as all-day events
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
    def is_live(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<CalendarFeed {self.id} user={self.user_id} {self.scope} {self.token_hint}>"
