"""Monitoring's decision dates in calendars: each active instrument's next renewal or review and its expiry, as
all-day events linking to the instrument's page. Registered through core's calendar extension point (calendars
may not import monitoring). "Mine" holds the instruments the reader follows; "organisation" every active one.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from outreach.core.calendar import ALL_DAY, CalendarItem, CalendarQuery, CalendarSource, register_calendar_source
from outreach.core.db import db
from outreach.core.permissions import STAFF, Role
from outreach.monitoring.models import DecisionKind, Instrument, InstrumentFollower

UID_DOMAIN = "outreach"
DECISION_WORDS = {DecisionKind.RENEWAL.value: "Renewal", DecisionKind.REVIEW.value: "Review",
                  DecisionKind.EXPIRY.value: "Expiry"}
_COLUMNS = (Instrument.id, Instrument.title, Instrument.short_name, Instrument.next_decision_kind, Instrument.revision,
            Instrument.updated_at)


def may_follow_decisions(user: Any) -> bool:
    """Those who follow instruments (coordinators, managers, admins) may put their decision dates in a feed."""
    return Role(user.role) in STAFF


def _scoped(statement: Any, user: Any, query: CalendarQuery) -> Any:
    statement = statement.where(Instrument.is_archived.is_(False))
    if query.scope == "mine":
        statement = statement.where(Instrument.id.in_(
            select(InstrumentFollower.instrument_id).where(InstrumentFollower.user_id == user.id)))
    return statement


def collect_decisions(user: Any, query: CalendarQuery) -> Iterable[CalendarItem]:
    """The next decisions and expiries in the query's window: two indexed range queries, however many."""
    if not may_follow_decisions(user):
        return []
    start, end = query.start.date(), query.end.date()
    rows = [(row, "next", row.next_decision_on) for row in db.session.execute(_scoped(
        select(*_COLUMNS, Instrument.next_decision_on), user, query).where(
        Instrument.next_decision_on >= start, Instrument.next_decision_on < end))]
    rows += [(row, "expiry", row.expires_on) for row in db.session.execute(_scoped(
        select(*_COLUMNS, Instrument.expires_on), user, query).where(
        Instrument.expires_on >= start, Instrument.expires_on < end))]
    rows.sort(key=lambda r: (r[2], r[0].id, r[1]))
    items = []
    for row, which, day in rows:
        kind = DecisionKind.EXPIRY.value if which == "expiry" else row.next_decision_kind
        name = row.short_name or row.title
        items.append(CalendarItem(
            # One UID per instrument and kind of date: when a renewal moves, clients move the event.
            uid=f"instrument-{row.id}-{which}@{UID_DOMAIN}", kind=ALL_DAY,
            summary=f"{DECISION_WORDS.get(kind, kind.title())}: {name}", last_modified=row.updated_at,
            sequence=row.revision, day=day, description=row.title if row.short_name else None,
            url=f"{query.base_url}/monitoring/instruments/{row.id}", categories=("decision",)))
    return items


def fingerprint_decisions(user: Any, query: CalendarQuery) -> tuple[Any, ...]:
    """Changes whenever collect_decisions' items would: which instruments have a date in the window (how many,
    their ids), their revisions, last changes and names. Two aggregate queries."""
    if not may_follow_decisions(user):
        return ()
    start, end = query.start.date(), query.end.date()
    prints: tuple[Any, ...] = ()
    for day in (Instrument.next_decision_on, Instrument.expires_on):
        prints += tuple(db.session.execute(_scoped(select(
            func.count(Instrument.id), func.sum(Instrument.id), func.sum(Instrument.revision),
            func.max(Instrument.updated_at), func.sum(func.length(Instrument.title)),
            func.sum(func.length(Instrument.short_name)), func.sum(func.length(Instrument.next_decision_kind))),
            user, query).where(day >= start, day < end)).one())
    return prints


def register_calendar() -> None:
    register_calendar_source(CalendarSource(
        "decisions", _l("Decision dates of instruments (renewals, reviews, expiries; all-day)"), collect_decisions,
        order=40, scopes=frozenset({"mine", "organisation"}), may_use=may_follow_decisions,
        fingerprint=fingerprint_decisions))
