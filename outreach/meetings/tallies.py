"""Maintained scorecard counters: commitments per contact, organisation and partner, per status bucket.

Staff scorecards read these (an index range, not a scan of every commitment). They are kept in step:
- by ORM events on Commitment (insert, a change of status / contact / organisation / partner, delete), so the
  services (record_commitment, change_commitment_status, the overdue job) update them in the same transaction;
- by `recount()` after bulk SQL that bypasses the ORM (the contact and organisation merge listeners);
- by `rebuild()` (the bulk seeder; safe to run any time: it recounts everything from the commitments).
Organisation rows count each organisation's own commitments; root rows (kind "root") count a top-level
organisation with every office under it. Those follow the tree: a commitment counts for the root of its
organisation at the time, and when an organisation moves (a new parent, by a form, an import or a merge)
the roots it left and joined are recounted from their offices' rows.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Iterable

from sqlalchemy import case, delete, event, func, insert, inspect, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from outreach.contacts.models import Organisation
from outreach.core.db import db
from outreach.meetings.models import LIVE_COMMITMENT_STATUSES, Commitment, CommitmentStatus, CommitmentTally

#: subject kind -> the Commitment column naming the subject
SUBJECTS = {"contact": "contact_id", "organisation": "organisation_id", "partner": "accountable_id"}
BUCKETS = ("kept", "partly_kept", "broken", "open", "withdrawn")
ROOT = "root"  #: a top-level organisation with its offices
#: Deeper than any real tree; bounds the walks should a cycle ever slip in.
MAX_DEPTH = 50


def bucket_of(status: str) -> str:
    return "open" if status in LIVE_COMMITMENT_STATUSES else status


def _deltas(status: str, sign: int) -> dict[str, int]:
    bucket = bucket_of(status)
    out = {b: 0 for b in BUCKETS}
    out["total"] = 0
    if bucket in out:
        out[bucket] = sign
        if bucket != CommitmentStatus.WITHDRAWN.value:
            out["total"] = sign
    return out


def _apply(connection: Any, kind: str, subject_id: int | None, status: str | None, sign: int) -> None:
    if subject_id is None or status is None:
        return
    values = _deltas(status, sign)
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(CommitmentTally).values(subject_kind=kind, subject_id=subject_id, **values)
    table = CommitmentTally.__table__
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.subject_kind, table.c.subject_id],
                                      set_={k: table.c[k] + stmt.excluded[k] for k in values})
    connection.execute(stmt)


def _old(state: Any, attr: str) -> Any:
    history = state.attrs[attr].history
    if history.has_changes():
        return history.deleted[0] if history.deleted else None
    return getattr(state.obj(), attr)


def _root_of(connection: Any, organisation_id: int | None) -> int | None:
    """The top-level organisation above (or being) this one."""
    if organisation_id is None:
        return None
    o = Organisation.__table__
    up = select(o.c.id, o.c.parent_id, literal(0).label("depth")).where(o.c.id == organisation_id).cte(
        "tally_up", recursive=True)
    up = up.union_all(select(o.c.id, o.c.parent_id, up.c.depth + 1).where(o.c.id == up.c.parent_id,
                                                                          up.c.depth < MAX_DEPTH))
    return connection.execute(select(up.c.id).where(up.c.parent_id.is_(None))).scalar()


def _apply_all(connection: Any, subjects: dict[str, Any], status: str | None, sign: int) -> None:
    for kind, subject_id in subjects.items():
        _apply(connection, kind, subject_id, status, sign)
    if subjects.get("organisation") is not None:
        _apply(connection, ROOT, _root_of(connection, subjects["organisation"]), status, sign)


@event.listens_for(Commitment, "after_insert")
def _after_insert(_mapper: Any, connection: Any, target: Commitment) -> None:
    _apply_all(connection, {kind: getattr(target, column) for kind, column in SUBJECTS.items()},
               target.status, +1)


@event.listens_for(Commitment, "after_update")
def _after_update(_mapper: Any, connection: Any, target: Commitment) -> None:
    state = inspect(target)
    old_status = _old(state, "status")
    old = {kind: _old(state, column) for kind, column in SUBJECTS.items()}
    new = {kind: getattr(target, column) for kind, column in SUBJECTS.items()}
    changed = {kind for kind in SUBJECTS if old[kind] != new[kind] or old_status != target.status}
    if changed:
        _apply_all(connection, {k: v for k, v in old.items() if k in changed}, old_status, -1)
        _apply_all(connection, {k: v for k, v in new.items() if k in changed}, target.status, +1)


@event.listens_for(Commitment, "after_delete")
def _after_delete(_mapper: Any, connection: Any, target: Commitment) -> None:
    state = inspect(target)
    _apply_all(connection, {kind: _old(state, column) for kind, column in SUBJECTS.items()},
               _old(state, "status"), -1)


@event.listens_for(Organisation, "after_update")
def _after_organisation_update(_mapper: Any, connection: Any, target: Organisation) -> None:
    """An organisation with a new parent takes its offices' commitments to another root."""
    history = inspect(target).attrs.parent_id.history
    if not history.has_changes():
        return
    old_parent = history.deleted[0] if history.deleted else None
    left = _root_of(connection, old_parent) if old_parent is not None else target.id
    _recount_roots(connection, {left, _root_of(connection, target.id)})


