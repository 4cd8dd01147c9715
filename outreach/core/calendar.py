"""The calendar extension point: what a feature puts into downloads and subscription feeds.

`core` cannot import features, and the calendars feature may import only meetings and contacts;
so every feature that has dated things (meetings, follow-ups, commitment deadlines, and later
campaigns, introductions, monitoring's decision dates) registers a `CalendarSource` here at app
set-up. The calendars feature asks every source registered for what a feed includes and turns
the `CalendarItem`s into iCalendar bytes; a source never sees iCalendar.

A source's ``collect(user, query)`` returns the items *user* may see (through the feature's own
permission predicates) for the query's scope and window. A feed stores the keys of the sources it
includes, so a new source joins the feed form without a change to calendars.

Scopes work the same way: besides calendars' own ("mine", "organisation", "subtree"), a feature
registers a `CalendarScope` ("a campaign") saying who may choose it, which records it offers a user,
and how it resolves: to the SELECTs of the record ids it covers per source key ("meetings",
"commitments", "follow_ups"), which those sources then read with their own permission predicates.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from collections.abc import Callable, Iterable

#: Kinds of item: a timed event (start/end instants in a zone), an all-day event (a date), a task.
EVENT = "event"
ALL_DAY = "all_day"
TODO = "todo"


@dataclass(frozen=True)
class CalendarItem:
    """One dated thing, already filtered for the reader; text is plain (the builder escapes it)."""

    uid: str  #: stable across feeds and downloads: "meeting-42@outreach"
    kind: str  #: EVENT, ALL_DAY or TODO
    summary: str
    last_modified: datetime  #: the record's last change (aware UTC): DTSTAMP and LAST-MODIFIED
    sequence: int = 0  #: the record's revision
    start: datetime | None = None  #: EVENT, TODO (its due time)
    end: datetime | None = None
    timezone: str = "UTC"  #: the IANA zone the item happens in
    day: date | None = None  #: ALL_DAY
    location: str | None = None
    description: str | None = None  #: plain text; privacy modes drop it
    url: str | None = None  #: the record's page (sign-in required)
    cancelled: bool = False
    done: bool = False  #: TODO: completed
    categories: tuple[str, ...] = ()
    organiser: str | None = None  #: a display name (never an activist's unless she reads her own feed)
    attendees: tuple[str, ...] = ()  #: display names


@dataclass(frozen=True)
class CalendarQuery:
    """What a download or feed asks the sources for."""

    scope: str  #: "mine", "organisation" (everything), "subtree", "meeting", "meetings", "contact", ...
    start: datetime  #: window start (aware UTC)
    end: datetime  #: window end (aware UTC)
    includes: frozenset[str] = frozenset({"meetings"})  #: which sources: "meetings", "follow_ups", "commitments"...
    params: dict[str, Any] = field(default_factory=dict)  #: scope arguments (organisation_id, filters, ...)
    follow_ups_as: str = TODO  #: TODO or EVENT
    #: The feed's owner reads her own feed: she may be named in it (activists are never named otherwise).
    owner_id: int | None = None
    base_url: str = ""  #: links back to the pages
    #: The privacy mode the items will be written in ("full", "titles", "busy"): a source may skip reading
    #: what the mode leaves out.
    privacy: str = "full"


def anyone(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class CalendarSource:
    key: str  #: matches an entry of CalendarQuery.includes and of a feed's includes
    label: Any  #: a lazy string for the feed form
    collect: Callable[[Any, CalendarQuery], Iterable[CalendarItem]]
    order: int = 50
    #: Scopes this source answers; others get nothing from it. Registered scopes (a campaign) are answered by
    #: the sources their resolution names, whatever this says.
    scopes: frozenset[str] = frozenset({"mine", "organisation", "subtree"})
    #: Whether *user* may include this source in a feed (activists have meetings only, for example).
    may_use: Callable[[Any], bool] = anyone
    #: ``(user, query) -> a value that changes whenever collect's items would``: one aggregate query over the same
    #: rows (how many, which, their latest change), so that an unchanged feed answers 304 without being read and
    #: rendered. None: the feed's ETag falls back to the hash of its bytes.
    fingerprint: Callable[[Any, CalendarQuery], Any] | None = None


_SOURCES: dict[str, CalendarSource] = {}


def register_calendar_source(source: CalendarSource) -> None:
    _SOURCES[source.key] = source


def calendar_sources() -> list[CalendarSource]:
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.key))


def sources_for(user: Any) -> list[CalendarSource]:
    """The sources *user* may put in a feed, in the form's order."""
    return [s for s in calendar_sources() if s.may_use(user)]


@dataclass(frozen=True)
class ScopeRecords:
    """What a registered scope covers for one reader: its name and, per source key, a SELECT of record ids."""

    name: str
    ids: dict[str, Any]


@dataclass(frozen=True)
class CalendarScope:
    key: str  #: stored in a feed's scope: "campaign"
    label: Any  #: the feed form's choice: "A campaign (its meetings, follow-ups and commitment deadlines)"
    record_label: Any  #: the picker's label: "Campaign"
    may_use: Callable[[Any], bool]  #: who may choose the scope at all
    choices: Callable[[Any], list[tuple[int, str]]]  #: the records offered to a user, (id, name)
    #: (user, record id) -> what the scope covers for her, or None when she may not (or no longer) see it.
    resolve: Callable[[Any, int], ScopeRecords | None]
    order: int = 50


_SCOPES: dict[str, CalendarScope] = {}


def register_calendar_scope(scope: CalendarScope) -> None:
    _SCOPES[scope.key] = scope


def calendar_scopes() -> list[CalendarScope]:
    return sorted(_SCOPES.values(), key=lambda s: (s.order, s.key))


def calendar_scope(key: str) -> CalendarScope | None:
    return _SCOPES.get(key)


def _answering(query: CalendarQuery) -> list[CalendarSource]:
    registered = query.scope in _SCOPES
    return [source for source in calendar_sources() if source.key in query.includes
            and ((source.key in query.params.get("ids", {})) if registered else query.scope in source.scopes)]


def fingerprint_items(user: Any, query: CalendarQuery) -> list[tuple[str, Any]] | None:
    """What the sources' fingerprints say of the items collect_items would give (one aggregate query each); None
    when a source answering the query has no fingerprint."""
    prints = []
    for source in _answering(query):
        if source.fingerprint is None:
            return None
        prints.append((source.key, source.fingerprint(user, query)))
    return prints


def collect_items(user: Any, query: CalendarQuery) -> list[CalendarItem]:
    """Every item the registered sources give *user* for *query*, in a stable order.

    For a registered scope, ``query.params["ids"]`` holds its resolution (ScopeRecords.ids): a source answers when
    the resolution names it."""
    items: list[CalendarItem] = []
    for source in _answering(query):
        items.extend(source.collect(user, query))
    return items
