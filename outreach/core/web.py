"""The few things every feature's views need from the request, in one place.

Features' views import these instead of writing their own (or importing a sibling module's private
copy): the acting user, whether htmx asked for a fragment, a service's refusal shown on its form,
and a streamed CSV download.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Iterable, Mapping

from flask import Response, flash, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from outreach.core.errors import ServiceError


def acting_user() -> Any:
    """The signed-in user as a plain object, for services that take an `actor`."""
    return current_user._get_current_object()


def is_htmx() -> bool:
    """Whether the request came from htmx (answer with the fragment, not the whole page)."""
    return request.headers.get("HX-Request") == "true"


def show_error(form: Any, error: ServiceError, *, default: str | None = None,
               fields: Mapping[str, str] | None = None) -> int:
    """Show a service's refusal on *form* and return the HTTP status to answer with (`error.status`).

    The message goes under the field the error names (`error.field`, renamed through *fields* where the
    form calls it differently), else under the *default* field, else above the form.
    """
    name = error.field or default
    name = (fields or {}).get(name, name) if name else None
    field = getattr(form, name, None) if name else None
    if field is None and default and name != default:
        field = getattr(form, default, None)
    if field is not None and isinstance(getattr(field, "errors", None), (list, tuple)):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
    return error.status


def csv_response(chunks: Iterable[str], filename: str) -> Response:
    """A CSV download streamed from *chunks* (see contacts' `write_csv`: BOM, formula-safe cells)."""
    response = Response(stream_with_context(iter(chunks)), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def flash_link(message: str, link: str, category: str = "warning") -> None:
    """Flash *message* (which shows *link*, e.g. a one-time invitation link) with a "Copy link" button."""
    button = Markup('<button type="button" class="btn btn-sm btn-outline-dark ms-2" data-copy="{}" '
                    'data-copied="{}">{}</button>').format(link, _("Copied"), _("Copy link"))
    flash(escape(message) + button, category)
