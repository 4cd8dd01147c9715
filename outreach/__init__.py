"""Outreach: a stakeholder relationship manager for an advocacy coalition."""
from __future__ import annotations

import gc
import logging
from typing import Any
from collections.abc import Mapping

from flask import Flask

from outreach.config import RESOURCE_ROOT, load_config

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web application. No migrations, no scheduler, no network here."""
    app = Flask(
        __name__,
        template_folder=str(RESOURCE_ROOT / "templates"),
        static_folder=str(RESOURCE_ROOT / "static"),
        instance_relative_config=False,
    )
    app.config.update(load_config(overrides=config))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from outreach.core.ids import RecordIdConverter

    # Every <int:…> in a route reads ids one way: within the databases' range, ASCII digits, else 404.
    app.url_map.converters["int"] = RecordIdConverter
    if app.config.get("PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind that many reverse proxies, the client's address (sign-in throttling, the audit log)
        # and scheme come from their X-Forwarded-* headers; without one, those headers are ignored.
        hops = app.config["PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from outreach.extensions import babel, csrf, db, login_manager

    db.init_app(app)

    from flask import request

    from outreach.core.db import set_write_intent

    @app.before_request
    def _declare_write_intent() -> None:
        # Reads begin a deferred transaction; on SQLite only requests that may write take the
        # write lock up front (BEGIN IMMEDIATE), so searches never queue behind a writer.
        set_write_intent(request.method not in {"GET", "HEAD", "OPTIONS"})

    from outreach.core.security import init_security

    # The access policy runs before CSRF: a role that may not call an endpoint learns nothing more.
    init_security(app)
    csrf.init_app(app)

    from outreach.core.i18n import init_i18n, select_locale, select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    init_i18n(app)

    from outreach.core.auth.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load_user(session_id: str) -> User | None:
        # The id carries the session version: bumping it revokes every outstanding cookie.
        try:
            user_id, version = (int(part) for part in session_id.split(":", 1))
        except (ValueError, AttributeError):
            return None
        user = db.session.get(User, user_id)
        if user is None or user.session_version != version or not user.is_active_account:
            return None
        return user

    from outreach.core.errors import init_errors

    init_errors(app)
    _register_blueprints(app)
    _template_context(app)
    return app



def settle(app: Flask) -> None:
    """Ready a serving process: compile every template now, then move what start-up built out of
    the garbage collector's way.

    A web worker holds some 120,000 long-lived objects (models, templates, Babel and country
    data); each full collection walked all of them, a 60-80 ms pause every fifty requests or so.
    Frozen, they are never walked again.
    """
    for name in app.jinja_env.list_templates(extensions=("html", "txt")):
        app.jinja_env.get_template(name)
    gc.collect()
    gc.freeze()


def _register_blueprints(app: Flask) -> None:
    from outreach.campaigns import bp as campaigns_bp
    from outreach.campaigns import report_views as _campaign_report_views  # noqa: F401
    from outreach.campaigns import target_views as _campaign_target_views  # noqa: F401
    from outreach.campaigns import views as _campaigns_views  # noqa: F401
    from outreach.campaigns.panels import register_contributions as register_campaigns_contributions
    from outreach.calendars import bp as calendars_bp
    from outreach.calendars import views as _calendars_views  # noqa: F401
    from outreach.calendars.panels import register_contributions as register_calendars_contributions
    from outreach.contacts import bp as contacts_bp
    from outreach.contacts import io_views as _contacts_io_views  # noqa: F401
    from outreach.contacts import list_views as _contact_list_views  # noqa: F401
    from outreach.contacts import organisation_views as _organisation_views  # noqa: F401
    from outreach.contacts import views as _contacts_views  # noqa: F401
    from outreach.contacts.panels import register_contributions as register_contacts_contributions
    from outreach.core.admin import audit_bp
    from outreach.core.admin import bp as admin_bp
    from outreach.core.admin import views as _admin_views  # noqa: F401
    from outreach.core.auth import account_bp
    from outreach.core.auth import bp as auth_bp
    from outreach.core.audit_text import register_record_link
    from outreach.core.auth import views as _auth_views  # noqa: F401
    from outreach.core.inbox import bp as inbox_bp
    from outreach.core.inbox import views as _inbox_views  # noqa: F401
    from outreach.core.views import bp as home_bp
    from outreach.core.views import health_bp, register_core_contributions
    from outreach.meetings import bp as meetings_bp
    from outreach.meetings import commitment_views as _commitment_views  # noqa: F401
    from outreach.meetings import commitments_bp, follow_ups_bp
    from outreach.meetings import views as _meetings_views  # noqa: F401
    from outreach.meetings.panels import register_contributions as register_meetings_contributions
    from outreach.monitoring import bp as monitoring_bp
    from outreach.monitoring import views as _monitoring_views  # noqa: F401
    from outreach.monitoring.panels import register_contributions as register_monitoring_contributions
    from outreach.introductions import bp as introductions_bp
    from outreach.introductions import views as _introductions_views  # noqa: F401
    from outreach.introductions import staff_views as _introductions_staff_views  # noqa: F401
    from outreach.introductions.panels import register_contributions as register_introductions_contributions
    from outreach.resources import bp as resources_bp
    from outreach.resources import hub_bp
    from outreach.resources import evidence_views as _evidence_views  # noqa: F401
    from outreach.resources import hub_views as _hub_views  # noqa: F401
    from outreach.resources import views as _resources_views  # noqa: F401
    from outreach.resources.panels import register_contributions as register_resources_contributions

    for blueprint in (auth_bp, account_bp, home_bp, health_bp, admin_bp, audit_bp, inbox_bp,  # core
                      contacts_bp,  # the directory
                      meetings_bp, commitments_bp, follow_ups_bp,  # meetings
                      campaigns_bp,  # campaigns
                      calendars_bp,  # downloads, feeds, import
                      introductions_bp,  # activists' requests, consent, door-openers
                      monitoring_bp,  # instruments, the watchlist
                      resources_bp, hub_bp):  # the practice hub
        app.register_blueprint(blueprint)
    register_core_contributions()
    register_contacts_contributions()
    register_meetings_contributions()
    register_campaigns_contributions()
    register_monitoring_contributions()
    register_calendars_contributions()
    register_introductions_contributions()
    register_resources_contributions()
    for record_type, endpoint, argument in (("contacts", "contacts.contact", "contact_id"),
                                            ("organisations", "contacts.organisation", "organisation_id"),
                                            ("meetings", "meetings.show", "meeting_id"),
                                            ("commitments", "commitments.show", "commitment_id"),
                                            ("introduction_requests", "introductions.show", "request_id"),
                                            ("activist_profiles", "introductions.activist", "profile_id")):
        register_record_link(record_type, endpoint, argument)

    @app.route("/favicon.ico")
    def favicon():  # type: ignore[no-untyped-def]
        return app.send_static_file("img/favicon.svg")

    from outreach.core.db import retry_transient

    # PostgreSQL may abort a transaction for a deadlock or a serialization failure: every view runs
    # again, a bounded number of times, before the user sees an error.
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = retry_transient(view)


def _template_context(app: Flask) -> None:
    from outreach.core.admin.forms import ROLE_LABELS
    from outreach.core.audit_text import action_label
    from sqlalchemy.exc import SQLAlchemyError

    from outreach.core.home import nav_entries_for, nav_is_active, row_actions_for
    from outreach.core.notifications import unread_count
    from outreach.core.permissions import Capability, Role, has_capability

    def unread_badge(user_id: int) -> int:
        # The layout also draws error pages, possibly inside a failed transaction: no badge then.
        try:
            return unread_count(user_id)
        except SQLAlchemyError:
            return 0

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {
            "nav_entries_for": nav_entries_for,
            "nav_is_active": nav_is_active,
            "row_actions_for": row_actions_for,
            "has_capability": has_capability,
            "Capability": Capability,
            "role_label": lambda role: ROLE_LABELS.get(Role(role), role),
            "app_version": __version__,
            "action_label": action_label,
            "unread_count": unread_badge,
        }
