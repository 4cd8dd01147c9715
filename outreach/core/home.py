"""Extension point for the "Today" page: each feature contributes panels for the roles it serves.

`core` cannot import features, so features register a callable here at blueprint setup; the
home view asks each for its panel. A panel is (template name, context dict) or None.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from outreach.core.permissions import Role


@dataclass(frozen=True)
class HomePanel:
    key: str
    roles: frozenset[Role]
    order: int
    build: Callable[[Any, Any], dict[str, Any] | None]  #: (user, now) -> context or None
    template: str


_PANELS: dict[str, HomePanel] = {}


def register_home_panel(panel: HomePanel) -> None:
    _PANELS[panel.key] = panel


def panels_for(user: Any) -> list[HomePanel]:
    role = Role(user.role)
    return sorted((p for p in _PANELS.values() if role in p.roles), key=lambda p: p.order)


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  #: a lazy string
    roles: frozenset[Role]
    order: int


_NAV: dict[str, NavItem] = {}


def register_nav_item(item: NavItem) -> None:
    _NAV[item.endpoint] = item


def nav_items_for(user: Any) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    role = Role(user.role)
    return sorted((n for n in _NAV.values() if role in n.roles), key=lambda n: n.order)
