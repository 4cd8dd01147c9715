"""The audit log as sentences: "Amina Diallo logged the meeting Briefing with the SRSG".

Features register what their actions say (`register_action_labels`), how their records are named
(`register_record_names`: ids -> names, one query per record type and page) and where a record
opens (`register_record_link`). A link is offered only when the reader's role may open that page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable, Iterable, Sequence

from flask import url_for
from flask_babel import lazy_gettext as _l

from sqlalchemy import select

from outreach.core.audit import AuditEvent
from outreach.core.db import db
from outreach.core.permissions import may_access

RECORD = "%(record)s"

#: action -> what the actor did; RECORD marks where the record's name goes.
_ACTION_LABELS: dict[str, Any] = {
    "auth.login": _l("signed in"),
    "auth.login_failed": _l("failed to sign in"),
    "auth.logout": _l("signed out"),
    "auth.password_reset_not_sent": _l("asked for a password-reset link for an address without an active account"),
    "user.create": _l("created the account of %(record)s"),
    "user.invite": _l("invited %(record)s"),
    "user.accept_invite": _l("accepted an invitation and joined"),
    "user.revoke_invite": _l("revoked the invitation of %(record)s"),
    "user.update_preferences": _l("changed their preferences"),
    "user.change_password": _l("changed their password"),
    "user.request_password_reset": _l("asked for a password-reset link"),
    "user.send_password_reset": _l("sent a password-reset link to %(record)s"),
    "user.reset_password": _l("chose a new password with a reset link"),
    "user.change_role": _l("changed the role of %(record)s"),
    "user.deactivate": _l("deactivated %(record)s"),
    "user.reactivate": _l("reactivated %(record)s"),
    "notifications.preferences": _l("changed their notification preferences"),
}

#: record type -> ids -> names (one query).
_RECORD_NAMES: dict[str, Callable[[set[int]], dict[int, str]]] = {}
#: record type -> (endpoint, URL argument): where an audited record can be opened.
_RECORD_LINKS: dict[str, tuple[str, str]] = {"users": ("admin.user", "user_id")}
#: detail key -> the record type its id names ("same": the event's own record type, as in a merge).
_DETAIL_RECORDS: dict[str, str] = {"assignee_id": "users", "user_id": "users", "invitation_id": "invitations",
                                   "source_id": "same", "target_id": "same"}
#: What a detail key reads as.
_DETAIL_LABELS: dict[str, Any] = {"assignee_id": _l("who follows up"), "source_id": _l("merged from"),
                                  "target_id": _l("merged into"), "from_status": _l("from"),
                                  "to_status": _l("to"), "from_due": _l("was due"), "to_due": _l("now due"),
                                  "old": _l("from"), "new": _l("to"), "changed": _l("changed"),
                                  "fields": _l("changed")}


def register_action_labels(labels: dict[str, Any]) -> None:
    _ACTION_LABELS.update(labels)


def register_record_names(record_type: str, names: Callable[[set[int]], dict[int, str]]) -> None:
    _RECORD_NAMES[record_type] = names


def names_from(id_column: Any, *parts: Any, separator: str = " ") -> Callable[[set[int]], dict[int, str]]:
    """A namer reading *parts* of the rows with those ids, joined, in one query."""
    def names(ids: set[int]) -> dict[int, str]:
        rows = db.session.execute(select(id_column, *parts).where(id_column.in_(ids)))
        return {row[0]: separator.join(str(p) for p in row[1:] if p)[:120] for row in rows}
    return names


def register_record_link(record_type: str, endpoint: str, argument: str) -> None:
    _RECORD_LINKS[record_type] = (endpoint, argument)


def register_detail_records(keys: dict[str, str]) -> None:
    _DETAIL_RECORDS.update(keys)


def action_label(action: str) -> str:
    """What the action says, without its record ("logged the meeting")."""
    label = _ACTION_LABELS.get(action)
    return str(label).replace(RECORD, "").strip() if label is not None else action.replace("_", " ")


def has_action_label(action: str) -> bool:
    return action in _ACTION_LABELS


@dataclass
class Named:
    """A record or a person in a sentence, with the page it opens when the reader may follow."""

    text: str
    href: str | None = None


@dataclass
class Sentence:
    event: AuditEvent
    actor: Named
    before: str  #: the verb phrase up to the record
    record: Named | None
    after: str
    details: list[tuple[str, str]] = field(default_factory=list)


def _ids(values: Iterable[Any]) -> set[int]:
    return {int(v) for v in values if isinstance(v, int) or (isinstance(v, str) and v.isascii() and v.isdigit()
                                                             and len(v) < 19)}


def _link(record_type: str | None, record_id: Any, reader: Any) -> str | None:
    if record_type not in _RECORD_LINKS or not _ids([record_id]):
        return None
    endpoint, argument = _RECORD_LINKS[record_type]
    values: dict[str, Any] = {argument: int(record_id)}
    return url_for(endpoint, **values) if may_access(reader, endpoint) else None


def describe(events: Sequence[AuditEvent], reader: Any) -> list[Sentence]:
    """Each event as a sentence with names, for *reader* (one name query per record type on the page)."""
    wanted: dict[str, set[Any]] = {"users": {e.actor_id for e in events if e.actor_id}}
    for e in events:
        if e.record_type:
            wanted.setdefault(e.record_type, set()).add(e.record_id)
        for key, value in e.details_dict.items():
            if kind := _detail_kind(key, e):
                wanted.setdefault(kind, set()).add(value)
    names = {kind: _RECORD_NAMES[kind](_ids(ids)) if kind in _RECORD_NAMES and _ids(ids) else {}
             for kind, ids in wanted.items()}

    def name(kind: str | None, record_id: Any) -> Named:
        known = names.get(kind or "", {}).get(int(record_id)) if _ids([record_id]) else None
        text = known or (f"{(kind or '').replace('_', ' ')} #{record_id}" if kind else str(record_id))
        return Named(text, _link(kind, record_id, reader))

    out = []
    for e in events:
        actor = name("users", e.actor_id) if e.actor_id else Named(e.actor_label)
        label = str(_ACTION_LABELS.get(e.action, f"{e.action.replace('_', ' ')} {RECORD}"))
        before, placeholder, after = label.partition(RECORD)
        record = name(e.record_type, e.record_id) if placeholder and e.record_type else None
        if placeholder and record is None:
            before = before.rstrip()
        out.append(Sentence(e, actor, before.rstrip() + " " if record else before, record, after,
                            _details(e, name)))
    return out


def _detail_kind(key: str, event: AuditEvent) -> str | None:
    """The record type a detail's value names: registered, or "<type>_id" -> "<type>s"."""
    kind = _DETAIL_RECORDS.get(key) or (key.removesuffix("_id") + "s" if key.endswith("_id") else None)
    return event.record_type if kind == "same" else kind


def _details(event: AuditEvent, name: Callable[[str | None, Any], Named]) -> list[tuple[str, str]]:
    pairs = []
    for key, value in event.details_dict.items():
        kind = _detail_kind(key, event)
        if kind and value is not None and not isinstance(value, (list, dict)):
            text = name(kind, value).text
        elif isinstance(value, list):
            text = ", ".join(str(v).replace("_", " ") for v in value) or "—"
        elif isinstance(value, dict):
            text = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in value.items())
        else:
            text = "—" if value in (None, "") else str(value).replace("_", " ")
        label = _DETAIL_LABELS.get(key) or key.removesuffix("_id").replace("_", " ")
        pairs.append((str(label), text))
    return pairs
