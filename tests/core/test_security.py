"""Security headers, CSRF, error pages, oversized requests and a database outage."""
from __future__ import annotations

import re

import pytest

from outreach import create_app
from tests.conftest import app_config


def test_headers_on_an_anonymous_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP
    scripts = re.findall(r"<script\b[^>]*>", response.text)
    assert scripts, "the layout loads its scripts"
    for tag in scripts:
        assert 'src="/static/' in tag, f"inline or foreign script: {tag}"
        assert f'nonce="{nonce}"' in tag
    assert "<style" not in response.text and " style=" not in response.text
    assert "cdn" not in response.text.lower()


def test_nonce_changes_per_request(client):
    first = client.get("/login").headers["Content-Security-Policy"]
    second = client.get("/login").headers["Content-Security-Policy"]
    assert first != second


def test_hsts_when_served_over_https(client):
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_authenticated_pages_are_not_cached(login_as):
    c, _ = login_as("coordinator")
    response = c.get("/")
    assert response.headers["Cache-Control"] == "no-store"
    static = c.get("/static/css/outreach.css")
    assert static.headers.get("Cache-Control") != "no-store"
    static.close()


def test_csrf_is_required_on_every_state_change(app, login_as, make_user, csrf_on):
    c, admin = login_as("admin")
    other = make_user("partner")
    posts = ["/logout", "/account/", "/account/password", "/admin/users/invite",
             f"/admin/users/{other.id}/role", f"/admin/users/{other.id}/deactivate",
             f"/admin/users/{other.id}/reactivate", f"/admin/users/{other.id}/password-reset",
             "/admin/invitations/1/revoke", "/admin/invitations/1/resend"]
    posts += ["/directory/contacts/new", "/directory/contacts/1/edit", "/directory/contacts/1/archive",  # directory
              "/directory/contacts/1/restore", "/directory/contacts/1/positions/new", "/directory/positions/1/end",
              "/directory/contacts/1/relationship", "/directory/contacts/1/relationship/remove",
              "/directory/organisations/new", "/directory/organisations/1/edit", "/directory/organisations/1/archive",
              "/directory/organisations/1/restore", "/directory/contacts/1/merge", "/directory/organisations/1/merge",
              "/directory/contacts/export", "/directory/organisations/export", "/directory/contacts/1/vcard",
              "/directory/import", "/directory/import/x", "/directory/contacts/bulk", "/directory/lists/new",
              "/directory/lists/1/edit", "/directory/lists/1/archive", "/directory/lists/1/restore",
              "/directory/lists/1/members/1/remove", "/directory/contacts/1/lists", "/directory/lists/1/export"]
    posts += ["/inbox/1/read", "/inbox/read-all", "/inbox/preferences", "/meetings/new", "/meetings/1/edit",  # meetings
              "/commitments/1/status", "/commitments/1/follow-ups", "/commitments/export", "/follow-ups/1/done",
              "/follow-ups/1/snooze", "/follow-ups/1/cancel"]
    posts += ["/calendars/feeds", "/calendars/feeds/1/rename", "/calendars/feeds/1/regenerate",  # calendars
              "/calendars/feeds/1/revoke", "/calendars/organisation-wide", "/calendars/import",
              "/calendars/import/series"]
    posts += ["/campaigns/new", "/campaigns/1/edit", "/campaigns/1/status", "/campaigns/1/objectives/new",  # campaigns
              "/campaigns/objectives/1/edit", "/campaigns/objectives/1/values", "/campaigns/1/targets.csv",
              "/campaigns/1/objectives.csv", "/campaigns/1/targets/add", "/campaigns/targets/1/stage",
              "/campaigns/targets/1", "/campaigns/targets/1/step-done"]
    posts += ["/introductions/1/messages", "/introductions/1/identity", "/introductions/1/introduced",  # introductions
              "/introductions/1/schedule", "/introductions/1/triage", "/introductions/1/decline",
              "/introductions/1/resolve", "/introductions/1/offer", "/introductions/1/close", "/introductions/confirm",
              "/introductions/activists/new", "/introductions/activists/1/identity", "/introductions/activists/1/purge",
              "/introductions/service-levels"]
    posts += ["/resources/new", "/resources/1/edit", "/resources/1/submit", "/resources/1/review",  # practice hub
              "/resources/1/retire", "/resources/collections", "/resources/collections/1/items",
              "/resources/vocabulary", "/resources/share/1", "/resources/evidence/1", "/resources/evidence/1/1/remove"]
    posts += ["/monitoring/export", "/monitoring/instruments/new", "/monitoring/instruments/1/edit",  # monitoring
              "/monitoring/instruments/1/archive", "/monitoring/instruments/1/restore",
              "/monitoring/instruments/1/versions/new", "/monitoring/instruments/1/versions/1/rate",
              "/monitoring/instruments/1/funding", "/monitoring/instruments/1/funding/1/withdraw",
              "/monitoring/instruments/1/key-posts", "/monitoring/instruments/1/key-posts/1/remove",
              "/monitoring/instruments/1/follow", "/monitoring/instruments/1/publish", "/monitoring/criteria",
              "/monitoring/criteria/1/archive", "/meetings/1/instruments", "/commitments/1/instruments",
              "/monitoring/links/1/remove"]
    for url in posts:
        response = c.post(url, data={"role": "admin"})
        assert response.status_code == 400, url
        assert "Reload the page and try again" in response.text
    # what only activists or partners may post (the access policy refuses an admin before CSRF is checked)
    by_role = {"activist": ["/introductions/profile", "/introductions/new", "/introductions/1/withdraw",
                            "/introductions/1/consent"],
               "partner": ["/introductions/1/answer", "/introductions/door-opener"]}
    for role, urls in by_role.items():
        client, _user = login_as(role)
        for url in urls:
            response = client.post(url, data={"role": "admin"})
            assert response.status_code == 400, url
        posts += urls
    activist, _ = login_as("activist")
    assert activist.post("/resources/suggest", data={"title": "x", "summary": "y"}).status_code == 400
    posts.append("/resources/suggest")
    # The hub's reach beacon is the one exception: anonymous by design, it only adds one to a day's counter.
    posts.append("/hub/opened")
    assert app.test_client().post("/login", data={"email": admin.email, "password": "x"}).status_code == 400
    # the signed-out pages: asking for a reset link and choosing a new password
    for url in ("/forgot-password", "/reset-password/x"):
        assert app.test_client().post(url, data={"email": admin.email}).status_code == 400, url
        posts.append(url)
    for rule in app.url_map.iter_rules():  # nothing state-changing escapes the list above
        if rule.methods & {"POST", "PUT", "PATCH", "DELETE"} and rule.endpoint not in {
            "auth.login",
            "auth.accept_invite",
        }:
            assert any(re.fullmatch(re.sub(r"<[^>]+>", r"[^/]+", rule.rule), u) for u in posts), rule.rule


