"""Language and time zone of the person reading, and the template filters that use them."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import format_date, format_datetime, format_timedelta
from flask_babel import gettext as _
from markupsafe import Markup, escape

from outreach.core.time import now_utc


def select_locale() -> str | None:
    user = g.get("_login_user")
    languages = current_app.config["LANGUAGES"]
    if user is not None and getattr(user, "is_authenticated", False) and user.locale in languages:
        return user.locale
    return request.accept_languages.best_match(list(languages)) if request else None


def select_timezone() -> str | None:
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return user.timezone
    return None


def _datetime(value: datetime | None, fmt: str = "medium") -> str:
    return "" if value is None else format_datetime(value, fmt)


def _date(value: date | datetime | None, fmt: str = "medium") -> str:
    return "" if value is None else format_date(value, fmt)


def _ago(value: datetime | None) -> Markup | str:
    """A relative time with the exact one in a tooltip: "3 days ago", "just now"."""
    if value is None:
        return ""
    delta = value - now_utc()
    if abs(delta.total_seconds()) < 60:
        label = _("just now")
    else:
        label = format_timedelta(delta, add_direction=True, granularity="minute")
    return Markup('<time datetime="{iso}" title="{full}">{label}</time>').format(
        iso=escape(value.isoformat()), full=escape(format_datetime(value, "full")), label=escape(label))


#: One look for dates across the product ("Sat 28 Nov 2026, 14:30"); Babel still localises names.
DATE_FORMATS = {
    "datetime.short": "EEE d MMM y, HH:mm",
    "datetime.medium": "EEE d MMM y, HH:mm",
    "date.short": "d MMM y",
    "date.medium": "EEE d MMM y",
}


def init_i18n(app: Flask) -> None:
    babel = app.extensions["babel"].instance
    babel.date_formats.update(DATE_FORMATS)
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["ago"] = _ago
