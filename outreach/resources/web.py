"""What the hub's view modules share: one-click actions and the resource a form picked."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect
from flask_babel import gettext as _

from outreach.core.db import db
from outreach.resources.models import Resource
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


def chosen_resource(form: Any) -> Resource:
    """The resource a submitted form (with a `resource_id` picker) names, or a ResourceError saying what is wrong."""
    if not form.validate_on_submit():
        raise ResourceError(" ".join(str(e) for errors in form.errors.values() for e in errors))
    item = db.session.get(Resource, int(form.resource_id.data))
    if item is None:
        raise ResourceError(_("Choose a published resource."))
    return item
