"""Maintained scorecard counters: commitments per contact, organisation and partner, per status bucket.

Staff scorecards read these (an index range, not a scan of every commitment). They are kept in step:
- by ORM events on Commitment (insert, a change of status / contact / organisation / partner, delete), so the
  services (record_commitment, change_commitment_status, the overdue job) update them in the same transaction;
- by `recount()` after bulk SQL that bypasses the ORM (the contact and organisation merge listeners);
- by `rebuild()` (the bulk seeder; safe to run any time: it recounts everything from the commitments).
Organisation rows count each organisation's own commitments; rolling up to root organisations happens on
read against the tree as it is, so moving an office in the tree needs no maintenance here.
"""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import case, delete, event, func, insert, inspect, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from outreach.core.db import db
from outreach.meetings.models import LIVE_COMMITMENT_STATUSES, Commitment, CommitmentStatus, CommitmentTally

#: subject kind -> the Commitment column naming the subject
SUBJECTS = {"contact": "contact_id", "organisation": "organisation_id", "partner": "accountable_id"}
BUCKETS = ("kept", "partly_kept", "broken", "open", "withdrawn")


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


@event.listens_for(Commitment, "after_insert")
def _after_insert(_mapper: Any, connection: Any, target: Commitment) -> None:
    for kind, column in SUBJECTS.items():
        _apply(connection, kind, getattr(target, column), target.status, +1)


@event.listens_for(Commitment, "after_update")
def _after_update(_mapper: Any, connection: Any, target: Commitment) -> None:
    state = inspect(target)
    old_status = _old(state, "status")
    for kind, column in SUBJECTS.items():
        old_subject, new_subject = _old(state, column), getattr(target, column)
        if old_subject == new_subject and old_status == target.status:
            continue
        _apply(connection, kind, old_subject, old_status, -1)
        _apply(connection, kind, new_subject, target.status, +1)


@event.listens_for(Commitment, "after_delete")
def _after_delete(_mapper: Any, connection: Any, target: Commitment) -> None:
    state = inspect(target)
    for kind, column in SUBJECTS.items():
        _apply(connection, kind, _old(state, column), _old(state, "status"), -1)


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


def rebuild() -> None:
    """Recount every tally from the commitments."""
    db.session.execute(delete(CommitmentTally))
    for kind in SUBJECTS:
        db.session.execute(insert(CommitmentTally).from_select(_COLUMNS, _counts(kind)))
