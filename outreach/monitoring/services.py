"""The rules of monitoring: instruments, versions, assessments, money, key posts, followers, linked work.

Services take the acting user and `now`, flush, and leave the commit to the caller.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry
from sqlalchemy import select, update

from outreach.core.audit import record_event
from outreach.core.db import db
from outreach.core.errors import ServiceError
from outreach.core.text import has_control_characters
from outreach.monitoring.models import (RATINGS, Assessment, Criterion, DecisionKind, Funding, FundingKind, Instrument,
                                        InstrumentFollower, InstrumentKind, InstrumentLink, InstrumentVersion, KeyPost)

MAX_TITLE = 300
MAX_TEXT = 20_000
MAX_URL = 500
#: Dates outside this range are typing mistakes (year 0001 or 9999), not decisions.
EARLIEST, LATEST = date(1945, 1, 1), date(2200, 12, 31)
MAX_AMOUNT = Decimal("9999999999999999.99")
_KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class MonitoringError(ServiceError):
    """A rule of monitoring was broken; *field* names the form field to show the message on."""


# --- checks shared by every service ----------------------------------------------------------

def _text(value: Any, field: str, *, limit: int, required: bool = False) -> str | None:
    text = (value or "").strip() if isinstance(value, str) else ("" if value is None else str(value))
    if has_control_characters(text, multiline=True):
        raise MonitoringError("Remove the control characters from this field.", field)
    if len(text) > limit:
        raise MonitoringError(f"Keep this under {limit} characters.", field)
    if required and not text:
        raise MonitoringError("This field is required.", field)
    return text or None


def _url(value: Any, field: str) -> str | None:
    url = _text(value, field, limit=MAX_URL)
    if url and not re.match(r"^https?://[^\s/]+\S*$", url, re.I):
        raise MonitoringError("Give a web address starting with http:// or https://.", field)
    return url


def _date(value: Any, field: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, date) or not EARLIEST <= value <= LATEST:
        raise MonitoringError("Give a date between 1945 and 2200.", field)
    return value


def countries_from(value: Any) -> str:
    """ISO alpha-2 codes from a list or a comma-separated string, checked, de-duplicated, in order."""
    items = value if isinstance(value, (list, tuple)) else str(value or "").replace(";", ",").split(",")
    codes: list[str] = []
    for item in items:
        code = str(item).strip().upper()
        if not code:
            continue
        if pycountry.countries.get(alpha_2=code) is None:
            raise MonitoringError(f"“{code[:12]}” is not a country code (ISO 3166, e.g. CF, CD, SS).", "countries")
        if code not in codes:
            codes.append(code)
    return ",".join(codes)


def reminder_days_from(value: Any) -> str:
    days: set[int] = set()
    for part in str(value or "").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isascii() or not part.isdigit() or not 0 <= int(part) <= 366:
            raise MonitoringError("Give days before the decision as whole numbers from 0 to 366, e.g. 90, 30, 7.",
                                  "reminder_days")
        days.add(int(part))
    return ",".join(str(d) for d in sorted(days, reverse=True))


def _check_dates(adopted: date | None, decision: date | None, expires: date | None) -> None:
    if adopted and expires and expires < adopted:
        raise MonitoringError("The expiry date is before the adoption date.", "expires_on")
    if adopted and decision and decision < adopted:
        raise MonitoringError("The next renewal or review is before the adoption date.", "next_decision_on")


# --- instruments -----------------------------------------------------------------------------

INSTRUMENT_FIELDS = ("kind", "title", "short_name", "body_id", "countries", "region", "summary", "documents",
                     "adopted_on", "next_decision_on", "next_decision_kind", "expires_on", "reminder_days")


def _instrument_values(data: dict[str, Any]) -> dict[str, Any]:
    kinds = {k.value for k in InstrumentKind}
    if data.get("kind") not in kinds:
        raise MonitoringError("Choose what kind of instrument this is.", "kind")
    if (data.get("next_decision_kind") or DecisionKind.RENEWAL.value) not in {k.value for k in DecisionKind}:
        raise MonitoringError("Choose renewal, review or expiry.", "next_decision_kind")
    documents = [line.strip() for line in str(data.get("documents") or "").splitlines() if line.strip()]
    for line in documents:
        _url(line, "documents")
    values = {
        "kind": data["kind"],
        "title": _text(data.get("title"), "title", limit=MAX_TITLE, required=True),
        "short_name": _text(data.get("short_name"), "short_name", limit=60),
        "body_id": data.get("body_id") or None,
        "countries": countries_from(data.get("countries")),
        "region": _text(data.get("region"), "region", limit=60),
        "summary": _text(data.get("summary"), "summary", limit=MAX_TEXT),
        "documents": "\n".join(documents),
        "adopted_on": _date(data.get("adopted_on"), "adopted_on"),
        "next_decision_on": _date(data.get("next_decision_on"), "next_decision_on"),
        "next_decision_kind": data.get("next_decision_kind") or DecisionKind.RENEWAL.value,
        "expires_on": _date(data.get("expires_on"), "expires_on"),
        "reminder_days": reminder_days_from(data.get("reminder_days", "90,30,7")),
    }
    _check_dates(values["adopted_on"], values["next_decision_on"], values["expires_on"])
    if values["body_id"] is not None:
        from outreach.contacts.models import Organisation

        if db.session.get(Organisation, values["body_id"]) is None:
            raise MonitoringError("Choose the responsible body from the directory.", "body_id")
    return values


def create_instrument(data: dict[str, Any], *, actor: Any, now: datetime, ip: str | None = None) -> Instrument:
    """Start tracking an instrument."""
    instrument = Instrument(**_instrument_values(data), created_at=now, updated_at=now,
                            created_by_id=getattr(actor, "id", None))
    db.session.add(instrument)
    db.session.flush()
    record_event("instrument.create", actor=actor, now=now, record=instrument, ip=ip, kind=instrument.kind)
    return instrument


def update_instrument(instrument: Instrument, data: dict[str, Any], *, expected_revision: int | None, actor: Any,
                      now: datetime, ip: str | None = None) -> list[str]:
    """Change an instrument's facts; refuse when someone else saved it since the form was opened."""
    if expected_revision is not None and expected_revision != instrument.revision:
        raise MonitoringError("Someone changed this instrument since you opened it. Reload it and try again.")
    values = _instrument_values(data)
    changed = [name for name, value in values.items() if getattr(instrument, name) != value]
    if not changed:
        return []
    stamp = db.session.execute(
        update(Instrument).where(Instrument.id == instrument.id, Instrument.revision == instrument.revision)
        .values(**values, revision=instrument.revision + 1, updated_at=now)
        .execution_options(synchronize_session=False))
    if stamp.rowcount != 1:
        raise MonitoringError("Someone changed this instrument since you opened it. Reload it and try again.")
    db.session.expire(instrument)
    record_event("instrument.update", actor=actor, now=now, record=instrument, ip=ip, fields=changed)
    return changed


