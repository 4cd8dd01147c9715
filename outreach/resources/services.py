"""Curating the hub: resources from draft to published (or retired), suggestions, collections, shares, reach.

Every service takes the acting user and `now`, flushes, and leaves the commit to the caller. A
broken rule raises ResourceError with a message for the person who typed it; the caller rolls back.
"""
from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, UTC
from typing import Any
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from outreach.contacts.models import Organisation
from outreach.contacts.search import join_text
from outreach.core.audit import record_event
from outreach.core.db import db
from outreach.core.errors import ServiceError
from outreach.core.notifications import Message, channels_for, enqueue
from outreach.core.text import has_control_characters
from outreach.meetings.models import Attendee, Commitment, Meeting
from outreach.meetings.services import FollowUpData, add_follow_up
from outreach.resources.models import (Audience, Collection, CollectionItem, CommitmentEvidence, EvidenceStrength,
                                       ReachCount, Resource, ResourceKind, ResourceLanguage, ResourcePlace,
                                       ResourceStatus, Share, Topic)

MAX_TITLE = 300
MAX_SUMMARY = 5_000
MAX_NOTES = 20_000
MAX_REASON = 2_000
MAX_URL = 1_000
MAX_COLLECTION_ITEMS = 100
MAX_EVIDENCE_NOTE = 300
#: What the hub says about an activist who suggested a resource, until she has a codename to show.
ACTIVIST_LABEL = "a grassroots activist"
EARLIEST = date(1900, 1, 1)
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_PLACE = re.compile(r"^[A-Za-z][A-Za-z .'-]{1,59}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")
#: Short links: no 0/o, 1/l/i, so they can be read aloud and typed from a slide.
_SLUG_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class ResourceError(ServiceError):
    """A rule of the practice hub was broken; *field* names the form field."""


@dataclass
class ResourceData:
    title: str
    summary: str = ""
    kind: str = ResourceKind.TOOLKIT.value
    publisher_id: int | None = None
    url: str | None = None
    issued_on: date | None = None
    evidence: str | None = None
    topic_ids: list[int] = field(default_factory=list)
    audience_ids: list[int] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)  #: ISO country codes or region names
    internal_notes: str | None = None


def _text(value: str | None, name: str, limit: int, *, required: Any = None) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise ResourceError(required, field=name)
        return None
    if has_control_characters(value, multiline=True):
        raise ResourceError(_l("Remove the control characters from this field."), field=name)
    if len(value) > limit:
        raise ResourceError(_l("Keep this under %(max)d characters (it has %(n)d).", n=len(value), max=limit),
                            field=name)
    return value


def _check_url(url: str | None) -> str | None:
    url = _text(url, "url", MAX_URL)
    if url and not url.lower().startswith(("https://", "http://")):
        raise ResourceError(_l("Enter a full link starting with https://."), field="url")
    if url and any(ch.isspace() for ch in url):
        raise ResourceError(_l("A link cannot contain spaces."), field="url")
    return url


def _validate(data: ResourceData, *, today: date) -> dict[str, Any]:
    values = {
        "title": _text(data.title, "title", MAX_TITLE, required=_l("Give the resource a title.")),
        "summary": _text(data.summary, "summary", MAX_SUMMARY) or "",
        "url": _check_url(data.url),
        "internal_notes": _text(data.internal_notes, "internal_notes", MAX_NOTES),
    }
    if data.kind not in {k.value for k in ResourceKind}:
        raise ResourceError(_l("Choose a kind from the list."), field="kind")
    if data.evidence and data.evidence not in {e.value for e in EvidenceStrength}:
        raise ResourceError(_l("Choose how strong the evidence is from the list."), field="evidence")
    if data.issued_on is not None and not (EARLIEST <= data.issued_on <= today + timedelta(days=366)):
        raise ResourceError(_l("Enter the date it was issued, between 1900 and next year."), field="issued_on")
    if data.publisher_id is not None and db.session.get(Organisation, data.publisher_id) is None:
        raise ResourceError(_l("Choose the publisher from the directory."), field="publisher_id")
    languages = sorted({code.strip().lower() for code in data.languages if code and code.strip()})
    if any(not _LANGUAGE.match(code) for code in languages) or len(languages) > 20:
        raise ResourceError(_l("Languages are two-letter codes such as en, fr, ar."), field="languages")
    places = sorted({p.strip() for p in data.places if p and p.strip()})
    if any(not _PLACE.match(p) for p in places) or len(places) > 50:
        raise ResourceError(_l("Countries are two-letter codes (ML, CF); regions are plain names (Sahel)."),
                            field="places")
    values.update(kind=data.kind, evidence=data.evidence or None, issued_on=data.issued_on,
                  publisher_id=data.publisher_id, languages=languages,
                  places=[p.upper() if len(p) == 2 else p for p in places])
    return values


