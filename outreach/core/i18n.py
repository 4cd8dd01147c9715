"""Language and time zone of the person reading, and the template filters that use them."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import format_date, format_datetime, format_timedelta
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
    """A relative time with the exact one in a tooltip: "3 days ago"."""
    if value is None:
        return ""
    delta = value - now_utc()
    label = format_timedelta(delta, add_direction=True, granularity="minute")
    return Markup('<time datetime="{iso}" title="{full}">{label}</time>').format(
        iso=escape(value.isoformat()), full=escape(format_datetime(value, "full")), label=escape(label))


def init_i18n(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["ago"] = _ago
