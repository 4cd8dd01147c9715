"""Reading the hub: the public list and search, a resource, a collection, shares, reach.

Each page runs a fixed number of statements: one page of rows with their topics, languages and
places loaded in one go each, never per row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from outreach.contacts import search
from outreach.contacts.models import Contact
from outreach.core.db import db
from outreach.core.pagination import KeysetPage, keyset_by_id_desc
from outreach.meetings.access import visible_commitments, visible_meetings
from outreach.meetings.models import Commitment, Meeting
from outreach.resources.models import (
    Audience,
    Collection,
    CollectionItem,
    CommitmentEvidence,
    ReachCount,
    Resource,
    ResourceLanguage,
    ResourcePlace,
    ResourceStatus,
    Share,
    Topic,
    resource_audience_links,
    resource_topic_links,
)

search.SEARCHABLE_TABLES.add("resources")

HUB_PAGE_SIZE = 20
SEARCH_RESULTS = 40
PUBLISHED = Resource.status == ResourceStatus.PUBLISHED.value


@dataclass
class HubFilters:
    q: str = ""
    topic: str = ""  #: a topic's slug
    audience: str = ""
    country: str = ""  #: a place code (country or region)
    language: str = ""
    kind: str = ""

    @property
    def active(self) -> bool:
        return any((self.q, self.topic, self.audience, self.country, self.language, self.kind))


def list_options() -> list[Any]:
    return [selectinload(Resource.publisher), selectinload(Resource.topics), selectinload(Resource.languages),
            selectinload(Resource.places)]


def vocabularies() -> tuple[list[Topic], list[Audience]]:
    topics = list(db.session.scalars(select(Topic).where(Topic.is_archived.is_(False)).order_by(Topic.name)))
    audiences = list(db.session.scalars(select(Audience).where(Audience.is_archived.is_(False))
                                        .order_by(Audience.name)))
    return topics, audiences


def _filtered(stmt: Any, filters: HubFilters, topics: list[Topic], audiences: list[Audience]) -> Any:
    """Narrow *stmt* by the filters. Correlated EXISTS on the link tables' primary keys: the list walks the
    resources index newest first and stops at a page, instead of building and sorting every match."""
    def linked(column: Any, owner: Any, value: Any) -> Any:
        return select(column).where(owner == Resource.id, column == value).exists()

    if filters.topic:
        topic_id = next((t.id for t in topics if t.slug == filters.topic), 0)
        stmt = stmt.where(linked(resource_topic_links.c.topic_id, resource_topic_links.c.resource_id, topic_id))
    if filters.audience:
        audience_id = next((a.id for a in audiences if a.slug == filters.audience), 0)
        stmt = stmt.where(linked(resource_audience_links.c.audience_id, resource_audience_links.c.resource_id,
                                 audience_id))
    if filters.country:
        stmt = stmt.where(linked(ResourcePlace.code, ResourcePlace.resource_id, filters.country))
    if filters.language:
        stmt = stmt.where(linked(ResourceLanguage.code, ResourceLanguage.resource_id, filters.language))
    if filters.kind:
        stmt = stmt.where(Resource.kind == filters.kind)
    return stmt


def hub_page(filters: HubFilters, topics: list[Topic], audiences: list[Audience], *, after: int | None,
             before: int | None, size: int = HUB_PAGE_SIZE) -> KeysetPage[Resource]:
    """Published resources, newest first, or (with a query) the best matches first."""
    if filters.q:
        return KeysetPage(search_published(filters, topics, audiences), None, None)
    stmt = _filtered(select(Resource).options(*list_options()).where(PUBLISHED), filters, topics, audiences)
    return keyset_by_id_desc(stmt, Resource.id, after=after, before=before, size=size)


def search_published(filters: HubFilters, topics: list[Topic], audiences: list[Audience], *,
                     limit: int = SEARCH_RESULTS) -> list[Resource]:
    """Published resources matching the query, accents and typos forgiven (the directory's index and ranking)."""
    query = search.normalise(filters.q)[: search.MAX_QUERY_LENGTH]
    # Summaries make long texts: sorting every typo candidate by similarity would cost more than the page, and
    # the candidates are ranked here anyway.
    ids = search.candidate_ids("resources", query, rank_typos=False)
    if not ids:
        return []
    rows = db.session.execute(_filtered(select(Resource.id, Resource.search_text, Resource.title)
                                        .where(Resource.id.in_(ids), PUBLISHED), filters, topics, audiences)).all()
    ranked = search.rank(query, rows, haystack=lambda r: r.search_text, name=lambda r: search.normalise(r.title))
    wanted = [r.id for r in ranked[:limit]]
    if not wanted:
        return []
    loaded = {r.id: r for r in db.session.scalars(select(Resource).options(*list_options())
                                                  .where(Resource.id.in_(wanted)))}
    return [loaded[i] for i in wanted if i in loaded]


def published_resource(resource_id: int) -> Resource | None:
    return db.session.scalar(select(Resource).options(*list_options(), selectinload(Resource.audiences),
                                                      selectinload(Resource.file))
                             .where(Resource.id == resource_id, PUBLISHED))


def public_collection(slug: str) -> tuple[Collection, list[Resource]] | None:
    """A public collection by its short link, with its published resources in order."""
    collection = db.session.scalar(select(Collection).where(Collection.slug == slug, Collection.is_public.is_(True),
                                                            Collection.is_archived.is_(False)))
    if collection is None:
        return None
    resources = list(db.session.scalars(
        select(Resource).options(*list_options()).join(CollectionItem, CollectionItem.resource_id == Resource.id)
        .where(CollectionItem.collection_id == collection.id, PUBLISHED).order_by(CollectionItem.position)))
    return collection, resources


def hub_version() -> str:
    """Changes whenever anything the public pages show may have changed: the ETag's seed."""
    row = db.session.execute(select(select(func.max(Resource.updated_at)).scalar_subquery(),
                                    select(func.max(Resource.id)).scalar_subquery(),
                                    select(func.max(Collection.updated_at)).scalar_subquery(),
                                    select(func.count(Topic.id)).scalar_subquery(),
                                    select(func.count(Audience.id)).scalar_subquery())).one()
    return "|".join(str(v) for v in row)


# --- in the work -----------------------------------------------------------------------------

def shares_for_contact(user: Any, contact: Contact, *, limit: int = 50) -> list[tuple[Share, Meeting]]:
    """What was shared with *contact* and when, in meetings *user* may see, newest first."""
    rows = db.session.execute(
        select(Share, Meeting).join(Meeting, Meeting.id == Share.meeting_id).options(selectinload(Share.resource))
        .where(Share.contact_id == contact.id, visible_meetings(user))
        .order_by(Share.shared_on.desc(), Share.id.desc()).limit(limit)).all()
    return [(share, meeting) for share, meeting in rows]


def shares_for_meeting(meeting: Meeting) -> list[Share]:
    return list(db.session.scalars(select(Share).options(selectinload(Share.resource))
                                   .where(Share.meeting_id == meeting.id).order_by(Share.id)))


def evidence_for_commitment(commitment: Commitment) -> list[CommitmentEvidence]:
    """The resources cited as *commitment*'s evidence now (not those taken off), in the order they were cited."""
    return list(db.session.scalars(
        select(CommitmentEvidence).options(selectinload(CommitmentEvidence.resource))
        .where(CommitmentEvidence.commitment_id == commitment.id, CommitmentEvidence.removed_at.is_(None))
        .order_by(CommitmentEvidence.added_at, CommitmentEvidence.id)))


def evidence_of(user: Any, resource: Resource, *, limit: int = 20) -> list[Commitment]:
    """The commitments *user* may see that cite *resource* as evidence, the latest citation first."""
    return list(db.session.scalars(
        select(Commitment).join(CommitmentEvidence, CommitmentEvidence.commitment_id == Commitment.id)
        .options(selectinload(Commitment.contact), selectinload(Commitment.organisation))
        .where(CommitmentEvidence.resource_id == resource.id, CommitmentEvidence.removed_at.is_(None),
               visible_commitments(user))
        .order_by(CommitmentEvidence.added_at.desc(), CommitmentEvidence.id.desc()).limit(limit)))


def pick_published(q: str, *, limit: int = 10) -> list[Resource]:
    """The resource picker on a meeting: published resources matching *q*."""
    if not q.strip():
        return list(db.session.scalars(select(Resource).where(PUBLISHED).order_by(Resource.id.desc()).limit(limit)))
    topics: list[Topic] = []
    return search_published(HubFilters(q=q), topics, [], limit=limit)


# --- reach -----------------------------------------------------------------------------------

@dataclass
class ReachRow:
    id: int
    title: str
    opens: int


def reach(today: date, *, days: int = 30, limit: int = 15) -> dict[str, Any]:
    """Opens per resource and collection over the last *days*, and the resources shared most in meetings."""
    since = today - timedelta(days=days - 1)
    opens = func.sum(ReachCount.opens).label("opens")

    def top(subject: str, model: Any, label: Any) -> list[ReachRow]:
        rows = db.session.execute(
            select(model.id, label, opens).join(ReachCount, (ReachCount.subject_id == model.id)
                                                & (ReachCount.subject == subject))
            .where(ReachCount.day >= since).group_by(model.id, label).order_by(opens.desc(), model.id)
            .limit(limit)).all()
        return [ReachRow(r[0], r[1], int(r[2] or 0)) for r in rows]

    shared = func.count(Share.id).label("shares")
    most_shared = db.session.execute(
        select(Resource.id, Resource.title, shared).join(Share, Share.resource_id == Resource.id)
        .group_by(Resource.id, Resource.title).order_by(shared.desc(), Resource.id).limit(limit)).all()
    per_day = dict(db.session.execute(select(ReachCount.day, func.sum(ReachCount.opens))
                                      .where(ReachCount.day >= since).group_by(ReachCount.day)).all())
    return {"resources": top("resource", Resource, Resource.title),
            "collections": top("collection", Collection, Collection.title),
            "most_shared": [ReachRow(r[0], r[1], int(r[2])) for r in most_shared],
            "days": [(since + timedelta(days=i), int(per_day.get(since + timedelta(days=i), 0) or 0))
                     for i in range(days)],
            "since": since}


def published_resource_exists(resource_id: int) -> bool:
    return db.session.scalar(select(Resource.id).where(Resource.id == resource_id, PUBLISHED)) is not None