def _vocabulary(model: Any, ids: Iterable[int], name: str) -> list[Any]:
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return []
    rows = list(db.session.scalars(select(model).where(model.id.in_(wanted))))
    if len(rows) != len(wanted):
        raise ResourceError(_l("Choose from the list."), field=name)
    return rows


def _search_text(resource: Resource, publisher: Organisation | None) -> str:
    return join_text([resource.title, resource.summary, publisher.acronym if publisher else None,
                      publisher.name if publisher else None])


def _apply(resource: Resource, data: ResourceData, *, today: date) -> None:
    values = _validate(data, today=today)
    topics = _vocabulary(Topic, data.topic_ids, "topics")
    audiences = _vocabulary(Audience, data.audience_ids, "audiences")
    for name in ("title", "summary", "url", "internal_notes", "kind", "evidence", "issued_on", "publisher_id"):
        setattr(resource, name, values[name])
    resource.topics = topics
    resource.audiences = audiences
    resource.languages = [ResourceLanguage(code=c) for c in values["languages"]]
    resource.places = [ResourcePlace(code=p) for p in values["places"]]
    publisher = db.session.get(Organisation, resource.publisher_id) if resource.publisher_id else None
    resource.search_text = _search_text(resource, publisher)


def create_resource(data: ResourceData, *, actor: Any, now: datetime) -> Resource:
    """Add a draft resource submitted by *actor*."""
    resource = Resource(status=ResourceStatus.DRAFT.value, submitted_by_id=actor.id, created_at=now, updated_at=now,
                        title="", summary="")
    resource.file = None
    _apply(resource, data, today=now.date())
    db.session.add(resource)
    db.session.flush()
    record_event("resource.create", actor=actor, now=now, record=resource)
    return resource


def update_resource(resource: Resource, data: ResourceData, *, actor: Any, now: datetime) -> Resource:
    """Change a resource's description; a published one stays published (curators only reach here)."""
    if resource.status == ResourceStatus.RETIRED.value:
        raise ResourceError(_l("A retired resource cannot be edited."))
    _apply(resource, data, today=now.date())
    resource.updated_at = now
    db.session.flush()
    record_event("resource.update", actor=actor, now=now, record=resource)
    return resource


def _move(resource: Resource, allowed_from: tuple[ResourceStatus, ...], to: ResourceStatus, *, actor: Any,
          now: datetime, reason: str | None = None) -> Resource:
    if resource.status not in {s.value for s in allowed_from}:
        raise ResourceError(_l("This resource is %(status)s: that step is not possible now.",
                               status=resource.status.replace("_", " ")))
    before = resource.status
    resource.status = to.value
    resource.status_reason = reason
    resource.updated_at = now
    if to == ResourceStatus.PUBLISHED:
        resource.published_at = now
    db.session.flush()
    record_event(f"resource.{to.value}", actor=actor, now=now, record=resource, from_status=before)
    return resource


def submit_for_review(resource: Resource, *, actor: Any, now: datetime) -> Resource:
    """Send a draft to the managers for review."""
    return _move(resource, (ResourceStatus.DRAFT,), ResourceStatus.IN_REVIEW, actor=actor, now=now)


def publish(resource: Resource, *, actor: Any, now: datetime) -> Resource:
    """Make a reviewed resource public; tell the activist who suggested it."""
    _move(resource, (ResourceStatus.IN_REVIEW, ResourceStatus.DRAFT), ResourceStatus.PUBLISHED, actor=actor, now=now)
    if resource.suggested_by_id:
        enqueue(Message(subject=f"resource:{resource.id}:published:{resource.suggested_by_id}",
                        user_id=resource.suggested_by_id, due_at=now,
                        title=str(_l("Your suggestion is on the practice hub")),
                        text=str(_l("Thank you: the resource you suggested, \u201c%(title)s\u201d, is now published "
                                    "on the practice hub.", title=resource.title)),
                        link=f"/hub/r/{resource.id}"),
                channels=channels_for(resource.suggested_by_id), now=now)
    return resource


def send_back(resource: Resource, reason: str, *, actor: Any, now: datetime) -> Resource:
    """Return a resource in review to its author with the reason."""
    text = _text(reason, "reason", MAX_REASON, required=_l("Say why it goes back, so it can be put right."))
    return _move(resource, (ResourceStatus.IN_REVIEW,), ResourceStatus.DRAFT, actor=actor, now=now, reason=text)


