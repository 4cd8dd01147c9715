"""The hub's one-click actions, shared by its view modules."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect

from outreach.core.db import db
from outreach.resources.services import ResourceError


def act(step: Any, back: str, done: Any) -> Any:
    """Run a one-click action: commit and say *done*, or roll back and say what was wrong; back to *back*."""
    try:
        message = step()
    except ResourceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(back), 303
    db.session.commit()
    flash(message or done, "success")
    return redirect(back)