def _subtree_sums(start: Any) -> Any:
    """(root, kept, ..., total) summed over each starting organisation's offices' own rows."""
    o, t = Organisation.__table__, CommitmentTally.__table__
    tree = select(o.c.id.label("id"), o.c.id.label("root"), literal(0).label("depth")).where(start).cte(
        "tally_tree", recursive=True)
    tree = tree.union_all(select(o.c.id, tree.c.root, tree.c.depth + 1).where(o.c.parent_id == tree.c.id,
                                                                              tree.c.depth < MAX_DEPTH))
    return (select(literal(ROOT, CommitmentTally.subject_kind.type), tree.c.root,
                   *(func.sum(t.c[name]) for name in (*BUCKETS, "total")))
            .join(t, (t.c.subject_kind == "organisation") & (t.c.subject_id == tree.c.id)).group_by(tree.c.root))


def _recount_roots(connection: Any, organisation_ids: Iterable[int | None]) -> None:
    """Recount the root rows of these organisations from their offices' rows (those no longer roots lose theirs)."""
    ids = sorted({i for i in organisation_ids if i is not None})
    if not ids:
        return
    o, t = Organisation.__table__, CommitmentTally.__table__
    connection.execute(delete(t).where(t.c.subject_kind == ROOT, t.c.subject_id.in_(ids)))
    connection.execute(insert(t).from_select(_COLUMNS, _subtree_sums(o.c.id.in_(ids) & o.c.parent_id.is_(None))))


def _counts(kind: str) -> Any:
    """(kind, subject_id, kept, partly_kept, broken, open, withdrawn, total) grouped from the commitments."""
    key = getattr(Commitment, SUBJECTS[kind])

    def n(test: Any) -> Any:
        return func.coalesce(func.sum(case((test, 1), else_=0)), 0)

    status = Commitment.status
    return (select(literal(kind, CommitmentTally.subject_kind.type).label("subject_kind"), key,
                   n(status == CommitmentStatus.KEPT.value), n(status == CommitmentStatus.PARTLY_KEPT.value),
                   n(status == CommitmentStatus.BROKEN.value), n(status.in_(LIVE_COMMITMENT_STATUSES)),
                   n(status == CommitmentStatus.WITHDRAWN.value),
                   n(status != CommitmentStatus.WITHDRAWN.value))
            .where(key.is_not(None)).group_by(key))


_COLUMNS = ["subject_kind", "subject_id", *BUCKETS, "total"]


def recount(kind: str, subject_ids: Iterable[int | None]) -> None:
    """Recount these subjects from the commitments (after bulk SQL that moved commitments between them)."""
    ids = sorted({i for i in subject_ids if i is not None})
    if not ids:
        return
    db.session.execute(delete(CommitmentTally).where(CommitmentTally.subject_kind == kind,
                                                     CommitmentTally.subject_id.in_(ids)))
    key = getattr(Commitment, SUBJECTS[kind])
    db.session.execute(insert(CommitmentTally).from_select(_COLUMNS, _counts(kind).where(key.in_(ids))))
    if kind == "organisation":
        connection = db.session.connection()
        _recount_roots(connection, {_root_of(connection, i) for i in ids})


def rebuild() -> None:
    """Recount every tally from the commitments."""
    db.session.execute(delete(CommitmentTally))
    for kind in SUBJECTS:
        db.session.execute(insert(CommitmentTally).from_select(_COLUMNS, _counts(kind)))
    o = Organisation.__table__
    db.session.execute(insert(CommitmentTally).from_select(_COLUMNS, _subtree_sums(o.c.parent_id.is_(None))))
