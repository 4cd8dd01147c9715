"""Signing in and out, throttling, safe redirects, and session revocation."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

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


def _login_from(client, ip, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip})


@pytest.fixture
def budgets(app):
    """Small per-account and per-address budgets, so a test can exhaust them in a few requests."""
    saved = {k: app.config[k] for k in ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "LOGIN_MAX_FAILURES_PER_IP")}
    app.config.update(LOGIN_MAX_FAILURES_PER_ACCOUNT=6, LOGIN_MAX_FAILURES_PER_IP=6)
    yield app.config
    app.config.update(saved)


def test_one_pair_gets_free_attempts_then_growing_delays(app, client, make_user):
    user = make_user("coordinator")
    for _ in range(app.config["LOGIN_FREE_FAILURES_PER_PAIR"]):
        assert _login(client, user.email, "bad password guess").status_code == 401
    blocked = _login(client, user.email)  # even the right password waits, from this address
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.text
    assert 0 < int(blocked.headers["Retry-After"]) <= 15
    with app.app_context():
        def wait(after):
            state = services.login_throttle(email=user.email, ip="127.0.0.1", now=now_utc() + after,
                                            free_per_pair=3, max_per_account=50, max_per_ip=100, cooldown_minutes=15)
            return state.retry_after_seconds if state.blocked else 0

        assert wait(timedelta(seconds=16)) == 0  # the first delay is over
        db.session.add(LoginAttempt(email=user.email, ip="127.0.0.1", attempted_at=now_utc()))
        db.session.commit()
        assert 15 < wait(timedelta(0)) <= 30  # and the next one is longer
    assert _login_from(client, "10.0.0.2", user.email).status_code == 302  # other addresses are not held up


def test_a_stranger_cannot_lock_the_owner_out(app, client, make_user, budgets):
    """An attack from many addresses uses up the account's budget; its owner still signs in from an
    address she used before (an admin too), while a new address waits."""
    admin = make_user("admin")
    assert _login_from(app.test_client(), "10.1.1.1", admin.email).status_code == 302  # her office, last week
    for i in range(budgets["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert _login_from(client, f"203.0.113.{i}", admin.email, "guess").status_code == 401
    assert _login_from(client, "203.0.113.99", admin.email).status_code == 429  # even the right password
    owner = app.test_client()
    assert _login_from(owner, "10.1.1.1", admin.email).status_code == 302
    assert owner.get("/").status_code == 200


def test_an_address_budget_does_not_lock_out_everyone_behind_it(app, client, make_user, budgets):
    """A proxy or an office: many failures from one address stop strangers' guesses there, not its users."""
    colleague = make_user("partner")
    assert _login_from(app.test_client(), "198.51.100.7", colleague.email).status_code == 302
    for i in range(budgets["LOGIN_MAX_FAILURES_PER_IP"]):
        _login_from(client, "198.51.100.7", f"someone{i}@example.org", "guess")
    newcomer = make_user("partner")
    assert _login_from(client, "198.51.100.7", newcomer.email).status_code == 429
    assert _login_from(app.test_client(), "198.51.100.7", colleague.email).status_code == 302
    assert _login_from(app.test_client(), "10.9.9.9", newcomer.email).status_code == 302


def test_success_forgives_only_that_address(app, client, make_user):
    user = make_user("partner")
    _login_from(client, "10.0.0.1", user.email, "wrong one")
    _login_from(client, "10.0.0.2", user.email, "a stranger's guess")
    assert _login_from(client, "10.0.0.1", user.email).status_code == 302
    with app.app_context():
        left = db.session.scalars(select(LoginAttempt.ip).where(LoginAttempt.email == user.email)).all()
        assert left == ["10.0.0.2"]


def test_behind_a_proxy_the_forwarded_address_is_throttled(tmp_path, database_url, make_user):
    """With OUTREACH_PROXIES=1 the client address comes from X-Forwarded-For (ProxyFix)."""
    from outreach import create_app
    from tests.conftest import app_config

    proxied = create_app(app_config(database_url, tmp_path, PROXIES=1))
    seen = []

    @proxied.before_request
    def _note() -> None:
        from outreach.core.security import client_ip

        seen.append(client_ip())

    proxied.test_client().get("/login", headers={"X-Forwarded-For": "192.0.2.44"},
                              environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert seen == ["192.0.2.44"]


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/x",
        "javascript:alert(1)",
        "http:/evil",
        "/\r\nSet-Cookie:x",
        " //evil.example",
        "\\\\evil",
        "",
    ],
)
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
