"""Extension points: panels on pages, navigation items.

`core` and lower features cannot import higher ones, so a higher feature registers what it
contributes here at app set-up, and the page asks for everything registered for its slot.
Slots in use: "home" (the Today page; context: user, now), "contact.detail",
"organisation.detail", "meeting.detail" and "commitment.detail" (context adds the record; the meeting page also
passes can_edit), "meeting.actions" (buttons beside a meeting's Edit; context adds meeting) and
"meetings.list.actions" (beside "Log a meeting"; context adds filters, the list's query arguments).
Row actions: "public_directory.contact".

A panel's build(user, now, **context) returns the template context, or None to show nothing.

Form fields: a higher feature adds a field to a lower feature's form (slot "meeting": the meeting
form). The form renders the field's template with build(user, now, value=..., record=..., **context);
the submitted value reaches the lower feature's service untouched (as `extras[key]`) and travels on
in its signal, where the higher feature validates and stores it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable

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
    #: A lazy label: items sharing it open from one menu, so the bar holds every feature at 1366 px.
    group: Any = None


@dataclass
class NavGroup:
    label: Any
    items: list[NavItem]

    def is_active(self, endpoint: str | None) -> bool:
        return any(nav_is_active(item, endpoint) for item in self.items)


_NAV: dict[str, NavItem] = {}


def register_nav_item(item: NavItem) -> None:
    _NAV[item.endpoint] = item


def nav_items_for(user: Any) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    role = Role(user.role)
    return sorted((n for n in _NAV.values() if role in n.roles), key=lambda n: n.order)


def nav_is_active(item: NavItem, endpoint: str | None) -> bool:
    """Whether the page at *endpoint* belongs to *item* (its own endpoint, those it names, or its blueprint's)."""
    endpoint = endpoint or ""
    if endpoint == item.endpoint or endpoint in item.active_for:
        return True
    return (not item.active_for and item.endpoint != "home.today"
            and endpoint.startswith(item.endpoint.split(".")[0] + "."))


def nav_entries_for(user: Any) -> list[NavItem | NavGroup]:
    """The bar's entries: items, and menus of the items that share a group (at its first item's place); a group
    with a single item for this role is shown as that item."""
    entries: list[NavItem | NavGroup] = []
    groups: dict[str, NavGroup] = {}
    for item in nav_items_for(user):
        if item.group is None:
            entries.append(item)
            continue
        if str(item.group) not in groups:
            groups[str(item.group)] = NavGroup(item.group, [])
            entries.append(groups[str(item.group)])
        groups[str(item.group)].items.append(item)
    return [e.items[0] if isinstance(e, NavGroup) and len(e.items) == 1 else e for e in entries]


@dataclass(frozen=True)
class FormField:
    key: str  #: the submitted field's name; unique across every feature
    form: str  #: the slot: "meeting"
    template: str
    #: build(user, now, *, value, record, **context) -> template context, or None to leave the field out
    build: Callable[..., dict[str, Any] | None]
    roles: frozenset[Role] = field(default=ALL_ROLES)
    order: int = 50


_FORM_FIELDS: dict[tuple[str, str], FormField] = {}
#: A submitted extension value longer than this is a mistake, not data.
MAX_FORM_FIELD_VALUE = 200


def register_form_field(item: FormField) -> None:
    _FORM_FIELDS[(item.form, item.key)] = item


def form_fields_for(form: str, user: Any) -> list[FormField]:
    role = Role(user.role)
    return sorted((f for (slot, _k), f in _FORM_FIELDS.items() if slot == form and role in f.roles),
                  key=lambda f: f.order)


def submitted_form_fields(form: str, user: Any, submitted: Any) -> dict[str, str]:
    """The values of *form*'s added fields in *submitted* (a request's form), trimmed and bounded."""
    out = {}
    for item in form_fields_for(form, user):
        value = (submitted.get(item.key) or "").strip()
        out[item.key] = value[:MAX_FORM_FIELD_VALUE + 1]
    return out


def build_form_fields(form: str, user: Any, now: Any, values: dict[str, str] | None,
                      **context: Any) -> list[tuple[FormField, dict[str, Any]]]:
    """Every added field of *form* with its template context; *values* None means "not submitted yet"."""
    built = []
    for item in form_fields_for(form, user):
        value = None if values is None else values.get(item.key, "")
        ctx = item.build(user, now, value=value, **context)
        if ctx is not None:
            built.append((item, ctx))
    return built


@dataclass(frozen=True)
class RowAction:
    """A link a higher feature adds to each row of a lower feature's list (e.g. "Request an introduction"
    on the public directory), built as url_for(endpoint, **{argument: row.id})."""

    slot: str
    endpoint: str
    argument: str
    label: Any  #: a lazy string
    roles: frozenset[Role]


_ROW_ACTIONS: dict[tuple[str, str], RowAction] = {}


def register_row_action(action: RowAction) -> None:
    _ROW_ACTIONS[(action.slot, action.endpoint)] = action


def row_actions_for(slot: str, user: Any) -> list[RowAction]:
    if not getattr(user, "is_authenticated", False):
        return []
    role = Role(user.role)
    return [a for (s, _e), a in sorted(_ROW_ACTIONS.items()) if s == slot and role in a.roles]
