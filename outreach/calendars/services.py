"""Subscription feeds (create, rename, regenerate, revoke, read by token) and the calendars they serve.

Services take the acting user and `now`, flush, and leave the commit to the caller.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from outreach.calendars import ics
from outreach.calendars.models import CalendarFeed, FeedScope, FollowUpsAs
from outreach.calendars.sources import window
from outreach.core.audit import record_event
from outreach.core.auth.models import User
from outreach.core.calendar import EVENT, TODO, CalendarQuery, collect_items
from outreach.core.db import db
from outreach.core.errors import ServiceError
from outreach.core.permissions import Role

#: Feed tokens start with this so that secret scanners (and people) recognise them.
TOKEN_PREFIX = "ocal_"
TOKEN_BYTES = 24  #: 192 bits from the operating system's CSPRNG
MAX_FEEDS_PER_USER = 20
REFRESH = timedelta(hours=1)

#: Who may subscribe to which scope. Losing the role ends the feed.
SCOPE_ROLES: dict[str, frozenset[Role]] = {
    FeedScope.MINE.value: frozenset(Role),
    FeedScope.ORGANISATION.value: frozenset({Role.ADMIN, Role.MANAGER}),
    FeedScope.SUBTREE.value: frozenset({Role.ADMIN, Role.MANAGER, Role.COORDINATOR}),
}


class FeedError(ServiceError):
    """A calendar feed cannot be made as asked; *field* names the form field."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def _hint(token: str) -> str:
    return f"{TOKEN_PREFIX}…{token[-4:]}"


def may_use_scope(user: Any, scope: str) -> bool:
    return Role(user.role) in SCOPE_ROLES.get(scope, frozenset())


@dataclass
class FeedSettings:
    name: str
    scope: str = FeedScope.MINE.value
    organisation_id: int | None = None
    include_meetings: bool = True
    include_follow_ups: bool = True
    follow_ups_as: str = FollowUpsAs.TODO.value
    include_commitments: bool = True
    privacy: str = ics.FULL


def _check(settings: FeedSettings, owner: Any) -> None:
    if not may_use_scope(owner, settings.scope):
        raise FeedError(_l("Your role cannot subscribe to that calendar."), "scope")
    if settings.scope == FeedScope.SUBTREE.value and not settings.organisation_id:
        raise FeedError(_l("Choose the organisation whose calendar this is."), "organisation")
    if settings.privacy not in ics.PRIVACY_MODES:
        raise FeedError(_l("Choose a privacy mode."), "privacy")
    if not (settings.include_meetings or settings.include_follow_ups or settings.include_commitments):
        raise FeedError(_l("Choose at least one thing to include."), "include_meetings")
    if Role(owner.role) == Role.ACTIVIST:  # activists have meetings only
        settings.include_follow_ups = settings.include_commitments = False
        settings.include_meetings = True


def create_feed(settings: FeedSettings, *, actor: Any, now: datetime) -> tuple[CalendarFeed, str]:
    """Create a feed for *actor*; return it and its token (shown once, never stored)."""
    _check(settings, actor)
    live = db.session.scalar(select(func.count()).select_from(CalendarFeed).where(
        CalendarFeed.user_id == actor.id, CalendarFeed.revoked_at.is_(None))) or 0
    if live >= MAX_FEEDS_PER_USER:
        raise FeedError(_l("You have %(n)s calendar feeds; revoke one before adding another.", n=live))
    token = new_token()
    feed = CalendarFeed(user_id=actor.id, name=settings.name, scope=settings.scope,
                        organisation_id=settings.organisation_id if settings.scope == FeedScope.SUBTREE.value else None,
                        include_meetings=settings.include_meetings, include_follow_ups=settings.include_follow_ups,
                        follow_ups_as=settings.follow_ups_as, include_commitments=settings.include_commitments,
                        privacy=settings.privacy, token_hash=hash_token(token), token_hint=_hint(token),
                        created_at=now, updated_at=now)
    db.session.add(feed)
    db.session.flush()
    record_event("calendar_feed.create", actor=actor, now=now, record_type="calendar_feeds", record_id=feed.id,
                 scope=feed.scope, privacy=feed.privacy)
    return feed, token


