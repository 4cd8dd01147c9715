"""Errors: the base class of every feature's service errors, error pages in the site's layout, and a plain 503
when the database is out of reach."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ServiceError(ValueError):
    """A rule was broken; *message* is written for the user.

    Every feature's service errors derive from this one class, so that a view shows any of them the same way
    (core.web.show_error): under the form field it names (*field*), else above the form, answered with
    *status* (422 unless the error says otherwise: 400 for a file that cannot be read, 409 for a conflict…).
    """

    status = 422

    def __init__(self, message: Any, field: str | None = None, status: int | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


_TITLES = {
    400: "The request could not be understood",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not possible here",
    413: "The upload is too large",
    429: "Too many requests",
    500: "Something went wrong on our side",
}

_DB_DOWN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Outreach is unavailable</title>
</head><body><h1>Outreach is briefly unavailable</h1><p>The database cannot be reached. Nothing you entered in the last
step was saved. Please try again in a minute; if this lasts, tell your administrator.</p></body></html>"""


def _messages() -> dict[int, str]:
    return {
        400: _("Check what you entered and try again."),
        403: _("Your role does not allow this. If you need it, ask a coordinator or an administrator."),
        404: _("The page may have moved, or the record was archived or never existed."),
        405: _("Use the buttons and links on the page rather than typing the address."),
        413: _("The file or form you sent is larger than Outreach accepts."),
        429: _("Wait a few minutes and try again."),
        500: _("The error has been logged. Nothing you entered in the last step was saved; please try again."),
    }


def _render(code: int, detail: str | None = None) -> tuple[str, int]:
    return render_template("errors/error.html", code=code, title=_(_TITLES[code]),
                           message=detail or _messages()[code]), code


def _db_unavailable() -> tuple[str, int, dict[str, str]]:
    return _DB_DOWN_PAGE, 503, {"Content-Type": "text/html; charset=utf-8", "Retry-After": "30"}


def init_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError) -> ResponseReturnValue:
        return _render(400, _("Your form expired or came from another site. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> ResponseReturnValue:
        code = err.code or 500
        if code in _TITLES:
            # A view that aborts with its own description (abort(400, description=…)) says what was wrong.
            custom = err.description if err.description != type(err).description else None
            response = _render(code, custom)
            if code == 405 and hasattr(err, "valid_methods") and err.valid_methods:
                return response[0], code, {"Allow": ", ".join(err.valid_methods)}
            return response
        return err

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def _db(err: DBAPIError) -> ResponseReturnValue:
        if database_unreachable(err):
            log.error("Database unavailable: %s: %s", type(err.orig).__name__, err.orig)
            return _db_unavailable()
        log.exception("Database error: %s: %s", type(err.orig).__name__, err.orig)
        return _safe_500()

    @app.errorhandler(500)
    def _internal(err: Exception) -> ResponseReturnValue:
        return _safe_500()


#: PostgreSQL error classes that mean "cannot be served right now": connection exceptions (08), the server
#: shutting down or starting (57P), out of resources such as connections (53).
_PG_UNAVAILABLE = ("08", "57P", "53")
#: SQLite's messages for a database file that cannot be reached or used right now.
_SQLITE_UNAVAILABLE = ("unable to open database", "database is locked", "disk i/o error", "readonly database")


def database_unreachable(err: DBAPIError) -> bool:
    """Whether *err* is a real failure to reach the database (503), not a bad statement or value (a bug: 500)."""
    if getattr(err, "connection_invalidated", False):
        return True
    if not isinstance(err, OperationalError):
        return False
    orig = err.orig
    module = type(orig).__module__
    if module.startswith("psycopg"):
        state = getattr(orig, "sqlstate", None)  # None: no answer from a server at all
        return state is None or state.startswith(_PG_UNAVAILABLE)
    if module.startswith("sqlite3"):
        return any(text in str(orig).lower() for text in _SQLITE_UNAVAILABLE)
    return False


def _safe_500() -> ResponseReturnValue:
    try:
        return _render(500)
    except Exception:  # the layout itself may need the broken part
        return "<!doctype html><title>Error</title><h1>Something went wrong</h1>", 500
