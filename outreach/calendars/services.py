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
from outreach.core.calendar import (EVENT, TODO, CalendarQuery, ScopeRecords, calendar_scope, calendar_scopes,
                                   collect_items, fingerprint_items, sources_for)
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
    registered = calendar_scope(scope)
    if registered is not None:
        return registered.may_use(user)
    return Role(user.role) in SCOPE_ROLES.get(scope, frozenset())


def all_scopes() -> list[str]:
    return list(SCOPE_ROLES) + [s.key for s in calendar_scopes()]


def include_keys(user: Any, wanted: Any) -> list[str]:
    """The sources of *wanted* that *user* may include, in the sources' order."""
    return [s.key for s in sources_for(user) if s.key in wanted]


def resolve_scope(user: Any, scope: str, record_id: int | None) -> ScopeRecords | None:
    """What a registered scope's record covers for *user*; None when she may not (or no longer) see it."""
    registered = calendar_scope(scope)
    if registered is None or record_id is None or not registered.may_use(user):
        return None
    return registered.resolve(user, record_id)


@dataclass
class FeedSettings:
    name: str
    scope: str = FeedScope.MINE.value
    organisation_id: int | None = None
    #: The keys of the sources to include; the default is calendars' own three.
    includes: tuple[str, ...] = ("meetings", "follow_ups", "commitments")
    follow_ups_as: str = FollowUpsAs.TODO.value
    privacy: str = ics.FULL
    scope_record_id: int | None = None  #: the record of a registered scope (a campaign)


def _check(settings: FeedSettings, owner: Any) -> None:
    if not may_use_scope(owner, settings.scope):
        raise FeedError(_l("Your role cannot subscribe to that calendar."), "scope")
    if settings.scope == FeedScope.SUBTREE.value and not settings.organisation_id:
        raise FeedError(_l("Choose the organisation whose calendar this is."), "organisation")
    if calendar_scope(settings.scope) is not None and resolve_scope(owner, settings.scope,
                                                                   settings.scope_record_id) is None:
        raise FeedError(_l("Choose one of the records offered."), "scope_record")
    if settings.privacy not in ics.PRIVACY_MODES:
        raise FeedError(_l("Choose a privacy mode."), "privacy")
    allowed = include_keys(owner, settings.includes)
    if len(allowed) != len(set(settings.includes)):
        raise FeedError(_l("Choose what to include from the list."), "includes")
    if not allowed:
        raise FeedError(_l("Choose at least one thing to include."), "includes")
    settings.includes = tuple(allowed)


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
                        scope_record_id=settings.scope_record_id if calendar_scope(settings.scope) else None,
                        includes=",".join(settings.includes), follow_ups_as=settings.follow_ups_as,
                        privacy=settings.privacy, token_hash=hash_token(token), token_hint=_hint(token),
                        created_at=now, updated_at=now)
    db.session.add(feed)
    db.session.flush()
    record_event("calendar_feed.create", actor=actor, now=now, record_type="calendar_feeds", record_id=feed.id,
                 scope=feed.scope, privacy=feed.privacy, includes=feed.includes)
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
    scopes = [s for s in all_scopes() if not (keep_allowed and may_use_scope(user, s))]
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


def feed_records(feed: CalendarFeed, owner: Any) -> ScopeRecords | None | bool:
    """For a feed of a registered scope, what its record covers for the owner now (None: she may no longer see
    it, and the feed answers as a revoked one does); True for calendars' own scopes."""
    if calendar_scope(feed.scope) is None:
        return True
    return resolve_scope(owner, feed.scope, feed.scope_record_id)


def feed_query(feed: CalendarFeed, owner: Any, *, now: datetime, base_url: str, past_days: int,
               future_days: int, records: ScopeRecords | None = None) -> CalendarQuery:
    start, end = window(now, past_days=past_days, future_days=future_days)
    # What the owner may no longer include (her role changed) drops out.
    includes = include_keys(owner, feed.include_keys)
    params: dict[str, Any] = {"organisation_id": feed.organisation_id, "zone": owner.timezone}
    if records is not None:
        params["ids"] = records.ids
    return CalendarQuery(scope=feed.scope, start=start, end=end, includes=frozenset(includes), params=params,
                         follow_ups_as=EVENT if feed.follow_ups_as == FollowUpsAs.EVENT.value else TODO,
                         owner_id=owner.id, base_url=base_url, privacy=feed.privacy)


def feed_meta(feed: CalendarFeed) -> ics.CalendarMeta:
    return ics.CalendarMeta(name=feed.name, uid=f"feed-{feed.id}@outreach", refresh=REFRESH, privacy=feed.privacy,
                            description="Outreach")


def feed_etag(feed: CalendarFeed, owner: Any, query: CalendarQuery) -> str | None:
    """The feed's ETag without reading or rendering its items: the sources' fingerprints (one aggregate query each)
    with everything else the bytes depend on (the feed's settings, its owner, the window, the links' base). It
    changes whenever the body would; None when a source has no fingerprint (the ETag is then the body's hash)."""
    prints = fingerprint_items(owner, query)
    if prints is None:
        return None
    meta = feed_meta(feed)
    key = (ics.FORMAT, meta.name, meta.uid, meta.privacy, feed.scope, feed.scope_record_id, query.scope,
           query.start.isoformat(), query.end.isoformat(), sorted(query.includes), query.follow_ups_as,
           query.params.get("organisation_id"), query.params.get("zone"), query.owner_id, owner.role, query.base_url,
           prints)
    return "f" + hashlib.sha256(repr(key).encode("utf-8")).hexdigest()[:31]


def render_feed(feed: CalendarFeed, owner: Any, query: CalendarQuery) -> bytes:
    """The feed's calendar for *query* (feed_query)."""
    return ics.build_calendar(collect_items(owner, query), feed_meta(feed))


def render_download(user: Any, query: CalendarQuery, *, name: str) -> tuple[bytes, int]:
    """A one-off download (METHOD:PUBLISH); returns the bytes and how many items it holds."""
    items = collect_items(user, query)
    return ics.build_calendar(items, ics.CalendarMeta(name=name, method="PUBLISH")), len(items)