def set_archived(instrument: Instrument, archived: bool, *, actor: Any, now: datetime, ip: str | None = None) -> None:
    """Archive an instrument (kept, hidden from the watchlist) or bring it back."""
    if instrument.is_archived == archived:
        return
    instrument.is_archived = archived
    instrument.archived_at = now if archived else None
    instrument.updated_at = now
    instrument.revision += 1
    record_event("instrument.archive" if archived else "instrument.restore", actor=actor, now=now,
                 record=instrument, ip=ip)


def publish_summary(instrument: Instrument, summary: str | None, *, actor: Any, now: datetime,
                    ip: str | None = None) -> None:
    """Publish (or, with no text, withdraw) the instrument's summary in the public directory."""
    text = _text(summary, "public_summary", limit=4000)
    instrument.public_summary = text
    instrument.is_public = text is not None
    instrument.updated_at = now
    record_event("instrument.publish" if text else "instrument.unpublish", actor=actor, now=now, record=instrument,
                 ip=ip)


# --- versions and assessments ----------------------------------------------------------------

def refresh_version_pointers(instrument_id: int) -> None:
    """Point the instrument at its newest version and the one before, by date then entry order."""
    ids = db.session.scalars(
        select(InstrumentVersion.id).where(InstrumentVersion.instrument_id == instrument_id)
        .order_by(InstrumentVersion.effective_on.desc(), InstrumentVersion.id.desc()).limit(2)).all()
    db.session.execute(update(Instrument).where(Instrument.id == instrument_id).values(
        latest_version_id=ids[0] if ids else None, previous_version_id=ids[1] if len(ids) > 1 else None)
        .execution_options(synchronize_session=False))


