"""Small helpers both view modules use (the acting user, a refused step, the words of states)."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for

from outreach.core.db import db
from outreach.core.web import acting_user  # noqa: F401  (the views import it from here)
from outreach.introductions import services
from outreach.introductions.profiles import IntroductionError

#: The session key holding when a coordinator last confirmed her password (epoch seconds).
REAUTH_KEY = "introductions_reauth_at"


#: Bootstrap colours of each state's badge.
STATE_BADGES = {
    "submitted": "text-bg-primary",
    "triaged": "text-bg-info",
    "offered": "text-bg-warning",
    "declined": "text-bg-warning",
    "accepted": "text-bg-success",
    "introduced": "text-bg-success",
    "meeting_scheduled": "text-bg-success",
    "closed": "text-bg-secondary",
    "withdrawn": "text-bg-light border",
}


def words() -> dict[str, Any]:
    return {"state_label": services.state_label, "next_steps": services.NEXT_STEPS,
            "urgency_labels": services.URGENCY_LABELS, "tier_labels": services.TIER_LABELS,
            "state_badges": STATE_BADGES}


def refused(exc: IntroductionError, request_id: int) -> Any:
    """Undo the step and say why, back on the request's page."""
    db.session.rollback()
    flash(str(exc.message), "error")
    return redirect(url_for("introductions.show", request_id=request_id)), 303


def back_to(request_id: int, message: str) -> Any:
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("introductions.show", request_id=request_id)), 303
