"""An objective read from the assessments: "participation rated adequate or better in the renewed mandate".

Monitoring registers it through core's objective-source extension point (campaigns may not import monitoring).
An objective of this kind names one instrument, one criterion, the lowest rating that counts, and which version is
read: "the next version" (one that takes effect on or after the campaign's start, so the mandate in force when the
campaign began does not count) or "the latest version" (whatever is in force). Its value is 1 when that version's
current rating of the criterion reaches the threshold, else 0: a yes/no the campaign tracks with a target value
of 1, and which reads 0 until the instrument is renewed and rated.
"""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from outreach.core.db import db
from outreach.core.ids import parse_id
from outreach.core.metrics import MetricParameter, MetricRequest, ObjectiveMetric, register_objective_metric
from outreach.monitoring import queries
from outreach.monitoring.forms import RATING_LABELS
from outreach.monitoring.models import Assessment, Criterion, Instrument, InstrumentVersion

KEY = "assessment_rating"
NEXT, LATEST = "next", "latest"
VERSION_LABELS = {NEXT: _l("the next version (in force from the campaign's start)"),
                  LATEST: _l("the latest version")}


def _instruments() -> list[tuple[str, str]]:
    return [(str(i), name) for i, name in queries.instrument_choices()]


def _criteria() -> list[tuple[str, str]]:
    return [(key, name) for key, name in db.session.execute(
        select(Criterion.key, Criterion.name).where(Criterion.is_archived.is_(False))
        .order_by(Criterion.position, Criterion.id))]


def _thresholds() -> list[tuple[str, str]]:
    return [(str(r), _l("%(rating)s or better", rating=label)) for r, label in RATING_LABELS.items() if r > 0]


def _versions() -> list[tuple[str, str]]:
    return list(VERSION_LABELS.items())


def ratings_met(requests: list[MetricRequest]) -> dict[int, float]:
    """1 for each objective whose instrument's chosen version rates the criterion at or above the threshold: two
    queries for every objective on the page."""
    instrument_ids = {parse_id(r.params.get("instrument", "")) for r in requests} - {None}
    if not instrument_ids:
        return {}
    latest = {iid: (vid, effective) for iid, vid, effective in db.session.execute(
        select(Instrument.id, Instrument.latest_version_id, InstrumentVersion.effective_on)
        .join(InstrumentVersion, InstrumentVersion.id == Instrument.latest_version_id)
        .where(Instrument.id.in_(sorted(instrument_ids))))}
    ratings = {(vid, key): rating for vid, key, rating in db.session.execute(
        select(Assessment.version_id, Criterion.key, Assessment.rating)
        .join(Criterion, Criterion.id == Assessment.criterion_id)
        .where(Assessment.version_id.in_([vid for vid, _e in latest.values()]), Assessment.is_current.is_(True)))}
    values: dict[int, float] = {}
    for r in requests:
        found = latest.get(parse_id(r.params.get("instrument", "")))
        threshold = parse_id(r.params.get("at_least", ""))
        if found is None or threshold is None:
            values[r.objective_id] = 0.0
            continue
        version_id, effective_on = found
        counts = r.params.get("version") == LATEST or effective_on >= r.since
        rating = ratings.get((version_id, r.params.get("criterion")))
        values[r.objective_id] = 1.0 if counts and rating is not None and rating >= threshold else 0.0
    return values


def describe(many: list[Mapping[str, str]]) -> list[str]:
    """ "participation rated adequate or better in the next version of MINUSCA mandate", for each: two queries."""
    ids = sorted({parse_id(p.get("instrument", "")) for p in many} - {None})
    names = {i: short or title for i, short, title in db.session.execute(
        select(Instrument.id, Instrument.short_name, Instrument.title).where(Instrument.id.in_(ids)))} if ids else {}
    criteria = dict(db.session.execute(select(Criterion.key, Criterion.name)).all())
    out = []
    for params in many:
        threshold = parse_id(params.get("at_least", ""))
        version = VERSION_LABELS.get(params.get("version", ""), VERSION_LABELS[LATEST])
        out.append(str(_l("%(criterion)s rated %(rating)s or better in %(version)s of %(instrument)s",
                          criterion=criteria.get(params.get("criterion", ""), "?").lower(),
                          rating=str(RATING_LABELS.get(threshold or 0, "?")).lower(),
                          version=str(version).split(" (")[0],
                          instrument=names.get(parse_id(params.get("instrument", "")), "?"))))
    return out


def register_metric() -> None:
    register_objective_metric(ObjectiveMetric(
        KEY, _l("An instrument's assessment rating (1 when met, else 0)"),
        (MetricParameter("instrument", _l("Instrument"), _instruments),
         MetricParameter("criterion", _l("Criterion"), _criteria),
         MetricParameter("at_least", _l("Rated at least"), _thresholds),
         MetricParameter("version", _l("In"), _versions)),
        ratings_met, describe,
        help=_l("Reads the current assessment: 1 when the chosen version rates the criterion at or above the "
                "threshold, else 0. “The next version” counts only a version in force from the campaign’s start "
                "(the renewed mandate, the revised plan); set the target value to 1.")))
