"""Inbox pages: read notifications, mark them read, choose e-mail and digest settings."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectChoice

from outreach.core.db import db
from outreach.core.forms import SelectField
from outreach.core.inbox import bp
from outreach.core.notifications import Notification, mark_read, preferences_for, save_preferences
from outreach.core.pagination import keyset_by_id_desc, parse_cursor
from outreach.core.time import now_utc


class PreferencesForm(FlaskForm):
    email_enabled = BooleanField(_l("Also send my reminders by e-mail"))
    digest_hour = SelectField(_l("Daily digest"), choices=[SelectChoice("", _l("No digest"))] + [
        SelectChoice(str(h), f"{h:02d}:00") for h in range(24)], validate_choice=True)


@bp.get("/inbox")
def index():
    """The user's notifications, newest first."""
    stmt = select(Notification).where(Notification.user_id == current_user.id)
    if request.args.get("unread") == "1":
        stmt = stmt.where(Notification.read_at.is_(None))
    page = keyset_by_id_desc(stmt, Notification.id, after=parse_cursor(request.args.get("after")),
                             before=parse_cursor(request.args.get("before")))
    return render_template("inbox/index.html", page=page)


@bp.post("/inbox/<int:notification_id>/read")
def read(notification_id: int):
    """Mark one notification read and follow its link."""
    item = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == current_user.id))
    if item is None:
        return render_template("errors/error.html", code=404, title=_("Page not found"),
                               message=_("This notification is not in your inbox.")), 404
    mark_read(current_user.id, notification_id, now=now_utc())
    db.session.commit()
    link = item.link or ""
    return redirect(link if link.startswith("/") and not link.startswith("//") else url_for("inbox.index"))


@bp.post("/inbox/read-all")
def read_all():
    """Mark every notification read."""
    count = mark_read(current_user.id, None, now=now_utc())
    db.session.commit()
    flash(_("%(n)d notifications marked read.", n=count), "success")
    return redirect(url_for("inbox.index"))


@bp.route("/inbox/preferences", methods=["GET", "POST"])
def preferences():
    """Choose whether reminders also come by e-mail, and the hour of the daily digest."""
    pref = preferences_for(current_user.id, current_user.role)
    form = PreferencesForm(email_enabled=pref.email_enabled,
                           digest_hour="" if pref.digest_hour is None else str(pref.digest_hour))
    if request.method == "POST":
        form = PreferencesForm()
        if not form.validate_on_submit():
            return render_template("inbox/preferences.html", form=form), 422
        hour = int(form.digest_hour.data) if form.digest_hour.data else None
        save_preferences(current_user._get_current_object(), email_enabled=form.email_enabled.data,
                         digest_hour=hour, now=now_utc())
        db.session.commit()
        flash(_("Preferences saved."), "success")
        return redirect(url_for("inbox.preferences"))
    return render_template("inbox/preferences.html", form=form)
