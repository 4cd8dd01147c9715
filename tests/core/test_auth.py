"""Signing in and out, throttling, safe redirects, and session revocation."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outreach.core.audit import AuditEvent
from outreach.core.auth import services
from outreach.core.auth.models import LoginAttempt, User
from outreach.core.db import db
from outreach.core.time import now_utc
from tests.conftest import PASSWORD


def _login(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_sign_in_lands_on_today_and_is_audited(app, client, make_user):
    user = make_user("partner", name="Grace Partner")
    response = _login(client, user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "Good to see you, Grace" in page.text
    with app.app_context():
        events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
        assert "auth.login" in events
        assert db.session.get(User, user.id).last_login_at is not None


def test_email_is_matched_case_insensitively(client, make_user):
    user = make_user("partner")
    assert _login(client, "  " + user.email.upper() + " ").status_code == 302


def test_unknown_email_and_wrong_password_answer_alike(app, client, make_user):
    user = make_user("coordinator")
    wrong = _login(client, user.email, "not the password at all")
    unknown = _login(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong e-mail address or password." in wrong.text
    assert "Wrong e-mail address or password." in unknown.text
    with app.app_context():
        failed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).all()
        assert {e.actor_label for e in failed} >= {user.email, "nobody@example.org"}


def test_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user("partner", is_active_account=False)
    response = _login(client, user.email)
    assert response.status_code == 401
    assert "Wrong e-mail address or password." in response.text


def test_repeated_failures_are_throttled_then_released(app, client, make_user):
    user = make_user("coordinator")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert _login(client, user.email, "bad password guess").status_code == 401
    blocked = _login(client, user.email)  # even the right password waits out the cooldown
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.text
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    with app.app_context():
        later = now_utc() + timedelta(minutes=app.config["LOGIN_COOLDOWN_MINUTES"], seconds=1)
        state = services.login_throttle(email=user.email, ip="127.0.0.1", now=later, max_per_account=5,
                                        max_per_ip=20, cooldown_minutes=15)
        assert not state.blocked


def test_throttling_is_per_ip_too(app, client, make_user):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    try:
        for i in range(3):
            _login(client, f"someone{i}@example.org", "guess")
        user = make_user("partner")
        assert _login(client, user.email).status_code == 429
        other_ip = client.post("/login", data={"email": user.email, "password": PASSWORD},
                               environ_base={"REMOTE_ADDR": "10.9.9.9"})
        assert other_ip.status_code == 302
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_IP"] = 20


def test_success_clears_the_account_failures(app, client, make_user):
    user = make_user("partner")
    _login(client, user.email, "wrong one")
    assert _login(client, user.email).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginAttempt)
                                 .where(LoginAttempt.email == user.email)) == 0


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example/x",
                                    "javascript:alert(1)", "http:/evil", "/\r\nSet-Cookie:x", " //evil.example", "\\\\evil", ""])
def test_unsafe_next_lands_on_home(client, make_user, target):
    user = make_user("partner")
    response = _login(client, user.email, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_safe_next_is_followed(client, make_user):
    user = make_user("partner")
    response = _login(client, user.email, next="/account/?tab=1")
    assert response.headers["Location"] == "/account/?tab=1"


def test_anonymous_page_redirects_to_login_with_next(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/account/")


def _session_cookie(client):
    cookie = client.get_cookie("outreach_session")
    return cookie.value if cookie else None


def _replay(app, cookie_value, name="outreach_session"):
    other = app.test_client()
    other.set_cookie(name, cookie_value)
    return other.get("/")


def test_logout_revokes_every_session_cookie(app, client, make_user):
    user = make_user("coordinator")
    _login(client, user.email)
    stolen = _session_cookie(client)
    assert _replay(app, stolen).status_code == 200
    assert client.post("/logout").status_code == 302
    replayed = _replay(app, stolen)
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]


def test_remember_me_cookie_is_secure_and_revoked_by_logout(app, client, make_user):
    user = make_user("partner")
    response = _login(client, user.email, remember="y")
    header = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("outreach_remember=")]
    assert header and "HttpOnly" in header[0] and "SameSite=Lax" in header[0]
    remember = client.get_cookie("outreach_remember").value
    fresh = app.test_client()
    fresh.set_cookie("outreach_remember", remember)
    assert fresh.get("/").status_code == 200  # restores the session from the remember cookie alone
    client.post("/logout")
    again = app.test_client()
    again.set_cookie("outreach_remember", remember)
    assert again.get("/").status_code == 302


def test_password_change_revokes_other_sessions_but_keeps_this_one(app, client, make_user):
    user = make_user("partner")
    _login(client, user.email)
    other_device = app.test_client()
    _login(other_device, user.email)
    old_cookie = _session_cookie(other_device)
    new_password = "an entirely new passphrase"
    response = client.post("/account/password", data={"current_password": PASSWORD, "password": new_password,
                                                      "confirm": new_password})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert _replay(app, old_cookie).status_code == 302
    assert _login(app.test_client(), user.email, new_password).status_code == 302
    assert _login(app.test_client(), user.email, PASSWORD).status_code == 401


def test_role_change_and_deactivation_revoke_sessions(app, login_as):
    admin_client, _admin = login_as("admin")
    victim_client, victim = login_as("partner")
    cookie = _session_cookie(victim_client) or victim_client.get("/") and _session_cookie(victim_client)
    assert victim_client.get("/").status_code == 200
    assert admin_client.post(f"/admin/users/{victim.id}/role", data={"role": "coordinator"}).status_code == 302
    assert victim_client.get("/").status_code == 302
    assert _replay(app, cookie).status_code == 302

    victim_client2, _ = login_as("partner", user=_reload(app, victim))
    assert victim_client2.get("/").status_code == 200
    assert admin_client.post(f"/admin/users/{victim.id}/deactivate").status_code == 302
    assert victim_client2.get("/").status_code == 302


def _reload(app, user):
    with app.app_context():
        return db.session.get(User, user.id)


def test_session_id_without_version_is_refused(app, make_user):
    user = make_user("partner")
    c = app.test_client()
    with c.session_transaction() as sess:
        sess["_user_id"] = str(user.id)  # an old-style id, or a forged one
    assert c.get("/").status_code == 302


def test_signed_in_user_visiting_login_goes_home(login_as):
    c, _ = login_as("partner")
    assert c.get("/login").headers["Location"] == "/"