def retire(resource: Resource, reason: str, *, actor: Any, now: datetime) -> Resource:
    """Take a published resource off the hub; it is kept, with the reason."""
    text = _text(reason, "reason", MAX_REASON, required=_l("Say why it is retired."))
    return _move(resource, (ResourceStatus.PUBLISHED,), ResourceStatus.RETIRED, actor=actor, now=now, reason=text)


def suggest(title: str, summary: str, url: str | None, *, actor: Any, now: datetime) -> Resource:
    """An activist suggests a resource or a story; it goes to review, carrying a label, never her identity."""
    resource = Resource(status=ResourceStatus.IN_REVIEW.value, kind=ResourceKind.CASE_STORY.value,
                        suggested_by_id=actor.id, suggested_by_label=ACTIVIST_LABEL, created_at=now, updated_at=now,
                        title="", summary="")
    resource.file = None
    _apply(resource, ResourceData(title=title, summary=summary, url=url, kind=ResourceKind.CASE_STORY.value),
           today=now.date())
    db.session.add(resource)
    db.session.flush()
    # The audit names the record, not the activist: the log is read by managers.
    record_event("resource.suggest", actor=None, actor_label="activist", now=now, record=resource)
    return resource


# --- vocabularies ----------------------------------------------------------------------------

def slugify(value: str, limit: int = 60) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:limit].strip("-")


def add_term(model: Any, name: str, *, actor: Any, now: datetime) -> Any:
    """Add a topic or an audience."""
    clean = _text(name, "name", 120, required=_l("Give it a name."))
    slug = slugify(clean or "")
    if not slug:
        raise ResourceError(_l("Use letters or digits in the name."), field="name")
    if db.session.scalar(select(model.id).where(model.slug == slug)) is not None:
        raise ResourceError(_l("That one exists already."), field="name")
    term = model(slug=slug, name=clean)
    db.session.add(term)
    db.session.flush()
    record_event(f"resource.{model.__tablename__}.add", actor=actor, now=now, record=term)
    return term


# --- collections -----------------------------------------------------------------------------

def new_slug() -> str:
    return "".join(secrets.choice(_SLUG_ALPHABET) for _ in range(6))


def create_collection(title: str, description: str, *, slug: str | None = None, actor: Any, now: datetime,
                      is_demo: bool = False) -> Collection:
    """Make a collection with a short, stable link."""
    clean_title = _text(title, "title", 200, required=_l("Give the collection a title."))
    slug = (slug or "").strip().lower()
    if slug:
        if not _SLUG.match(slug):
            raise ResourceError(_l("A short link uses 3 to 40 lower-case letters, digits and dashes."), field="slug")
        if db.session.scalar(select(Collection.id).where(Collection.slug == slug)) is not None:
            raise ResourceError(_l("That short link is taken."), field="slug")
    else:
        slug = new_slug()
        while db.session.scalar(select(Collection.id).where(Collection.slug == slug)) is not None:
            slug = new_slug()
    description = _text(description, "description", MAX_SUMMARY) or ""
    collection = Collection(slug=slug, title=clean_title, description=description,
                            created_by_id=getattr(actor, "id", None), created_at=now, updated_at=now, is_demo=is_demo)
    db.session.add(collection)
    db.session.flush()
    record_event("resource.collection.create", actor=actor, now=now, record=collection)
    return collection


def set_collection_items(collection: Collection, resource_ids: Iterable[int], *, actor: Any,
                         now: datetime) -> Collection:
    """Replace what a collection holds, in the order given."""
    ids = list(dict.fromkeys(int(i) for i in resource_ids))
    if len(ids) > MAX_COLLECTION_ITEMS:
        raise ResourceError(_l("A collection holds at most %(n)d resources.", n=MAX_COLLECTION_ITEMS))
    found = set(db.session.scalars(select(Resource.id).where(Resource.id.in_(ids)))) if ids else set()
    if found != set(ids):
        raise ResourceError(_l("Some of the resources chosen no longer exist."))
    db.session.execute(delete(CollectionItem).where(CollectionItem.collection_id == collection.id))
    db.session.add_all(CollectionItem(collection_id=collection.id, resource_id=rid, position=i)
                       for i, rid in enumerate(ids))
    collection.updated_at = now
    db.session.flush()
    db.session.expire(collection, ["items"])
    record_event("resource.collection.items", actor=actor, now=now, record=collection, count=len(ids))
    return collection


# --- sharing in meetings ---------------------------------------------------------------------

