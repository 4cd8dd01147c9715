"""The objective-source extension point: where a campaign objective's current value can come from, besides
what campaigns derive from their own and the meetings' data.

`core` cannot import features, and campaigns may not import monitoring; so a feature that can measure something a
campaign aims at (monitoring: "participation rated adequate or better in the renewed mandate") registers an
`ObjectiveMetric` here at app set-up. Campaigns list it in the objective form with its parameters, store the key in
``Objective.source`` and the parameters as text, and ask ``current`` for the values on their pages and dashboard:
one call per metric for every objective shown, never one per objective.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from collections.abc import Callable, Mapping

#: Longest key: campaign objectives store it in a 20-character column.
MAX_KEY = 20
#: Longest stored parameter text ("name=value;name=value").
MAX_PARAMS = 200


@dataclass(frozen=True)
class MetricParameter:
    name: str  #: "instrument"
    label: Any  #: a lazy string for the form
    choices: Callable[[], list[tuple[str, str]]]  #: (value, label) pairs; nothing else is accepted


@dataclass(frozen=True)
class MetricRequest:
    """One objective whose value is asked for."""

    objective_id: int
    campaign_id: int
    params: Mapping[str, str]
    since: date  #: the campaign's start: what "the next version", "since the campaign began" count from


@dataclass(frozen=True)
class ObjectiveMetric:
    key: str  #: stored in Objective.source: "assessment_rating"
    label: Any  #: the form's choice: "An instrument's assessment rating"
    parameters: tuple[MetricParameter, ...]
    #: The current values of many objectives at once: {objective_id: value}. A missing id reads as 0.
    current: Callable[[list[MetricRequest]], dict[int, float]]
    #: Many objectives' parameters in words, in one go, for the campaign and objective pages:
    #: ["participation rated adequate or better in ...", ...]
    describe: Callable[[list[Mapping[str, str]]], list[str]]
    help: Any = None  #: a sentence under the form's parameters: how the value is read


_METRICS: dict[str, ObjectiveMetric] = {}


def register_objective_metric(metric: ObjectiveMetric) -> None:
    if len(metric.key) > MAX_KEY:
        raise ValueError(f"objective metric key {metric.key!r} is longer than {MAX_KEY} characters")
    _METRICS[metric.key] = metric


def objective_metrics() -> list[ObjectiveMetric]:
    return sorted(_METRICS.values(), key=lambda m: m.key)


def objective_metric(key: str | None) -> ObjectiveMetric | None:
    return _METRICS.get(key or "")


def format_params(params: Mapping[str, str]) -> str:
    return ";".join(f"{name}={value}" for name, value in params.items())


def parse_params(text: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (text or "").split(";"):
        name, sep, value = part.partition("=")
        if sep:
            out[name] = value
    return out


def clean_params(metric: ObjectiveMetric, raw: Mapping[str, Any]) -> dict[str, str] | None:
    """The metric's parameters from *raw* (a form), each one of its choices; None when one is missing or unknown."""
    out: dict[str, str] = {}
    for parameter in metric.parameters:
        value = raw.get(parameter.name)
        if not isinstance(value, str) or value not in {v for v, _label in parameter.choices()}:
            return None
        out[parameter.name] = value
    return out if len(format_params(out)) <= MAX_PARAMS else None
