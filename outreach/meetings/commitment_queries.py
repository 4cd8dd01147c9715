"""The commitments register and the scorecards: who promised what, kept or broken, at every level.

Each runs a fixed number of statements whatever the number of rows (aggregates are grouped in
the database, related rows are loaded in one go).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from collections.abc import Iterator, Sequence

from sqlalchemy import case, func, literal, select, union_all
from sqlalchemy.orm import selectinload

from outreach.contacts.models import Contact, Organisation
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.permissions import Capability, has_capability
from outreach.meetings import tallies
from outreach.meetings.access import visible_commitments, visible_commitments_listed
from outreach.meetings.models import (LIVE_COMMITMENT_STATUSES, Commitment, CommitmentStatus,
                                      CommitmentTally)
from outreach.meetings.queries import PAGE_SIZE, organisation_subtree, user_names


def register_conditions(filters: dict[str, Any]) -> list[Any]:
    """The register's filters as WHERE conditions on Commitment (visibility aside): status, category, target,
    organisation (with its offices when *offices*: the directory's subtree), accountable partner, due range."""
    where: list[Any] = []
    if filters.get("status"):
        where.append(Commitment.status == filters["status"])
    if filters.get("category"):
        where.append(Commitment.category == filters["category"])
    if filters.get("contact"):
        where.append(Commitment.contact_id == filters["contact"])
    if filters.get("organisation"):
        where.append(Commitment.organisation_id.in_(organisation_subtree(filters["organisation"]))
                     if filters.get("offices") else Commitment.organisation_id == filters["organisation"])
    if filters.get("accountable"):
        where.append(Commitment.accountable_id == filters["accountable"])
    if filters.get("due_from"):
        where.append(Commitment.due_date >= filters["due_from"])
    if filters.get("due_to"):
        where.append(Commitment.due_date <= filters["due_to"])
    return where


def _register_loaders() -> list[Any]:
    return [selectinload(Commitment.contact), selectinload(Commitment.organisation),
            selectinload(Commitment.accountable), selectinload(Commitment.meeting)]


def commitments_register(user: Any, filters: dict[str, Any], *, today: date, page: int = 1,
                         size: int = PAGE_SIZE) -> tuple[list[Commitment], bool]:
    """Commitments the user may see that meet *filters* (see `register_conditions`), overdue first, then by due date.

    The filters narrow what the user may see, never widen it: a partner's visible set is built with them
    pushed into each of its branches (so it stays small), then filtered again.
    """
    where = register_conditions(filters)
    stmt = select(Commitment).where(visible_commitments(user, *where), *where).options(*_register_loaders())
    rank = case((Commitment.status == CommitmentStatus.OVERDUE.value, 0),
                (Commitment.status.in_(LIVE_COMMITMENT_STATUSES), 1), else_=2)
    if has_capability(user, Capability.VIEW_ALL_MEETINGS):
        # Sorting every visible commitment by (rank, due date) to show 50 does not scale: take, per status and
        # dated/undated, just the rows that could be on this page (the (status, due_date) index gives them in
        # order, a due range included), and sort only those. A due range leaves the undated out.
        wanted = page * size + 1
        statuses = [filters["status"]] if filters.get("status") else [s.value for s in CommitmentStatus]
        dated_only = bool(filters.get("due_from") or filters.get("due_to"))
        branches = []
        for status in statuses:
            for undated in ((False,) if dated_only else (False, True)):
                branch = stmt.with_only_columns(Commitment.id).options().where(
                    Commitment.status == status,
                    Commitment.due_date.is_(None) if undated else Commitment.due_date.is_not(None))
                branch = branch.order_by(*(() if undated else (Commitment.due_date,)), Commitment.id.desc())
                branches.append(select(branch.limit(wanted).subquery().c.id))
        candidates = union_all(*branches).subquery("candidates")
        stmt = stmt.where(Commitment.id.in_(select(candidates.c.id)))
    stmt = stmt.order_by(rank, Commitment.due_date.is_(None), Commitment.due_date, Commitment.id.desc())
    rows = list(db.session.scalars(stmt.offset((page - 1) * size).limit(size + 1)))
    return rows[:size], len(rows) > size


def register_export_batches(user: Any, filters: dict[str, Any], *, batch: int = 500) -> Iterator[list[Commitment]]:
    """The filtered register for a download, oldest first, *batch* rows at a time (keyset on id: each batch
    costs the same however far into the register it is), with their target, partner and meeting loaded."""
    where = register_conditions(filters)
    stmt = (select(Commitment).where(visible_commitments(user, *where), *where).options(*_register_loaders())
            .order_by(Commitment.id).limit(batch))
    last = 0
    while True:
        rows = list(db.session.scalars(stmt.where(Commitment.id > last)))
        if rows:
            yield rows
        if len(rows) < batch:
            return
        last = rows[-1].id


@dataclass
class Score:
    label: str
    key: int
    kept: int = 0
    partly_kept: int = 0
    broken: int = 0
    open: int = 0

    @property
    def total_closed(self) -> int:
        return self.kept + self.partly_kept + self.broken

    @property
    def total(self) -> int:
        return self.total_closed + self.open

    @property
    def kept_percent(self) -> int | None:
        """Kept as a share of the closed commitments (kept, partly kept, broken); None before any closed."""
        if not self.total_closed:
            return None
        return round(100 * self.kept / self.total_closed)


def _status_sums(status: Any) -> list[Any]:
    """kept, partly_kept, broken, open (live statuses) and the ranking total (all but withdrawn), summed in SQL."""
    def n(test: Any) -> Any:
        return func.coalesce(func.sum(case((test, 1), else_=0)), 0)
    return [n(status == CommitmentStatus.KEPT.value).label("kept"),
            n(status == CommitmentStatus.PARTLY_KEPT.value).label("partly_kept"),
            n(status == CommitmentStatus.BROKEN.value).label("broken"),
            n(status.in_(LIVE_COMMITMENT_STATUSES)).label("open"),
            n(status != CommitmentStatus.WITHDRAWN.value).label("total")]


def _top(key: Any, where: Any, limit: int) -> list[Any]:
    """(key, kept, partly_kept, broken, open) for the *limit* keys with most commitments: grouped, ordered and
    cut in the database over the (key, status) index."""
    sums = _status_sums(Commitment.status)
    stmt = (select(key.label("key"), *sums).where(where, key.is_not(None)).group_by(key)
            .order_by(sums[-1].desc(), key.desc()).limit(limit))
    return list(db.session.execute(stmt).all())


def _tallied_top(kind: str, subject: Any, limit: int) -> list[Any]:
    """The maintained counters' top *limit* subjects of *kind*: a backwards range of the (kind, total, id) index.

    Only subjects that still exist (*subject*: their id column): a deleted contact or user leaves its
    commitments pointing nowhere and its counter row behind."""
    t = CommitmentTally
    return list(db.session.execute(
        select(t.subject_id, t.kept, t.partly_kept, t.broken, t.open)
        .where(t.subject_kind == kind, select(subject).where(subject == t.subject_id).exists())
        .order_by(t.total.desc(), t.subject_id.desc()).limit(limit)).all())


def _roots_of(organisations: Any) -> Any:
    """(org, root) for each organisation id in the *organisations* subquery's "org" column, climbing the tree."""
    up = (
        select(
            organisations.c.org.label("org"),
            Organisation.id.label("node"),
            Organisation.parent_id.label("parent"),
            literal(0).label("depth"),
        )
        .join(Organisation, Organisation.id == organisations.c.org)
        .cte("roots_up", recursive=True)
    )
    up = up.union_all(select(up.c.org, Organisation.id, Organisation.parent_id, up.c.depth + 1)
                      .join(Organisation, Organisation.id == up.c.parent).where(up.c.depth < tallies.MAX_DEPTH))
    return select(up.c.org, up.c.node.label("root")).where(up.c.parent.is_(None)).subquery("roots")


def scorecards(user: Any, *, limit: int = 25) -> dict[str, list[Score]]:
    """Kept / partly kept / broken / open per contact, per top-level organisation (with its offices), per partner.

    Ranked by commitments (withdrawn ones aside), most first, ties by the newest subject. Staff read the
    maintained counters (`tallies`); partners, who see only some commitments, get the same numbers grouped,
    ranked and limited in SQL over what they may see. A fixed number of statements either way.
    """
    if has_capability(user, Capability.VIEW_ALL_MEETINGS):
        by_contact = _tallied_top("contact", Contact.id, limit)
        by_partner = _tallied_top("partner", User.id, limit)
        by_root = _tallied_top(tallies.ROOT, Organisation.id, limit)  # kept in step with moves in the tree
    else:
        visible = visible_commitments_listed(user)
        by_contact = _top(Commitment.contact_id, visible, limit)
        by_partner = _top(Commitment.accountable_id, visible, limit)
        per_org = (select(Commitment.organisation_id.label("org"), *_status_sums(Commitment.status))
                   .where(visible, Commitment.organisation_id.is_not(None))
                   .group_by(Commitment.organisation_id).subquery("per_org"))
        # Up the tree from the organisations the partner's commitments name, not down from every root.
        roots = _roots_of(per_org)
        cols = [func.sum(per_org.c[name]) for name in ("kept", "partly_kept", "broken", "open")]
        by_root = db.session.execute(
            select(roots.c.root, *cols).join(per_org, per_org.c.org == roots.c.org).group_by(roots.c.root)
            .order_by(func.sum(per_org.c.total).desc(), roots.c.root.desc()).limit(limit)).all()
    c_ids = [r[0] for r in by_contact]
    p_ids = [r[0] for r in by_partner]
    o_ids = [r[0] for r in by_root]
    names_c = {c.id: c.full_name for c in db.session.scalars(select(Contact).where(Contact.id.in_(c_ids)))} \
        if c_ids else {}
    names_p = user_names(p_ids)
    names_o = {i: acronym or name for i, name, acronym in db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.acronym).where(Organisation.id.in_(o_ids)))} \
        if o_ids else {}

    def cards(rows: Sequence[Any], names: dict[int, str]) -> list[Score]:
        return [Score(names.get(r[0], "?"), r[0], kept=int(r[1]), partly_kept=int(r[2]), broken=int(r[3]),
                      open=int(r[4])) for r in rows]

    return {"contacts": cards(by_contact, names_c), "organisations": cards(by_root, names_o),
            "partners": cards(by_partner, names_p)}


@dataclass
class RegisterChoices:
    """What the register's pickers hold, for showing by name (None: nothing chosen, or nothing found)."""

    contact: Contact | None = None
    organisation: Organisation | None = None
    accountable: str | None = None  #: the partner's name


def register_choices(
    contact_id: int | None, organisation_id: int | None, accountable_id: int | None
) -> RegisterChoices:
    """The register's chosen target, organisation and partner: a primary-key read for each one chosen."""
    return RegisterChoices(db.session.get(Contact, contact_id) if contact_id else None,
                           db.session.get(Organisation, organisation_id) if organisation_id else None,
                           user_names([accountable_id]).get(accountable_id) if accountable_id else None)
