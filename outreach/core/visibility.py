"""Extension point: meetings a higher feature lets a partner read.

A partner sees the meetings she attended or logged, or where she is accountable for a commitment
or assigned a follow-up (`outreach/meetings/access.py`). A higher feature that gives her a further
reason — campaigns: meetings linked to campaign targets assigned to her — registers a contributor
here at app set-up instead of being imported by meetings. A contributor takes the user and returns
a SELECT of meeting ids (one indexed look-up, no scan), or None when it adds nothing for her.

What a user declares about herself (a relationship to a contact) is never a reason: contributors
must rest on what someone with authority assigned or recorded.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Callable

MeetingIdSource = Callable[[Any], Any]

_SOURCES: dict[str, MeetingIdSource] = {}


def register_visible_meeting_ids(key: str, source: MeetingIdSource) -> None:
    """Add (or replace, by *key*) a contributor of meeting ids a partner may also read."""
    _SOURCES[key] = source


def extra_visible_meeting_ids(user: Any) -> list[Any]:
    """The SELECTs every registered contributor adds for *user* (empty when none applies)."""
    return [stmt for stmt in (source(user) for _key, source in sorted(_SOURCES.items())) if stmt is not None]
