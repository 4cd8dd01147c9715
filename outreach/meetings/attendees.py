"""Who attends a meeting, as the forms, the services and the other features write it down.

The one home of two rules:

- the attendee **token**: ``c:<contact id>`` for a contact (an advocacy target), ``u:<user id>`` for a user
  (a partner, a coordinator, an activist). Pickers post tokens, prefill links carry them, the meeting's
  history stores them; everything that makes or reads one goes through here.
- **who made a promise**: a commitment recorded in a meeting was made by one of the targets who attended it.
  The form checks it to show the message under the field; the service checks it again and is the authority
  (the meeting form's script only offers the attending targets as a convenience).
"""
from __future__ import annotations

from typing import Any
from collections.abc import Iterable, Sequence

from flask_babel import lazy_gettext as _l

from outreach.core.ids import parse_id

CONTACT = "c"
USER = "u"
#: Shown when a token is not one of ours (typed by hand, or left from an older page).
UNRECOGNISED = _l("An attendee could not be recognised; pick attendees from the list.")


def contact_token(contact_id: int) -> str:
    """The token of a contact attending."""
    return f"{CONTACT}:{contact_id}"


def user_token(user_id: int) -> str:
    """The token of a user attending."""
    return f"{USER}:{user_id}"


def attendance_token(attendee: Any) -> str:
    """The token of an attendance row (a contact's or a user's)."""
    return contact_token(attendee.contact_id) if attendee.contact_id else user_token(attendee.user_id)


def parse_token(token: Any) -> tuple[str, int] | None:
    """(CONTACT or USER, record id) for a well-formed token, else None (never raises, whatever the input)."""
    kind, _, raw = str(token).partition(":")
    record_id = parse_id(raw) if kind in (CONTACT, USER) else None
    return None if record_id is None else (kind, record_id)


def is_token(token: Any) -> bool:
    """Whether *token* is a well-formed attendee token."""
    return parse_token(token) is not None


def split_tokens(tokens: Iterable[Any]) -> tuple[list[int], list[int]]:
    """(contact ids, user ids) from *tokens*, each once and in order; malformed tokens are skipped."""
    contact_ids: dict[int, None] = {}
    user_ids: dict[int, None] = {}
    for parsed in map(parse_token, tokens):
        if parsed is not None:
            (contact_ids if parsed[0] == CONTACT else user_ids)[parsed[1]] = None
    return list(contact_ids), list(user_ids)


def target_ids(tokens: Iterable[Any]) -> list[int]:
    """The contacts (targets) among *tokens*."""
    return split_tokens(tokens)[0]


def made_by_problem(made_by: Any, targets: Sequence[int], *, organisation_id: int | None = None) -> Any | None:
    """Why *made_by* (a contact id, or what a form posted) cannot be who made a promise in a meeting the
    *targets* attended, or None if it can.

    Nobody named is fine when exactly one target attended (they made it, see :func:`who_made_it`), or when
    the promise is an organisation's and at most one target attended.
    """
    if made_by == "":
        made_by = None
    if made_by is not None and parse_id(made_by) not in targets:
        return _l("Choose who made this commitment among the targets who attended.")
    if made_by is None and len(targets) > 1:
        return _l("Several targets attended: choose who made this commitment.")
    if made_by is None and not targets and organisation_id is None:
        return _l("Say who made this commitment: pick one of the contacts who attended.")
    return None


def who_made_it(made_by: int | None, targets: Sequence[int], *, organisation_id: int | None = None) -> int | None:
    """The contact who made a promise: *made_by*, else the only target who attended (unless an organisation made it)."""
    return targets[0] if made_by is None and organisation_id is None and len(targets) == 1 else made_by
