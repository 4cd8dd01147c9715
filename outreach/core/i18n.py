"""Language and time zone of the person reading, and the template filters that use them."""
from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_request_context, request
from babel import dates as babel_dates
from flask_babel import format_date, format_datetime, get_locale, get_timezone, get_translations
from flask_babel import gettext as _
from markupsafe import Markup, escape

from outreach.core.time import now_utc, safe_zone


def select_locale() -> str | None:
    user = g.get("_login_user")
    languages = current_app.config["LANGUAGES"]
    if user is not None and getattr(user, "is_authenticated", False) and user.locale in languages:
        return user.locale
    return request.accept_languages.best_match(list(languages)) if request else None


def select_timezone() -> str | None:
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return safe_zone(user.timezone)
    return None


def format_when(instant: datetime, zone: str) -> str:
    """"Tue 1 Dec 2026, 09:00 (America/New York)": the reader's wall-clock time and zone, for messages.

    English and outside any request, so that the worker's e-mails and the pages say it the same way.
    """
    return f"{babel_dates.format_datetime(instant, 'EEE d MMM y, HH:mm', tzinfo=ZoneInfo(zone), locale='en')} ({zone})"


def _datetime(value: datetime | None, fmt: str = "medium") -> str:
    """In the reader's zone and language: "short"/"medium" (see DATE_FORMATS) or a Babel pattern.

    Lists format one per row, so patterns are parsed once and applied directly.
    """
    if value is None:
        return ""
    if fmt in ("long", "full"):
        return format_datetime(value, fmt)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    pattern = _pattern(DATE_FORMATS.get(f"datetime.{fmt}", fmt))
    return pattern.apply(value.astimezone(get_timezone()), get_locale())


@lru_cache(maxsize=64)
def _pattern(pattern: str) -> babel_dates.DateTimePattern:
    return babel_dates.parse_pattern(pattern)


def _date(value: date | datetime | None, fmt: str = "medium") -> str:
    return "" if value is None else format_date(value, fmt)


def _ago(value: datetime | None) -> Markup | str:
    """A relative time with the exact one in a tooltip: "3 days ago", "just now".

    Lists show one per row, so this skips Markup.format and formats with the request's locale
    and zone directly (a quarter of the cost of the generic path).
    """
    if value is None:
        return ""
    delta = value - now_utc()
    if abs(delta.total_seconds()) < 60:
        label = _("just now")
    else:
        label = babel_dates.format_timedelta(delta, add_direction=True, granularity="minute", locale=get_locale())
    full = _pattern(DATE_FORMATS["datetime.medium"]).apply(value.astimezone(get_timezone()), get_locale())
    return Markup(f'<time datetime="{value.isoformat()}" title="{escape(full)}">{escape(label)}</time>')  # label and title escaped; isoformat() of a datetime  # nosec B704


#: One look for dates across the product ("Sat 28 Nov 2026, 14:30"); Babel still localises names.
DATE_FORMATS = {
    "datetime.short": "EEE d MMM y, HH:mm",
    "datetime.medium": "EEE d MMM y, HH:mm",
    "date.short": "d MMM y",
    "date.medium": "EEE d MMM y",
}


def _translations() -> Any:
    """This request's catalogue, looked up once per request rather than once per string.

    A language chosen during a request shows from the next one (the account page redirects after
    saving). Outside a request (the worker's e-mails, the CLI) every call asks Flask-Babel.
    """
    if not has_request_context():
        return get_translations()
    translations = g.get("_outreach_translations")
    if translations is None:
        translations = g._outreach_translations = get_translations()
    return translations


def init_i18n(app: Flask) -> None:
    babel = app.extensions["babel"].instance
    babel.date_formats.update(DATE_FORMATS)
    # A page calls gettext hundreds of times (ten strings a row on some lists); Flask-Babel's own
    # callables resolve the locale and catalogue on each call.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["ago"] = _ago
