"""The stance badge, influence dots and current post: shown on every row of the directory, so the
badge and dots are rendered once per value and language and then reused, and the post is built
with plain strings (a macro call per row cost more than the rest of the row)."""
from __future__ import annotations

from functools import lru_cache

from typing import Any

from flask import url_for
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
    html = f'<span class="badge rounded-pill stance stance-{escape(value)}">{escape(label)}</span>'
    return Markup(html)  # both values escaped  # nosec B704


@lru_cache(maxsize=64)
def _influence_dots(value: int, _locale: str) -> Markup:
    return _dots(value, _("Influence %(n)d of 5", n=value))


def _dots(value: int, text: str) -> Markup:
    dots = "".join(f'<span class="dot{" on" if i <= value else ""}" aria-hidden="true"></span>' for i in range(1, 6))
    html = f'<span class="influence" role="img" title="{escape(text)}" aria-label="{escape(text)}">{dots}</span>'
    return Markup(html)  # text escaped; dots are fixed markup  # nosec B704


def current_post(contact: Any, link: bool = True) -> Markup:
    """The contact's current post, "Title, ORG" (the organisation linked), and how many more they hold now."""
    posts = contact.current_positions
    if not posts:
        html = f'<span class="text-body-secondary">{escape(_("No current post"))}</span>'
        return Markup(html)  # the label is escaped  # nosec B704
    p = posts[0]
    org = escape(p.organisation.acronym or p.organisation.name)
    if link:
        href = escape(url_for("contacts.organisation", organisation_id=p.organisation_id))
        org = Markup(f'<a href="{href}">{org}</a>')  # url and name escaped  # nosec B704
    more = ""
    if len(posts) > 1:
        more = f' <span class="text-body-secondary">{escape(_("+%(n)d more", n=len(posts) - 1))}</span>'
    return Markup(f"<span>{escape(p.title)}</span>, {org}{more}")  # every value escaped  # nosec B704
