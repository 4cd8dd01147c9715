"""Language and time zone of the person reading, and the template filters that use them."""
from __future__ import annotations

import re
from datetime import date, datetime, time, UTC
from contextlib import contextmanager
from functools import lru_cache
from typing import Any
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_request_context, request
from babel import Locale
from babel import dates as babel_dates
from flask_babel import force_locale, format_date, format_datetime, get_locale, get_timezone, get_translations
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from outreach.core.time import now_utc, safe_zone


def _reader() -> Any:
    """The signed-in user, loaded if nothing asked for them yet: the locale can be wanted first (a flashed
    message, the page's first string), and a guess made then would stick for the whole request."""
    user = current_user._get_current_object() if has_request_context() else None
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def select_locale() -> str | None:
    user = _reader()
    languages = current_app.config["LANGUAGES"]
    if user is not None and user.locale in languages:
        return user.locale
    return request.accept_languages.best_match(list(languages)) if request else None


def select_timezone() -> str | None:
    user = _reader()
    if user is not None:
        return safe_zone(user.timezone)
    return None


def format_when(instant: datetime, zone: str) -> str:
    """"Tue 1 Dec 2026, 09:00 (America/New York)": a wall-clock time in *zone*, with the zone, written the
    reader's way on a page (and in the recipient's locale in the worker's messages, see `readers_locale`)."""
    return f"{local_text(instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None))} ({zone})"


def _datetime(value: datetime | None, fmt: str = "medium") -> str:
    """In the reader's zone and language: a named format ("short", "medium", "long", see HOUSE_FORMATS), one
    of the house patterns the templates spell out, or any other Babel pattern (used as given).

    Lists format one per row, so patterns are parsed once per locale and applied directly.
    """
    if value is None:
        return ""
    if fmt == "full":
        return format_datetime(value, fmt)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    locale = get_locale()
    return date_pattern(str(locale), _named(fmt, "datetime")).apply(value.astimezone(get_timezone()), locale)


def _named(fmt: str, kind: str) -> str:
    return fmt if fmt in HOUSE_FORMATS else _BY_PATTERN.get(fmt) or (f"{kind}.{fmt}" if f"{kind}.{fmt}" in
                                                                    HOUSE_FORMATS else fmt)


@lru_cache(maxsize=64)
def _pattern(pattern: str) -> babel_dates.DateTimePattern:
    return babel_dates.parse_pattern(pattern)


@lru_cache(maxsize=256)
def date_pattern(locale: str, name: str) -> babel_dates.DateTimePattern:
    """The pattern of a named format (HOUSE_FORMATS) for *locale*; any other *name* is a pattern used as given.

    The house locale ("en") reads the house look; every other locale the CLDR look that its readers expect
    ("Sat, Nov 28, 2026, 2:30 PM" in en_US, "sam. 28 nov. 2026, 14:30" in fr).
    """
    if name not in HOUSE_FORMATS:
        return _pattern(name)
    if locale == HOUSE_LOCALE:
        return _pattern(HOUSE_FORMATS[name])
    loc = Locale.parse(locale)
    skeleton = CLDR_SKELETONS[name]
    date_part = loc.datetime_skeletons[babel_dates.match_skeleton(skeleton, loc.datetime_skeletons.keys())].pattern
    if not name.startswith("datetime."):
        return _pattern(date_part)
    glue = str(loc.datetime_formats["medium"])
    return _pattern(glue.replace("{1}", date_part).replace("{0}", loc.time_formats["short"].pattern))


