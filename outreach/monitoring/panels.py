"""What monitoring contributes to other pages: navigation, decisions coming up on Today, and the
instruments a meeting or a commitment concerns (tagged from their own pages)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from outreach.core.audit_text import names_from, register_action_labels, register_record_link, register_record_names
from outreach.core.home import NavItem, Panel, register_nav_item, register_panel
from outreach.core.permissions import LOGGERS
from outreach.meetings.access import can_change_commitment, can_edit_meeting
from outreach.monitoring import queries
from outreach.monitoring.calendar import register_calendar
from outreach.monitoring.metrics import register_metric
from outreach.monitoring.models import Criterion, Instrument


def build_decisions(user: Any, now: datetime, **_: Any) -> dict[str, Any] | None:
    instruments = queries.decisions_coming_up(now)
    return {"instruments": instruments, "today": now.date()} if instruments else None


def build_meeting_instruments(user: Any, now: datetime, *, meeting: Any = None, **_: Any) -> dict[str, Any] | None:
    if meeting is None:
        return None
    links = queries.instruments_linked_to(meeting_id=meeting.id)
    editable = can_edit_meeting(user, meeting)
    if not links and not editable:
        return None
    return {"links": links, "can_link": editable, "choices": queries.instrument_choices() if editable else [],
            "action": ("monitoring.link_meeting", {"meeting_id": meeting.id})}


def build_commitment_instruments(user: Any, now: datetime, *, commitment: Any = None,
                                 **_: Any) -> dict[str, Any] | None:
    if commitment is None:
        return None
    links = queries.instruments_linked_to(commitment_id=commitment.id)
    editable = can_change_commitment(user, commitment)
    if not links and not editable:
        return None
    return {"links": links, "can_link": editable, "choices": queries.instrument_choices() if editable else [],
            "action": ("monitoring.link_commitment", {"commitment_id": commitment.id})}


def register_contributions() -> None:
    register_calendar()
    register_metric()
    register_nav_item(NavItem("monitoring.watchlist", _l("Watchlist"), LOGGERS, 45))
    register_panel(Panel("monitoring.decisions", "monitoring/_panel_decisions.html", build_decisions, roles=LOGGERS,
                         order=30))
    register_panel(Panel("monitoring.instruments", "monitoring/_panel_linked.html", build_meeting_instruments,
                         slot="meeting.detail", roles=LOGGERS, order=50))
    register_panel(Panel("monitoring.instruments", "monitoring/_panel_linked.html", build_commitment_instruments,
                         slot="commitment.detail", roles=LOGGERS, order=50))
    register_record_link("instruments", "monitoring.instrument", "instrument_id")
    register_record_names("instruments", names_from(Instrument.id, Instrument.title))
    register_record_names("monitoring_criteria", names_from(Criterion.id, Criterion.name))
    register_action_labels({
        "instrument.create": _l("started tracking %(record)s"),
        "instrument.update": _l("changed %(record)s"),
        "instrument.archive": _l("archived %(record)s"),
        "instrument.restore": _l("restored %(record)s"),
        "instrument.publish": _l("published the public summary of %(record)s"),
        "instrument.unpublish": _l("withdrew the public summary of %(record)s"),
        "instrument.add_version": _l("recorded a new version of %(record)s"),
        "instrument.assess": _l("rated %(record)s"),
        "instrument.add_funding": _l("recorded an amount for %(record)s"),
        "instrument.withdraw_funding": _l("withdrew an amount from %(record)s"),
        "instrument.add_key_post": _l("named a key post of %(record)s"),
        "instrument.remove_key_post": _l("removed a key post of %(record)s"),
        "instrument.link": _l("linked work to %(record)s"),
        "instrument.unlink": _l("removed a link to %(record)s"),
        "instrument.export": _l("exported the watchlist"),
        "criterion.create": _l("added the monitoring criterion %(record)s"),
        "criterion.archive": _l("archived the monitoring criterion %(record)s"),
        "criterion.restore": _l("restored the monitoring criterion %(record)s"),
    })
