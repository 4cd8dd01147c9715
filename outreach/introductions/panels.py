"""What introductions contributes to other pages: navigation, Today panels, the directory's row actions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from outreach.core.audit_text import register_action_labels
from outreach.core.db import db
from outreach.core.home import NavItem, Panel, RowAction, register_nav_item, register_panel, register_row_action
from outreach.core.permissions import STAFF, Role
from outreach.introductions.access import visible_requests
from outreach.introductions.models import FINAL_STATES, IntroductionRequest, RequestState
from outreach.introductions.services import state_label

ACTIVISTS = frozenset({Role.ACTIVIST})
PARTNERS = frozenset({Role.PARTNER})


def build_requests_panel(user: Any, now: datetime, **_: Any) -> dict[str, Any] | None:
    """The requests that concern the user and are still moving, newest first."""
    stmt = select(IntroductionRequest).where(visible_requests(user), IntroductionRequest.state.not_in(FINAL_STATES))
    if Role(user.role) in (Role.ADMIN, Role.MANAGER, Role.COORDINATOR):
        waiting = (RequestState.SUBMITTED.value, RequestState.TRIAGED.value, RequestState.DECLINED.value)
        counts = dict(db.session.execute(select(IntroductionRequest.state, func.count())
                                         .where(IntroductionRequest.state.in_(waiting))
                                         .group_by(IntroductionRequest.state)).all())
        return {"counts": counts, "rows": [], "staff": True, "state_label": state_label}
    rows = db.session.scalars(stmt.order_by(IntroductionRequest.id.desc()).limit(5)).all()
    if not rows and Role(user.role) == Role.PARTNER:
        return None
    return {"rows": rows, "staff": False, "state_label": state_label, "activist": Role(user.role) == Role.ACTIVIST}


def register_contributions() -> None:
    register_nav_item(NavItem("introductions.index", _l("Introductions"),
                              frozenset({Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.PARTNER, Role.ACTIVIST}), 45))
    register_panel(Panel("introductions.requests", "introductions/_panel_requests.html", build_requests_panel,
                         roles=STAFF | ACTIVISTS | PARTNERS, order=15))
    register_row_action(RowAction("public_directory.contact", "introductions.new_request", "contact_id",
                                  _l("Request an introduction"), ACTIVISTS))
    register_action_labels({
        "activist.create": _l("created an activist profile"),
        "activist.update": _l("edited an activist profile"),
        "activist.identity_read": _l("read an activist's protected identity"),
        "activist.consent_give": _l("gave consent to share her identity"),
        "activist.consent_withdraw": _l("withdrew consent"),
        "activist.purge": _l("purged an activist profile"),
        "introduction.submitted": _l("asked for an introduction"),
        "introduction.message": _l("wrote on an introduction request"),
        "introduction.resolve": _l("chose the person for an introduction request"),
        "introduction.service_levels": _l("changed the introductions' service levels"),
        **{f"introduction.{state.value}": _l("moved an introduction request to %(state)s", state=state.value)
           for state in RequestState if state != RequestState.SUBMITTED},
    })