def _date(value: date | datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if fmt == "full":
        return format_date(value, fmt)
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(get_timezone()).date()
    locale = get_locale()
    return date_pattern(str(locale), _named(fmt, "date")).apply(value, locale)


def _time(value: datetime | None) -> str:
    """The time of an instant in the reader's zone, as their locale writes it ("14:30", "2:30 PM")."""
    if value is None:
        return ""
    return local_text(value.astimezone(get_timezone()).timetz())


def local_text(value: date | datetime | time, name: str = "datetime.medium") -> str:
    """A wall-clock date, time or date-time already in the zone it belongs to (a meeting's own zone), as the
    reader's locale writes it: no conversion. *name* is a named format; a time alone takes the locale's clock.
    Outside a request (the worker's messages) the house locale writes it."""
    locale = get_locale() or Locale.parse(HOUSE_LOCALE)
    if isinstance(value, time):
        pattern = _pattern(TIME_PATTERN if str(locale) == HOUSE_LOCALE else locale.time_formats["short"].pattern)
        return pattern.apply(datetime.combine(date(2000, 1, 1), value), locale)
    return date_pattern(str(locale), name).apply(value, locale)


_NUMERIC_DATE = re.compile(r"([0-9]{1,4})[./\- ]+([0-9]{1,2})[./\- ]+([0-9]{1,4})\.?", re.ASCII)
_BIDI_MARKS = str.maketrans("", "", "\u200e\u200f\u061c")


def date_order(locale: str) -> str:
    """The order the reader's locale writes a numeric date in: "dmy" in the house locale, "mdy" in en_US…"""
    if locale == HOUSE_LOCALE:
        return "dmy"
    letters = [ch for ch in Locale.parse(locale).date_formats["short"].pattern if ch in "yMd"]
    return "".join(dict.fromkeys(ch.lower() for ch in letters)) if len(set(letters)) == 3 else "dmy"


def parse_local_date(value: str) -> date | None:
    """A date typed the reader's way ("11/28/2026" in en_US, "28.11.26" in de, "28/11/2026" in the house
    locale), or None when it is not one. ASCII digits only; a two-digit year is this century's."""
    found = _NUMERIC_DATE.fullmatch(value.translate(_BIDI_MARKS).strip())
    if found is None:
        return None
    parts = dict(zip(date_order(str(get_locale())), (int(g) for g in found.groups()), strict=False))
    text_year = found.group(1 + date_order(str(get_locale())).index("y"))
    if len(text_year) not in (2, 4):
        return None
    year = parts["y"] + 2000 if len(text_year) == 2 else parts["y"]
    try:
        return date(year, parts["m"], parts["d"])
    except ValueError:
        return None


def _ago(value: datetime | None) -> Markup | str:
    """A relative time with the exact one in a tooltip: "3 days ago", "just now".

    Lists show one per row, so this skips Markup.format and formats with the request's locale
    and zone directly (a quarter of the cost of the generic path).
    """
    if value is None:
        return ""
    now, locale, zone, pattern = _ago_context()
    delta = value - now
    if abs(delta.total_seconds()) < 60:
        label = _("just now")
    else:
        label = babel_dates.format_timedelta(delta, add_direction=True, granularity="minute", locale=locale)
    full = pattern.apply(value.astimezone(zone), locale)  # as _datetime(value) writes it
    html = f'<time datetime="{value.isoformat()}" title="{escape(full)}">{escape(label)}</time>'
    return Markup(html)  # label and title escaped; isoformat() of a datetime  # nosec B704


def _ago_context() -> tuple[datetime, Any, Any, babel_dates.DateTimePattern]:
    """The instant, language, zone and date pattern relative times use: looked up once per request, so every
    row of a page is "ago" from the same moment. Outside a request, looked up on each call."""
    if has_request_context():
        found = g.get("_outreach_ago")
        if found is None:
            found = g._outreach_ago = _ago_now()
        return found
    return _ago_now()


def _ago_now() -> tuple[datetime, Any, Any, babel_dates.DateTimePattern]:
    locale = get_locale()
    return now_utc(), locale, get_timezone(), date_pattern(str(locale), _named("medium", "datetime"))


#: The locale whose dates read the house look below: international English, day before month, 24-hour clock.
HOUSE_LOCALE = "en"
TIME_PATTERN = "HH:mm"
#: One look for dates across the product in the house locale ("Sat 28 Nov 2026, 14:30"); other locales
#: read the CLDR look of the same length (CLDR_SKELETONS).
HOUSE_FORMATS = {
    "datetime.short": "EEE d MMM y, HH:mm",
    "datetime.medium": "EEE d MMM y, HH:mm",
    "datetime.compact": "d MMM y, HH:mm",
    "datetime.long": "EEEE d MMMM y, HH:mm",
    "datetime.long_compact": "d MMMM y, HH:mm",
    "date.short": "d MMM y",
    "date.medium": "EEE d MMM y",
    "date.long": "d MMMM y",
    "date.day": "EEE d MMM",
}
CLDR_SKELETONS = {
    "datetime.short": "yMMMEd", "datetime.medium": "yMMMEd", "datetime.compact": "yMMMd",
    "datetime.long": "yMMMMEEEEd", "datetime.long_compact": "yMMMMd",
    "date.short": "yMMMd", "date.medium": "yMMMEd", "date.long": "yMMMMd", "date.day": "MMMEd",
}
#: Templates spell some house patterns out; each reads as its named format, so it follows the locale too.
_BY_PATTERN = {pattern: name for name, pattern in reversed(list(HOUSE_FORMATS.items()))}
#: Kept for callers that read the house patterns by their old names.
DATE_FORMATS = {name: HOUSE_FORMATS[name] for name in ("datetime.short", "datetime.medium", "date.short",
                                                        "date.medium")}


@contextmanager
def readers_locale(user: Any) -> Iterator[None]:
    """Inside, dates (and strings) are written in *user*'s locale: for what is written for someone outside their
    own request (the worker's reminders and digests)."""
    languages = current_app.config["LANGUAGES"]
    with force_locale(user.locale if getattr(user, "locale", None) in languages else HOUSE_LOCALE):
        yield


def page_lang() -> str:
    """The reader's locale as a language tag for `<html lang>`: "en", "en-US"."""
    locale = get_locale() if has_request_context() else None
    return str(locale).replace("_", "-") if locale else "en"


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
    app.jinja_env.filters["time"] = _time
    app.jinja_env.globals["page_lang"] = page_lang