def share(meeting: Meeting, resource: Resource, contact_ids: Iterable[int], *, actor: Any, now: datetime,
          follow_up_due: datetime | None = None) -> list[Share]:
    """Record that *resource* was shared with these attendees of *meeting* (again: nothing added); optionally
    make the follow-up "send it" for *actor*."""
    if resource.status != ResourceStatus.PUBLISHED.value:
        raise ResourceError(_l("Only published resources can be shared."), field="resource_id")
    wanted = {int(c) for c in contact_ids}
    attendees = set(db.session.scalars(select(Attendee.contact_id).where(Attendee.meeting_id == meeting.id,
                                                                         Attendee.contact_id.is_not(None))))
    if not wanted:
        raise ResourceError(_l("Tick the attendees it was shared with."), field="contact_ids")
    if not wanted <= attendees:
        raise ResourceError(_l("Resources are shared with the meeting's attendees only."), field="contact_ids")
    already = set(db.session.scalars(select(Share.contact_id).where(Share.meeting_id == meeting.id,
                                                                     Share.resource_id == resource.id)))
    follow_up_id = None
    if follow_up_due is not None:
        if follow_up_due.tzinfo is None:
            raise ValueError("follow_up_due must be aware")
        follow_up = add_follow_up(FollowUpData(task=str(_l("Send \u201c%(title)s\u201d", title=resource.title))[:500],
                                               due_at=follow_up_due, assignee_id=actor.id,
                                               contact_id=next(iter(wanted)) if len(wanted) == 1 else None),
                                  meeting=meeting, actor=actor, now=now)
        follow_up_id = follow_up.id
    shares = [Share(meeting_id=meeting.id, resource_id=resource.id, contact_id=cid, shared_on=now.date(),
                    shared_by_id=actor.id, follow_up_id=follow_up_id, created_at=now)
              for cid in sorted(wanted - already)]
    db.session.add_all(shares)
    db.session.flush()
    record_event("resource.share", actor=actor, now=now, record=meeting, resource_id=resource.id,
                 contacts=len(shares))
    return shares


# --- evidence of commitments ---------------------------------------------------------------

def cite_as_evidence(commitment: Commitment, resource: Resource, note: str | None, *, actor: Any,
                     now: datetime) -> CommitmentEvidence:
    """Point *commitment*'s evidence to a published resource (with what in it shows the promise kept or not)."""
    if resource.status != ResourceStatus.PUBLISHED.value:
        raise ResourceError(_l("Only published resources can be cited as evidence."), field="resource_id")
    note = _text(note, "note", MAX_EVIDENCE_NOTE)
    cited = db.session.scalar(select(CommitmentEvidence).where(CommitmentEvidence.commitment_id == commitment.id,
                                                               CommitmentEvidence.resource_id == resource.id))
    if cited is not None and cited.removed_at is None:
        raise ResourceError(_l("This resource is already cited as evidence of this commitment."), field="resource_id")
    if cited is None:
        cited = CommitmentEvidence(commitment_id=commitment.id, resource_id=resource.id)
    # Cited again after being taken off: the same row comes back, with who cited it this time.
    cited.note, cited.added_by_id, cited.added_at = note, actor.id, now
    cited.removed_at = cited.removed_by_id = None
    try:
        with db.session.begin_nested():
            db.session.add(cited)
    except IntegrityError:  # someone cited it at the same moment
        raise ResourceError(_l("This resource is already cited as evidence of this commitment."),
                            field="resource_id") from None
    record_event("resource.evidence.add", actor=actor, now=now, record=resource, commitment_id=commitment.id)
    return cited


def take_off_evidence(cited: CommitmentEvidence, *, actor: Any, now: datetime) -> None:
    """Stop citing a resource as a commitment's evidence; the row stays, marked with who took it off and when."""
    if cited.removed_at is not None:
        raise ResourceError(_l("This resource is no longer cited as evidence of this commitment."))
    cited.removed_at, cited.removed_by_id = now, actor.id
    db.session.flush()
    record_event("resource.evidence.remove", actor=actor, now=now, record_type="resources",
                 record_id=cited.resource_id, commitment_id=cited.commitment_id)


def default_follow_up_due(now: datetime) -> datetime:
    """Two working days from now, at 09:00 UTC: when a promised pack should have gone."""
    day = now.date() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(9), tzinfo=UTC)


# --- reach -----------------------------------------------------------------------------------

def count_open(subject: str, subject_id: int, *, now: datetime) -> None:
    """Add one to today's opens of a resource or collection: a counter, nothing about the reader."""
    assert subject in ("resource", "collection")
    insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
    stmt = insert(ReachCount).values(subject=subject, subject_id=subject_id, day=now.date(), opens=1)
    stmt = stmt.on_conflict_do_update(index_elements=["subject", "subject_id", "day"],
                                      set_={"opens": ReachCount.opens + 1})
    db.session.execute(stmt)

