"""The "Today" page, the health check, and the core's own home panels and navigation."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select, text

from outreach.core.audit import AuditEvent
from outreach.core.audit_text import describe, names_from, register_record_names
from outreach.core.auth.models import Invitation, User
from outreach.core.db import db
from outreach.core.home import NavItem, Panel, build_panels, register_nav_item, register_panel
from outreach.core.permissions import ADMINS, ALL_ROLES, AUDITORS
from outreach.core.time import now_utc

bp = Blueprint("home", __name__)
health_bp = Blueprint("health", __name__)


@bp.get("/")
def today():
    """Each role's home page: what needs attention today."""
    now = now_utc()
    panels = build_panels("home", current_user._get_current_object(), now)
    return render_template("home/today.html", panels=panels, now=now, first_name=first_name(current_user.name))


def first_name(full_name: str) -> str:
    """The name to greet someone by: "Gen. (ret.) Margaret Kiplagat" -> "Margaret"."""
    for word in full_name.split():
        if not word.endswith(".") and not word.startswith("(") and not word.endswith(")"):
            return word
    return full_name


@health_bp.get("/healthz")
def health():
    """Liveness and database reachability for load balancers; writes nothing."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


def _account_panel(user: Any, now: datetime, **_: Any) -> dict[str, Any]:
    return {"user": user}


def _team_panel(user: Any, now: datetime, **_: Any) -> dict[str, Any]:
    by_role = dict(db.session.execute(
        select(User.role, func.count()).where(User.is_active_account.is_(True)).group_by(User.role)).all())
    pending = db.session.scalar(
        select(func.count()).select_from(Invitation).where(
            Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > now)) or 0
    return {"by_role": by_role, "pending_invitations": pending}


def _activity_panel(user: Any, now: datetime, **_: Any) -> dict[str, Any]:
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(8)).all()
    return {"events": describe(events, user)}


def register_core_contributions() -> None:
    register_record_names("users", names_from(User.id, User.name))
    register_record_names("invitations", names_from(Invitation.id, Invitation.email))
    register_panel(Panel("account", "home/_panel_account.html", _account_panel, roles=ALL_ROLES, order=90))
    register_panel(Panel("team", "home/_panel_team.html", _team_panel, roles=ADMINS, order=80))
    register_panel(Panel("activity", "home/_panel_activity.html", _activity_panel, roles=AUDITORS, order=85))
    register_nav_item(NavItem("home.today", _l("Today"), ALL_ROLES, 0))
