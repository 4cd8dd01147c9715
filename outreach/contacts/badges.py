"""The stance badge and influence dots: shown on every row of the directory, so each is
rendered once per value and language and then reused (a macro call per row cost more than the
rest of the row)."""
from __future__ import annotations

from functools import lru_cache

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from outreach.contacts.forms import STANCE_LABELS


def stance_badge(value: str) -> Markup:
    return _stance_badge(value, str(get_locale()))


def influence_dots(value: int, label: str | None = None) -> Markup:
    """Five dots, `value` of them filled; `label` replaces the default "Influence n of 5"."""
    if label is not None:
        return _dots(value, str(label))
    return _influence_dots(value, str(get_locale()))


@lru_cache(maxsize=64)
def _stance_badge(value: str, _locale: str) -> Markup:
    label = STANCE_LABELS.get(value, value)  # type: ignore[call-overload]
    return Markup(
        f'<span class="badge rounded-pill stance stance-{escape(value)}">{escape(label)}</span>'
    )  # both values escaped  # nosec B704


@lru_cache(maxsize=64)
def _influence_dots(value: int, _locale: str) -> Markup:
    return _dots(value, _("Influence %(n)d of 5", n=value))


def _dots(value: int, text: str) -> Markup:
    dots = "".join(f'<span class="dot{" on" if i <= value else ""}" aria-hidden="true"></span>' for i in range(1, 6))
    return Markup(
        f'<span class="influence" role="img" title="{escape(text)}" aria-label="{escape(text)}">{dots}</span>'
    )  # text escaped; dots are fixed markup  # nosec B704
