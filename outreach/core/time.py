"""Time discipline: aware UTC instants inside, IANA zones only at the edges."""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterable
from zoneinfo import TZPATH, ZoneInfo, available_timezones

import pytz


def now_utc() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


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