def rename_feed(feed: CalendarFeed, name: str, *, actor: Any, now: datetime) -> None:
    feed.name = name
    feed.updated_at = now
    db.session.flush()


def regenerate_feed(feed: CalendarFeed, *, actor: Any, now: datetime) -> str:
    """Give the feed a new token: the old URL stops working at once."""
    token = new_token()
    feed.token_hash = hash_token(token)
    feed.token_hint = _hint(token)
    feed.updated_at = now
    db.session.flush()
    record_event("calendar_feed.regenerate", actor=actor, now=now, record_type="calendar_feeds", record_id=feed.id)
    return token


def revoke_feed(feed: CalendarFeed, *, actor: Any, now: datetime) -> None:
    if feed.revoked_at is None:
        feed.revoked_at = now
        feed.updated_at = now
        db.session.flush()
        record_event("calendar_feed.revoke", actor=actor, now=now, record_type="calendar_feeds", record_id=feed.id)


def revoke_feeds_of(user: Any, *, now: datetime, keep_allowed: bool) -> int:
    """End *user*'s feeds (all of them, or those whose scope their role no longer allows)."""
    scopes = [s for s in SCOPE_ROLES if not (keep_allowed and may_use_scope(user, s))]
    if not scopes:
        return 0
    result = db.session.execute(update(CalendarFeed).where(
        CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None), CalendarFeed.scope.in_(scopes))
        .values(revoked_at=now, updated_at=now).execution_options(synchronize_session=False))
    return result.rowcount or 0


def my_feeds(user: Any) -> list[CalendarFeed]:
    return list(db.session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user.id,
                                                              CalendarFeed.revoked_at.is_(None))
                                   .order_by(CalendarFeed.id)))


def get_own_feed(feed_id: int, user: Any) -> CalendarFeed | None:
    """The user's own live feed, or None (someone else's feed is as good as absent)."""
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.id == feed_id, CalendarFeed.user_id == user.id,
                                                        CalendarFeed.revoked_at.is_(None)))


def feed_for_token(token: str) -> tuple[CalendarFeed, User] | None:
    """The live feed a token opens, with its owner, if the owner is active and may still use its scope."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    digest = hash_token(token)
    row = db.session.execute(select(CalendarFeed, User).join(User, User.id == CalendarFeed.user_id)
                             .where(CalendarFeed.token_hash == digest)).first()
    if row is None:
        return None
    feed, owner = row
    # The index found it; compare in constant time anyway.
    if not hmac.compare_digest(feed.token_hash, digest) or feed.revoked_at is not None:
        return None
    if not owner.is_active_account or not may_use_scope(owner, feed.scope):
        return None
    return feed, owner


def feed_query(feed: CalendarFeed, owner: Any, *, now: datetime, base_url: str, past_days: int,
               future_days: int) -> CalendarQuery:
    start, end = window(now, past_days=past_days, future_days=future_days)
    includes = {name for name, on in (("meetings", feed.include_meetings), ("follow_ups", feed.include_follow_ups),
                                      ("commitments", feed.include_commitments)) if on}
    return CalendarQuery(scope=feed.scope, start=start, end=end, includes=frozenset(includes),
                         params={"organisation_id": feed.organisation_id, "zone": owner.timezone},
                         follow_ups_as=EVENT if feed.follow_ups_as == FollowUpsAs.EVENT.value else TODO,
                         owner_id=owner.id, base_url=base_url, privacy=feed.privacy)


def render_feed(feed: CalendarFeed, owner: Any, *, now: datetime, base_url: str, past_days: int,
                future_days: int) -> bytes:
    query = feed_query(feed, owner, now=now, base_url=base_url, past_days=past_days, future_days=future_days)
    items = collect_items(owner, query)
    meta = ics.CalendarMeta(name=feed.name, uid=f"feed-{feed.id}@outreach", refresh=REFRESH, privacy=feed.privacy,
                            description="Outreach")
    return ics.build_calendar(items, meta)


def render_download(user: Any, query: CalendarQuery, *, name: str) -> tuple[bytes, int]:
    """A one-off download (METHOD:PUBLISH); returns the bytes and how many items it holds."""
    items = collect_items(user, query)
    return ics.build_calendar(items, ics.CalendarMeta(name=name, method="PUBLISH")), len(items)