def add_version(instrument: Instrument, data: dict[str, Any], *, actor: Any, now: datetime,
                ip: str | None = None) -> InstrumentVersion:
    """Record a renewal or new edition of *instrument*."""
    effective = _date(data.get("effective_on"), "effective_on")
    if effective is None:
        raise MonitoringError("Give the date this version was adopted.", "effective_on")
    if instrument.adopted_on and effective < instrument.adopted_on:
        raise MonitoringError("This version is dated before the instrument was first adopted.", "effective_on")
    reference = _text(data.get("reference"), "reference", limit=120, required=True)
    clash = db.session.scalar(select(InstrumentVersion.id).where(
        InstrumentVersion.instrument_id == instrument.id, InstrumentVersion.reference == reference))
    if clash:
        raise MonitoringError("This instrument already has a version with that reference.", "reference")
    version = InstrumentVersion(instrument_id=instrument.id, effective_on=effective, reference=reference,
                                source_url=_url(data.get("source_url"), "source_url"),
                                notes=_text(data.get("notes"), "notes", limit=MAX_TEXT), created_at=now,
                                created_by_id=getattr(actor, "id", None))
    db.session.add(version)
    db.session.flush()
    refresh_version_pointers(instrument.id)
    instrument.updated_at = now
    db.session.flush()
    db.session.expire(instrument, ["latest_version_id", "previous_version_id"])
    record_event("instrument.add_version", actor=actor, now=now, record=instrument, ip=ip, version_id=version.id,
                 reference=reference)
    return version


@dataclass
class Rating:
    criterion_id: int
    rating: int | None  #: None: leave this criterion as it is
    evidence_quote: str | None = None
    evidence_page: str | None = None
    evidence_url: str | None = None


def active_criteria() -> list[Criterion]:
    return list(db.session.scalars(select(Criterion).where(Criterion.is_archived.is_(False))
                                   .order_by(Criterion.position, Criterion.id)))


def rate_version(version: InstrumentVersion, ratings: list[Rating], *, actor: Any, now: datetime,
                 ip: str | None = None) -> int:
    """Rate *version* against criteria, each with its evidence; a changed rating supersedes the old one."""
    known = {c.id for c in active_criteria()}
    current = {a.criterion_id: a for a in db.session.scalars(select(Assessment).where(
        Assessment.version_id == version.id, Assessment.is_current.is_(True)))}
    changed = []
    for item in ratings:
        if item.criterion_id not in known:
            raise MonitoringError("That criterion is not one the coalition tracks.", "ratings")
        if item.rating is None:
            continue
        if item.rating not in RATINGS:
            raise MonitoringError("Rate each criterion as absent, weak, adequate or strong.", "ratings")
        quote = _text(item.evidence_quote, "ratings", limit=MAX_TEXT)
        page = _text(item.evidence_page, "ratings", limit=40)
        url = _url(item.evidence_url, "ratings")
        old = current.get(item.criterion_id)
        if old is not None and (old.rating, old.evidence_quote, old.evidence_page, old.evidence_url) == (
                item.rating, quote, page, url):
            continue
        if old is not None:
            old.is_current = False
        db.session.add(Assessment(version_id=version.id, criterion_id=item.criterion_id, rating=item.rating,
                                  evidence_quote=quote, evidence_page=page, evidence_url=url, is_current=True,
                                  assessed_at=now, assessed_by_id=getattr(actor, "id", None)))
        changed.append(item.criterion_id)
    if changed:
        db.session.flush()
        record_event("instrument.assess", actor=actor, now=now, record_type="instruments",
                     record_id=version.instrument_id, ip=ip, version_id=version.id, criteria=sorted(changed))
    return len(changed)


RATING_WORDS = {0: "absent", 1: "weak", 2: "adequate", 3: "strong"}


def compare(previous: dict[int, int], latest: dict[int, int], criteria: list[Criterion]) -> list[tuple[str, str]]:
    """What improved and what regressed between two versions' ratings, in words: (trend, sentence) pairs."""
    lines: list[tuple[str, str]] = []
    for criterion in criteria:
        old, new = previous.get(criterion.id), latest.get(criterion.id)
        if new is None:
            continue
        if old is None:
            lines.append(("new", f"{criterion.name}: rated {RATING_WORDS[new]} (not rated before)."))
        elif new > old:
            lines.append(("up", f"{criterion.name} improved from {RATING_WORDS[old]} to {RATING_WORDS[new]}."))
        elif new < old:
            lines.append(("down", f"{criterion.name} regressed from {RATING_WORDS[old]} to {RATING_WORDS[new]}."))
        else:
            lines.append(("same", f"{criterion.name} unchanged ({RATING_WORDS[new]})."))
    order = {"down": 0, "up": 1, "new": 2, "same": 3}
    return sorted(lines, key=lambda line: order[line[0]])


