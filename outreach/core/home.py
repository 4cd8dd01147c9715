"""Extension points: panels on pages, navigation items.

`core` and lower features cannot import higher ones, so a higher feature registers what it
contributes here at app set-up, and the page asks for everything registered for its slot.
Slots in use: "home" (the Today page; context: user, now), "contact.detail" and
"organisation.detail" (context adds the record), "meeting.detail" (context adds the meeting and
can_edit).

A panel's build(user, now, **context) returns the template context, or None to show nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from outreach.core.permissions import ALL_ROLES, Role


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    build: Callable[..., dict[str, Any] | None]
    slot: str = "home"
    roles: frozenset[Role] = field(default=ALL_ROLES)
    order: int = 50


_PANELS: dict[tuple[str, str], Panel] = {}


def register_panel(panel: Panel) -> None:
    _PANELS[(panel.slot, panel.key)] = panel


def panels_for(slot: str, user: Any) -> list[Panel]:
    role = Role(user.role)
    return sorted((p for (s, _k), p in _PANELS.items() if s == slot and role in p.roles), key=lambda p: p.order)


def build_panels(slot: str, user: Any, now: Any, **context: Any) -> list[tuple[Panel, dict[str, Any]]]:
    """Every panel of *slot* the user's role may see, with its context; empty ones dropped."""
    built = []
    for panel in panels_for(slot, user):
        ctx = panel.build(user, now, **context)
        if ctx is not None:
            built.append((panel, ctx))
    return built


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  #: a lazy string
    roles: frozenset[Role]
    order: int
    #: Endpoints that light this item up; empty means "any endpoint of the same blueprint".
    active_for: frozenset[str] = frozenset()


_NAV: dict[str, NavItem] = {}


def register_nav_item(item: NavItem) -> None:
    _NAV[item.endpoint] = item


def nav_items_for(user: Any) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    role = Role(user.role)
    return sorted((n for n in _NAV.values() if role in n.roles), key=lambda n: n.order)
