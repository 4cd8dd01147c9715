"""Time discipline: aware UTC instants inside, IANA zones only at the edges."""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones


def now_utc() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


@lru_cache(maxsize=1)
def iana_zones() -> frozenset[str]:
    """Every IANA zone name this machine knows (from the system database or tzdata)."""
    return frozenset(available_timezones())


def is_valid_zone(name: str) -> bool:
    return name in iana_zones()


@lru_cache(maxsize=1)
def common_zone_choices() -> tuple[tuple[str, str], ...]:
    """Zone names for a picker, sorted, with UTC first (built once per process)."""
    names = sorted(z for z in iana_zones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")))
    return (("UTC", "UTC"),) + tuple((z, z.replace("_", " ")) for z in names)


def to_zone(instant: datetime, zone: str) -> datetime:
    """Convert an aware instant to wall-clock time in *zone*."""
    return instant.astimezone(ZoneInfo(zone))