# --- money -----------------------------------------------------------------------------------

def currency_code(value: Any) -> str:
    code = str(value or "").strip().upper()
    if not code:
        raise MonitoringError("Give the currency of this amount (e.g. USD, EUR, XAF).", "currency")
    if pycountry.currencies.get(alpha_3=code) is None:
        raise MonitoringError(f"“{code[:12]}” is not a currency code (ISO 4217, e.g. USD, EUR, XAF).", "currency")
    return code


def add_funding(instrument: Instrument, data: dict[str, Any], *, actor: Any, now: datetime,
                ip: str | None = None) -> Funding:
    """Record an amount required, allocated or spent in one year."""
    if data.get("kind") not in {k.value for k in FundingKind}:
        raise MonitoringError("Choose required, allocated or spent.", "kind")
    year = data.get("year")
    if not isinstance(year, int) or not EARLIEST.year <= year <= LATEST.year:
        raise MonitoringError("Give a year between 1945 and 2200.", "year")
    try:
        amount = Decimal(str(data.get("amount"))).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise MonitoringError("Give the amount as a number, e.g. 1250000.", "amount") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise MonitoringError("Give an amount between 0 and 9,999,999,999,999,999.", "amount")
    entry = Funding(instrument_id=instrument.id, year=year, kind=data["kind"], amount=amount,
                    currency=currency_code(data.get("currency")),
                    source=_text(data.get("source"), "source", limit=300), source_url=_url(data.get("source_url"),
                                                                                          "source_url"),
                    created_at=now, created_by_id=getattr(actor, "id", None))
    db.session.add(entry)
    db.session.flush()
    record_event("instrument.add_funding", actor=actor, now=now, record=instrument, ip=ip, funding_id=entry.id,
                 year=year, kind=entry.kind, currency=entry.currency)
    return entry


def withdraw_funding(entry: Funding, *, actor: Any, now: datetime, ip: str | None = None) -> None:
    """Hide an amount entered by mistake (it stays in the database and the audit log)."""
    entry.is_archived = True
    record_event("instrument.withdraw_funding", actor=actor, now=now, record_type="instruments",
                 record_id=entry.instrument_id, ip=ip, funding_id=entry.id)


@dataclass
class MoneyLine:
    currency: str
    year: int | None  #: None for the instrument's total in that currency
    required: Decimal
    allocated: Decimal
    spent: Decimal

    @property
    def funding_gap(self) -> Decimal:
        return max(self.required - self.allocated, Decimal(0))

    @property
    def unspent(self) -> Decimal:
        return max(self.allocated - self.spent, Decimal(0))


def money_table(entries: list[Funding]) -> tuple[list[MoneyLine], list[MoneyLine]]:
    """Per (currency, year) lines and per-currency totals; amounts in different currencies are never added."""
    lines: dict[tuple[str, int | None], MoneyLine] = {}
    for entry in entries:
        if entry.is_archived:
            continue
        for key in ((entry.currency, entry.year), (entry.currency, None)):
            line = lines.setdefault(key, MoneyLine(key[0], key[1], Decimal(0), Decimal(0), Decimal(0)))
            setattr(line, entry.kind, getattr(line, entry.kind) + entry.amount)
    per_year = sorted((v for (c, y), v in lines.items() if y is not None), key=lambda v: (v.currency, v.year))
    totals = sorted((v for (c, y), v in lines.items() if y is None), key=lambda v: v.currency)
    return per_year, totals


# --- key posts, followers, linked work, criteria -----------------------------------------------

def add_key_post(instrument: Instrument, *, organisation_id: int, title: str, actor: Any, now: datetime,
                 ip: str | None = None) -> KeyPost:
    """Name a post that matters for *instrument* (an SRSG, a force commander, a ministry's focal point)."""
    from outreach.contacts.models import Organisation

    if db.session.get(Organisation, organisation_id) is None:
        raise MonitoringError("Choose the organisation from the directory.", "organisation_id")
    clean = _text(title, "title", limit=200, required=True)
    if db.session.scalar(select(KeyPost.id).where(KeyPost.instrument_id == instrument.id,
                                                  KeyPost.organisation_id == organisation_id,
                                                  KeyPost.title == clean)):
        raise MonitoringError("This post is already listed.", "title")
    post = KeyPost(instrument_id=instrument.id, organisation_id=organisation_id, title=clean, created_at=now)
    db.session.add(post)
    db.session.flush()
    record_event("instrument.add_key_post", actor=actor, now=now, record=instrument, ip=ip,
                 organisation_id=organisation_id, title=clean)
    return post


