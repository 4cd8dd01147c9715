"""What calendars contributes to other pages, and how it hears about users losing access."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from outreach.calendars import services
from outreach.calendars.guard import install_log_masking
from outreach.calendars.sources import register_sources
from outreach.core import signals
from outreach.core.audit_text import register_action_labels
from outreach.core.home import NavItem, Panel, register_nav_item, register_panel
from outreach.core.permissions import ALL_ROLES, DIRECTORY_READERS, LOGGERS


def build_meeting_actions(user: Any, now: datetime, *, meeting: Any = None, **_: Any) -> dict[str, Any] | None:
    return {"meeting": meeting} if meeting is not None else None


def build_list_actions(user: Any, now: datetime, *, filters: Any = None, **_: Any) -> dict[str, Any]:
    return {"filters": {k: v for k, v in (filters or {}).items() if k != "after" and v}}


def build_subject_calendar(user: Any, now: datetime, *, contact: Any = None, organisation: Any = None,
                           **_: Any) -> dict[str, Any] | None:
    if contact is not None:
        return {"endpoint": "calendars.contact", "args": {"contact_id": contact.id}, "subtree": None}
    if organisation is not None:
        return {"endpoint": "calendars.organisation", "args": {"organisation_id": organisation.id},
                "subtree": organisation.id if services.may_use_scope(user, "subtree") else None}
    return None


def build_scope_calendar(user: Any, now: datetime, *, scope: str | None = None, record_id: int | None = None,
                         **_: Any) -> dict[str, Any] | None:
    """"Download .ics" and "Add to calendar" (a feed) on the page of a registered scope's record (a campaign)."""
    if scope is None or record_id is None or not services.may_use_scope(user, scope):
        return None
    return {"scope": scope, "record_id": record_id}


def _user_deactivated(sender: Any, *, user: Any, now: datetime, **_: Any) -> None:
    services.revoke_feeds_of(user, now=now, keep_allowed=False)


def _role_changed(sender: Any, *, user: Any, now: datetime, **_: Any) -> None:
    services.revoke_feeds_of(user, now=now, keep_allowed=True)


def register_contributions() -> None:
    register_sources()
    register_action_labels({
        "calendar.export": _l("downloaded the organisation's calendar"),
        "calendar_feed.create": _l("created a calendar feed"),
        "calendar_feed.regenerate": _l("gave a calendar feed a new address"),
        "calendar_feed.revoke": _l("revoked a calendar feed"),
    })
    install_log_masking()
    register_nav_item(NavItem("calendars.index", _l("Calendars"), ALL_ROLES, 80))
    register_panel(Panel("calendars.add_to_calendar", "calendars/_add_to_calendar.html", build_meeting_actions,
                         slot="meeting.actions", roles=ALL_ROLES))
    register_panel(Panel("calendars.list_download", "calendars/_list_download.html", build_list_actions,
                         slot="meetings.list.actions", roles=ALL_ROLES))
    register_panel(Panel("calendars.subject", "calendars/_subject_calendar.html", build_subject_calendar,
                         slot="contact.detail", roles=DIRECTORY_READERS, order=80))
    register_panel(Panel("calendars.subject", "calendars/_subject_calendar.html", build_subject_calendar,
                         slot="organisation.detail", roles=DIRECTORY_READERS, order=80))
    register_panel(Panel("calendars.scope", "calendars/_scope_calendar.html", build_scope_calendar,
                         slot="scope.calendar", roles=LOGGERS))
    signals.user_deactivated.connect(_user_deactivated, weak=False)
    signals.user_role_changed.connect(_role_changed, weak=False)
