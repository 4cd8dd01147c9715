"""Bulk actions on a selection of records, contributed by higher features.

The contact list lets staff tick contacts (or take everything its filters match) and act on them at once: the
directory's own actions (tag, list, export) and those other features register here, such as campaigns' "add as
campaign targets". `contacts` never imports them.

An action names the records it acts on (slot "contacts": contact ids), the roles that may use it, the choices
it needs (a campaign to add to; none means the action is not offered to this user), and `apply`, which takes
the ids, already checked to exist, and the chosen value's id (None when the submitted value names no record), and
either changes the data (flush, one audit entry naming the count) and returns a message for the user, or raises
BulkRefused (the caller rolls back: nothing is written).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Sequence

from outreach.core.errors import ServiceError
from outreach.core.permissions import Role


class BulkRefused(ServiceError):
    """A contributed bulk action refused the selection; the message is for the user, *status* the HTTP answer."""

    def __init__(self, message: Any, field: str | None = None, status: int = 422) -> None:
        super().__init__(message, field)
        self.status = status


@dataclass(frozen=True)
class BulkAction:
    slot: str  #: "contacts"
    key: str  #: unique in its slot; submitted as the action's value
    label: Any  #: a lazy string: "Add as campaign targets"
    roles: frozenset[Role]
    #: choices(user) -> [(id, label)]: what the action needs picking (a campaign); empty hides the action
    choices: Callable[[Any], Sequence[tuple[int, str]]]
    choice_label: Any  #: a lazy string naming what is picked: "Campaign"
    #: apply(ids, choice_id, *, actor, now, ip) -> message; raises ServiceError to refuse (the caller rolls back)
    apply: Callable[..., str]
    order: int = 50


_ACTIONS: dict[tuple[str, str], BulkAction] = {}


def register_bulk_action(action: BulkAction) -> None:
    _ACTIONS[(action.slot, action.key)] = action


def bulk_actions_for(slot: str, user: Any) -> list[BulkAction]:
    """The contributed actions of *slot* the user's role may use, in order."""
    if not getattr(user, "is_authenticated", False):
        return []
    role = Role(user.role)
    return sorted((a for (s, _k), a in _ACTIONS.items() if s == slot and role in a.roles), key=lambda a: a.order)


def bulk_action(slot: str, key: str, user: Any) -> BulkAction | None:
    """The contributed action *key* of *slot*, if the user's role may use it."""
    return next((a for a in bulk_actions_for(slot, user) if a.key == key), None)