def remove_key_post(post: KeyPost, *, actor: Any, now: datetime, ip: str | None = None) -> None:
    """Stop listing a post (the audit log keeps which one it was)."""
    record_event("instrument.remove_key_post", actor=actor, now=now, record_type="instruments",
                 record_id=post.instrument_id, ip=ip, organisation_id=post.organisation_id, title=post.title)
    db.session.delete(post)


def set_following(instrument: Instrument, user: Any, follow: bool, *, now: datetime) -> None:
    """Follow (be reminded before its decisions) or stop following an instrument."""
    exists = db.session.get(InstrumentFollower, (instrument.id, user.id))
    if follow and exists is None:
        db.session.add(InstrumentFollower(instrument_id=instrument.id, user_id=user.id, created_at=now))
    elif not follow and exists is not None:
        db.session.delete(exists)
    db.session.flush()


def link_work(instrument: Instrument, *, meeting_id: int | None = None, commitment_id: int | None = None,
              actor: Any, now: datetime, ip: str | None = None) -> InstrumentLink:
    """Tag a meeting or a commitment with an instrument it concerns (once)."""
    if (meeting_id is None) == (commitment_id is None):
        raise MonitoringError("Link a meeting or a commitment.")
    if instrument.is_archived:
        raise MonitoringError("This instrument is archived; restore it first.", "instrument_id")
    column = InstrumentLink.meeting_id if meeting_id is not None else InstrumentLink.commitment_id
    existing = db.session.scalar(select(InstrumentLink).where(InstrumentLink.instrument_id == instrument.id,
                                                              column == (meeting_id or commitment_id)))
    if existing is not None:
        raise MonitoringError("This is already linked to that instrument.", "instrument_id")
    link = InstrumentLink(instrument_id=instrument.id, meeting_id=meeting_id, commitment_id=commitment_id,
                          linked_at=now, linked_by_id=getattr(actor, "id", None))
    db.session.add(link)
    db.session.flush()
    record_event("instrument.link", actor=actor, now=now, record=instrument, ip=ip, meeting_id=meeting_id,
                 commitment_id=commitment_id)
    return link


def unlink_work(link: InstrumentLink, *, actor: Any, now: datetime, ip: str | None = None) -> None:
    """Remove a tag put on the wrong record (the audit log keeps it)."""
    record_event("instrument.unlink", actor=actor, now=now, record_type="instruments", record_id=link.instrument_id,
                 ip=ip, meeting_id=link.meeting_id, commitment_id=link.commitment_id)
    db.session.delete(link)


def add_criterion(data: dict[str, Any], *, actor: Any, now: datetime, ip: str | None = None) -> Criterion:
    """Add a criterion every instrument can be rated against (e.g. "gender advisers")."""
    name = _text(data.get("name"), "name", limit=80, required=True)
    key = (data.get("key") or "").strip().lower() or re.sub(r"[^a-z0-9]+", "_", (name or "").lower()).strip("_")
    if not _KEY.match(key):
        raise MonitoringError("The key is 2–40 lower-case letters, digits or underscores, starting with a letter.",
                              "key")
    if db.session.scalar(select(Criterion.id).where(Criterion.key == key)):
        raise MonitoringError("A criterion with this key exists already.", "key")
    position = (db.session.scalar(select(Criterion.position).order_by(Criterion.position.desc()).limit(1)) or 0) + 10
    criterion = Criterion(key=key, name=name, description=_text(data.get("description"), "description", limit=1000),
                          position=position, created_at=now)
    db.session.add(criterion)
    db.session.flush()
    record_event("criterion.create", actor=actor, now=now, record=criterion, ip=ip, key=key)
    return criterion


def set_criterion_archived(criterion: Criterion, archived: bool, *, actor: Any, now: datetime,
                           ip: str | None = None) -> None:
    """Stop (or resume) rating against a criterion; past ratings stay."""
    criterion.is_archived = archived
    record_event("criterion.archive" if archived else "criterion.restore", actor=actor, now=now, record=criterion,
                 ip=ip)

