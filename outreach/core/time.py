"""Time discipline: aware UTC instants inside, IANA zones only at the edges."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, UTC
from functools import lru_cache
from pathlib import Path
from collections.abc import Iterable
from zoneinfo import TZPATH, ZoneInfo, available_timezones

import pytz


def now_utc() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


@lru_cache(maxsize=1)
def iana_zones() -> frozenset[str]:
    """Every zone name that each of our formatters knows: zoneinfo (the system database or tzdata),
    and pytz, which Flask-Babel formats dates with.

    The system database also lists "localtime" and "Factory", which pytz does not know: a user
    with either would get an error on every page, the settings page included.
    """
    return frozenset(available_timezones() & pytz.all_timezones_set)


def is_valid_zone(name: str) -> bool:
    return name in iana_zones()


def safe_zone(name: str | None) -> str:
    """*name* if every formatter knows it, else "UTC": one bad stored value never breaks a page."""
    return name if name and is_valid_zone(name) else "UTC"


@lru_cache(maxsize=1)
def common_zone_choices() -> tuple[tuple[str, str], ...]:
    """Zone names for a picker, sorted, with UTC first (built once per process)."""
    names = sorted(z for z in iana_zones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")))
    return (("UTC", "UTC"),) + tuple((z, z.replace("_", " ")) for z in names)


@lru_cache(maxsize=1)
def zones_by_country() -> dict[str, tuple[str, ...]]:
    """ISO 3166 alpha-2 code -> the country's IANA zones, from the system's zone.tab (empty if it has none)."""
    for folder in TZPATH:
        table = Path(folder) / "zone.tab"
        if table.is_file():
            found: dict[str, list[str]] = {}
            for line in table.read_text().splitlines():
                if line and not line.startswith("#"):
                    code, _coordinates, zone, *_comment = line.split("\t")
                    found.setdefault(code, []).append(zone)
            return {code: tuple(zones) for code, zones in found.items()}
    return {}


def suggested_zones(zones: Iterable[str | None]) -> tuple[tuple[str, str], ...]:
    """(zone, label) for the picker's first group: the valid ones among *zones*, once each, in order."""
    return tuple((z, z.replace("_", " ")) for z in dict.fromkeys(z for z in zones if z and is_valid_zone(z)))


def to_zone(instant: datetime, zone: str) -> datetime:
    """Convert an aware instant to wall-clock time in *zone* (UTC if the zone is unknown)."""
    return instant.astimezone(ZoneInfo(safe_zone(zone)))


# -- between a zone's wall clock and UTC (forms, filters, the worker's schedules) -------------------

def local_to_utc(day: date, at: time, zone: str) -> datetime:
    """A wall-clock date and time in *zone* as an aware UTC instant.

    An ambiguous time (the hour repeated when the clocks go back) is deliberately read as its
    *first* occurrence (``fold=0``, still on summer time); a time that does not exist (skipped when
    the clocks go forward) must be refused first with :func:`missing_local_time`.
    """
    return datetime.combine(day, at).replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)


def missing_local_time(day: date, at: time, zone: str) -> bool:
    """True when *at* on *day* never shows on the clocks in *zone* (a daylight-saving gap)."""
    local = datetime.combine(day, at).replace(tzinfo=ZoneInfo(zone))
    back = local.astimezone(UTC).astimezone(ZoneInfo(zone))
    return back.replace(tzinfo=None) != local.replace(tzinfo=None)


def day_start(day: date, zone: str = "UTC") -> datetime:
    """The instant (in UTC) at which *day* begins on the clocks of *zone*."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def local_date(instant: datetime, zone: str) -> date:
    """The date on the clocks of *zone* at *instant*."""
    return instant.astimezone(ZoneInfo(zone)).date()


def local_day_bounds(zone: str, now: datetime) -> tuple[datetime, datetime]:
    """The UTC bounds (start, end) of the day in *zone* that contains *now*."""
    today = local_date(now, zone)
    return day_start(today, zone), day_start(today + timedelta(days=1), zone)


def today_at(zone: str, hour: int, now: datetime) -> datetime:
    """*hour* o'clock today in *zone* (the day that contains *now* there), in UTC."""
    return datetime.combine(local_date(now, zone), time(hour, 0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