def test_csrf_token_from_the_form_is_accepted(app, make_user, csrf_on):
    user = make_user("partner")
    c = app.test_client()
    page = c.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    response = c.post("/login", data={"email": user.email, "password": "correct horse battery staple",
                                      "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("url,code", [("/no/such/page", 404), ("/admin/users/999999", 404)])
def test_error_pages_use_the_layout(login_as, url, code):
    c, _ = login_as("admin")
    response = c.get(url)
    assert response.status_code == code
    assert "Outreach" in response.text and 'class="navbar' in response.text
    assert "Back to Today" in response.text


def test_405_page(login_as):
    c, _ = login_as("admin")
    response = c.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "That action is not possible here" in response.text


def test_403_page_for_a_role_without_access(login_as):
    c, _ = login_as("partner")
    response = c.get("/admin/users")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.text


def test_oversized_request_is_413(app, login_as):
    c, _ = login_as("admin")
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = c.post("/admin/users/invite", data={"name": "x" * 5000, "email": "a@example.org"})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert "larger than Outreach accepts" in response.text


def test_malformed_form_body_is_4xx(login_as):
    c, _ = login_as("admin")
    response = c.post("/admin/users/invite", data=b"\xff\xfe\x00garbage=%%%",
                      content_type="application/x-www-form-urlencoded")
    assert 400 <= response.status_code < 500


def test_unexpected_error_is_a_500_page_without_traceback(app, login_as, monkeypatch):
    def boom():
        raise RuntimeError("secret internals")

    monkeypatch.setitem(app.view_functions, "home.today", boom)
    app.testing, propagate = False, app.config.get("PROPAGATE_EXCEPTIONS")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        c, _ = login_as("coordinator")
        response = c.get("/")
    finally:
        app.testing = True
        app.config["PROPAGATE_EXCEPTIONS"] = propagate
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text


@pytest.mark.parametrize("url", ["sqlite:////nonexistent-dir/outreach/x.db",
                                 "postgresql+psycopg://outreach@127.0.0.1:1/none?connect_timeout=2"])
def test_database_outage_is_a_plain_503(tmp_path, url):
    down = create_app(app_config(url, tmp_path))
    down.testing = False
    c = down.test_client()
    for path in ("/healthz", "/"):
        with c.session_transaction() as sess:
            sess["_user_id"] = "1:1"
        response = c.get(path)
        assert response.status_code == 503, path
        assert "briefly unavailable" in response.text
        for leak in ("Traceback", "SELECT", "sqlite", "psycopg", "OperationalError"):
            assert leak not in response.text
    assert down.test_client().get("/login").status_code == 200  # pages that need no database still work


def test_sqlite_reads_do_not_take_the_write_lock(tmp_path):
    """GET requests begin a deferred transaction; requests that may write begin IMMEDIATE."""
    from sqlalchemy import event

    from outreach.core.db import db
    from outreach.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'locks.db'}"
    application = create_app(app_config(url, tmp_path))
    upgrade(url)
    seen: list[str] = []
    with application.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda conn, cur, stmt, *a: seen.append(stmt))
    client = application.test_client()
    assert client.get("/healthz").status_code == 200
    assert "BEGIN" in seen and "BEGIN IMMEDIATE" not in seen
    seen.clear()
    assert client.post("/login", data={"email": "nobody@example.org", "password": "wrong"}).status_code == 401
    assert "BEGIN IMMEDIATE" in seen
    engine.dispose()
