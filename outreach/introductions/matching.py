"""Which partner is best placed to open a door: a pure, deterministic ranking with its reasons in words.

Input are plain facts (gathered by `outreach.introductions.queries.matching_facts` in two aggregate
queries); output is the candidates in order, each with a score and the sentences that explain it.
No database, no clock: `now` is an argument, so the same facts always give the same ranking.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from babel import Locale

#: Recency: a meeting's weight halves every HALF_LIFE_DAYS.
HALF_LIFE_DAYS = 180
W_RECENT = 6.0  #: each meeting together in the last 90 days
W_YEAR = 3.0  #: each one in the last year (before that)
W_OLDER = 1.0  #: each older one
CAP_MEETINGS = 30.0
W_LAST = 10.0  #: the most recent meeting, decayed
#: Each meeting together that the target asked for: contact she sought says more than contact we sought.
W_ASKED = 4.0
CAP_ASKED = 12.0
W_STRENGTH = 5.0  #: per point of the self-rated strength (1-5)
W_OFFICE = 4.0  #: per person she knows in the target's office
CAP_OFFICE = 16.0
W_FORMER = 2.0  #: per person she knows where the target used to work
CAP_FORMER = 8.0
W_NEAR = 1.5  #: per person she knows in the parent or a sister office
CAP_NEAR = 6.0
W_LANGUAGE = 5.0
CAP_LANGUAGE = 10.0
W_REGION = 5.0
W_LOAD = 3.0  #: penalty per open introduction she already carries
CAP_LOAD = 15.0


@dataclass(frozen=True)
class Target:
    """What matters about the request: the target's countries and the languages asked for."""

    countries: frozenset[str] = frozenset()  #: the target's and her office's, and the activist's
    languages: frozenset[str] = frozenset()  #: the request's (or the activist's) languages


@dataclass
class Candidate:
    """What is known about one partner, relative to the target."""

    user_id: int
    name: str
    meetings: int = 0  #: held meetings where she and the target both attended
    meetings_90d: int = 0
    meetings_365d: int = 0
    last_met_at: datetime | None = None
    met_at_their_request: int = 0  #: of those meetings, the ones the target asked for
    strength: int | None = None  #: her self-rated relationship with the target (1-5)
    same_office: int = 0  #: people she knows who work in the target's office now
    former_office: int = 0  #: people she knows in offices the target used to hold a post in
    near_office: int = 0  #: people she knows in the parent or sister offices
    languages: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    open_introductions: int = 0
    declined_before: bool = False  #: she already declined this request


@dataclass
class Ranked:
    candidate: Candidate
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        return "; ".join(self.reasons)


def ago(then: datetime, now: datetime) -> str:
    days = max(0, (now - then).days)
    if days < 1:
        return "today"
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''} ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


@lru_cache(maxsize=512)
def language_name(code: str) -> str:
    try:
        return Locale("en").languages.get(code, code)
    except (ValueError, TypeError):
        return code


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    return Locale("en").territories.get(code, code)


def _parts(c: Candidate, target: Target, now: datetime, *, words: bool) -> list[tuple[float, str]]:
    """Each signal's points and, when *words*, the sentence that explains it (ranking 2,000 partners needs the
    points of all of them but the words of the first few only)."""
    parts: list[tuple[float, str]] = []
    if c.meetings:
        older = c.meetings - c.meetings_365d
        year = c.meetings_365d - c.meetings_90d
        together = min(CAP_MEETINGS, W_RECENT * c.meetings_90d + W_YEAR * year + W_OLDER * older)
        if c.last_met_at is not None:
            days = max(0.0, (now - c.last_met_at).total_seconds() / 86400)
            together += W_LAST * 0.5 ** (days / HALF_LIFE_DAYS)
        asked = min(c.met_at_their_request, c.meetings)
        together += min(CAP_ASKED, W_ASKED * asked)
        text = ""
        if words:
            times = "once" if c.meetings == 1 else f"{c.meetings} times"
            text = f"met the target {times}" + (f", last {ago(c.last_met_at, now)}" if c.last_met_at else "")
            if asked:
                text += (", at the target's request" if c.meetings == 1 else
                         f", {'once' if asked == 1 else f'{asked} times'} at the target's request")
        parts.append((together, text))
    if c.strength:
        parts.append((W_STRENGTH * c.strength, words and f"rates her relationship with the target {c.strength}/5"))
    if c.same_office:
        parts.append((min(CAP_OFFICE, W_OFFICE * c.same_office),
                      words and f"knows {_people(c.same_office)} in the same office"))
    if c.former_office:
        parts.append((min(CAP_FORMER, W_FORMER * c.former_office),
                      words and f"knows {_people(c.former_office)} where the target used to work"))
    if c.near_office:
        parts.append((min(CAP_NEAR, W_NEAR * c.near_office),
                      words and f"knows {_people(c.near_office)} in the parent or sister offices"))
    shared = c.languages & target.languages
    if shared:
        parts.append((min(CAP_LANGUAGE, W_LANGUAGE * len(shared)),
                      words and "speaks " + " and ".join(language_name(code) for code in sorted(shared))))
    places = c.countries & target.countries
    if places:
        parts.append((W_REGION, words and "works in " + " and ".join(country_name(code) for code in sorted(places))))
    return parts


def points(candidate: Candidate, target: Target, now: datetime) -> float:
    """The score alone (what `score` computes, without its words)."""
    total = sum(p for p, _text in _parts(candidate, target, now, words=False))
    if candidate.open_introductions:
        total -= min(CAP_LOAD, W_LOAD * candidate.open_introductions)
    return round(total, 2)


def score(candidate: Candidate, target: Target, now: datetime) -> Ranked:
    """One partner's score and its reasons, strongest first."""
    c = candidate
    parts = sorted(_parts(c, target, now, words=True), key=lambda p: -p[0])
    reasons = [text for _points, text in parts]
    if c.open_introductions:
        n = c.open_introductions
        reasons.append(f"{n} open introduction{'s' if n != 1 else ''}")
    if c.declined_before:
        reasons.append("declined this request before")
    if not parts:
        reasons.insert(0, "no known link to the target")
    return Ranked(candidate=c, score=points(c, target, now), reasons=reasons)


def rank(candidates: list[Candidate], target: Target, now: datetime, *, limit: int | None = None) -> list[Ranked]:
    """Candidates best placed first; ties broken by name then id, so the order never wobbles.

    Partners who declined this request before go last, whatever their score.
    """
    order = sorted(((c.declined_before, -points(c, target, now), c.name.lower(), c.user_id, c) for c in candidates),
                   key=lambda row: row[:4])
    chosen = order[:limit] if limit is not None else order
    return [score(row[4], target, now) for row in chosen]
