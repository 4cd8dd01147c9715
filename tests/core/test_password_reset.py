"""Forgot password: a one-time, expiring, hashed link by e-mail that ends every session of the account."""
from __future__ import annotations

import email
import email.policy
import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from outreach.core.audit import AuditEvent
from outreach.core.auth import services
from outreach.core.auth.models import PasswordReset, User
from outreach.core.db import db
from outreach.core.time import now_utc
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase for outreach"
SAME_ANSWER = "a link to choose a new password is on its way"


def _forgot(client, address, ip="127.0.0.1"):
    response = client.post("/forgot-password", data={"email": address}, environ_base={"REMOTE_ADDR": ip})
    response.close()  # as a WSGI server does once the page is out: the e-mail is sent then
    return response


def _mails_to(app, address):
    found = []
    for path in sorted(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == address:
            found.append(message)
    return found


def _link(message):
    return re.search(r"http://localhost(/reset-password/\S+)", message.get_body(("plain",)).get_content()).group(1)


def _reset(client, link, password=NEW_PASSWORD, confirm=None):
    return client.post(link, data={"password": password, "confirm": confirm or password})


def _login(client, address, password=PASSWORD):
    return client.post("/login", data={"email": address, "password": password})


def _issue(app, user, *, now=None, actor=None, ttl=60):
    with app.app_context():
        issued = services.issue_password_reset(db.session.get(User, user.id), actor=actor, now=now or now_utc(),
                                               ttl_minutes=ttl)
        db.session.commit()
        return issued.token


def _reset_rows(app, user):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PasswordReset)
                                 .where(PasswordReset.user_id == user.id))


def test_sign_in_page_offers_forgot_password(client):
    page = client.get("/login")
    assert 'href="/forgot-password"' in page.text and "Forgot your password?" in page.text
    form = client.get("/forgot-password")
    assert form.status_code == 200 and 'autocomplete="username"' in form.text


def test_round_trip_mails_a_link_that_resets_and_signs_out_every_other_device(app, client, make_user):
    user = make_user("partner", name="Leila Partner")
    other_device = app.test_client()
    assert _login(other_device, user.email).status_code == 302
    assert other_device.get("/").status_code == 200

    answer = _forgot(client, user.email.upper())  # typed in another case
    assert answer.status_code == 200 and SAME_ANSWER in answer.text
    [message] = _mails_to(app, user.email)
    assert message["Subject"] == "Choose a new Outreach password"
    assert "expires in 60 minutes" in message.get_body(("plain",)).get_content()
    assert message.get_body(("html",)) is not None
    link = _link(message)

    form = client.get(link)
    assert form.status_code == 200 and user.email in form.text
    assert form.headers["Cache-Control"] == "no-store" and answer.headers["Cache-Control"] == "no-store"
    assert form.headers["Referrer-Policy"] == "no-referrer"  # the token in the address goes nowhere else
    done = _reset(client, link)
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert "Good to see you, Leila" in client.get("/").text  # signed in fresh
    revoked = other_device.get("/")
    assert revoked.status_code == 302 and revoked.headers["Location"].startswith("/login")
    assert _login(app.test_client(), user.email, PASSWORD).status_code == 401
    assert _login(app.test_client(), user.email, NEW_PASSWORD).status_code == 302

    # one time only: the link now answers with a page that offers a new one
    again = app.test_client().get(link)
    assert again.status_code == 404 and "Ask for a new link" in again.text
    assert _reset(app.test_client(), link, "yet another long passphrase").status_code == 404
    assert _login(app.test_client(), user.email, NEW_PASSWORD).status_code == 302

    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
        assert {"user.request_password_reset", "user.reset_password"} <= set(actions)
    admin_client, _admin = _admin_client(app, make_user)
    log = admin_client.get(f"/audit/?actor={user.email}")
    assert "asked for a password-reset link" in log.text and "chose a new password with a reset link" in log.text


def _admin_client(app, make_user):
    admin = make_user("admin")
    c = app.test_client()
    with c.session_transaction() as sess:
        sess["_user_id"] = admin.get_id()
    return c, admin


def _page(response, address):
    """The page with the address typed and the per-response CSP nonce blanked out."""
    return re.sub(r'nonce="[^"]+"', "", response.text.replace(address, "@"))


@pytest.mark.parametrize("case", ["unknown", "deactivated", "invited"])
def test_the_answer_never_tells_whether_an_account_exists(app, client, make_user, case):
    known = make_user("coordinator")
    expected = _forgot(app.test_client(), known.email)
    address = f"{case}-{known.id}@example.org"
    if case == "deactivated":
        make_user("partner", email=address, is_active_account=False)
    elif case == "invited":
        admin = make_user("admin")
        with app.app_context():
            services.invite_user(email=address, name="Invited", role="partner", actor=admin, now=now_utc(),
                                 ttl_hours=24)
            db.session.commit()
    answer = _forgot(client, address)
    assert answer.status_code == expected.status_code == 200
    assert _page(answer, address) == _page(expected, known.email)
    assert _mails_to(app, address) == []
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(PasswordReset).join(User, PasswordReset.user)
                                 .where(User.email == address))
        assert rows == 0
        refused = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.password_reset_not_sent",
                                                             AuditEvent.actor_label == address))
        assert refused is not None  # the audit log shows the probe


def test_requests_are_throttled_by_the_sign_in_rule(app, client, make_user):
    user = make_user("partner")
    for _ in range(app.config["LOGIN_FREE_FAILURES_PER_PAIR"]):
        assert _forgot(client, user.email).status_code == 200
    blocked = _forgot(client, user.email)
    assert blocked.status_code == 429 and "Too many requests for a reset link" in blocked.text
    assert 0 < int(blocked.headers["Retry-After"]) <= 15
    stranger = _forgot(client, f"nobody-{user.id}@example.org")  # an unknown address is throttled alike
    for _ in range(app.config["LOGIN_FREE_FAILURES_PER_PAIR"]):
        stranger = _forgot(client, f"nobody-{user.id}@example.org")
    assert stranger.status_code == 429
    assert len(_mails_to(app, user.email)) == app.config["LOGIN_FREE_FAILURES_PER_PAIR"]
    assert _login(client, user.email).status_code == 302  # asking for links never holds up signing in


def test_the_account_budget_stops_a_mail_flood_from_many_addresses(app, client, make_user):
    user = make_user("partner")
    budget = app.config["PASSWORD_RESET_MAX_PER_ACCOUNT"]
    for i in range(budget):
        assert _forgot(client, user.email, ip=f"203.0.113.{i}").status_code == 200
    assert _forgot(client, user.email, ip="203.0.113.200").status_code == 429
    assert len(_mails_to(app, user.email)) == budget


def test_token_is_stored_only_as_its_hash(app, make_user):
    user = make_user("coordinator")
    token = _issue(app, user)
    with app.app_context():
        reset = db.session.scalar(select(PasswordReset).where(PasswordReset.user_id == user.id))
        assert reset.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in repr([getattr(reset, c.key) for c in PasswordReset.__table__.columns])


def test_an_expired_link_is_refused(app, make_user):
    user = make_user("coordinator")
    token = _issue(app, user, now=now_utc() - timedelta(minutes=61))
    response = app.test_client().get(f"/reset-password/{token}")
    assert response.status_code == 404 and "This password-reset link is not valid" in response.text
    assert _reset(app.test_client(), f"/reset-password/{token}").status_code == 404
    assert _login(app.test_client(), user.email).status_code == 302  # the password is unchanged


def test_the_expiry_is_configurable(app, client, make_user):
    user = make_user("coordinator")
    app.config["PASSWORD_RESET_TTL_MINUTES"] = 5
    try:
        _forgot(client, user.email)
    finally:
        app.config["PASSWORD_RESET_TTL_MINUTES"] = 60
    [message] = _mails_to(app, user.email)
    assert "expires in 5 minutes" in message.get_body(("plain",)).get_content()
    with app.app_context():
        reset = db.session.scalar(select(PasswordReset).where(PasswordReset.user_id == user.id))
        assert reset.expires_at - reset.created_at == timedelta(minutes=5)


def test_a_newer_link_supersedes_the_older_one(app, make_user):
    user = make_user("coordinator")
    first, second = _issue(app, user), _issue(app, user)
    assert app.test_client().get(f"/reset-password/{first}").status_code == 404
    assert _reset(app.test_client(), f"/reset-password/{first}").status_code == 404
    assert _reset(app.test_client(), f"/reset-password/{second}").status_code == 302
    with app.app_context():
        live = db.session.scalars(select(PasswordReset).where(PasswordReset.user_id == user.id)).all()
        assert sorted(r.state(now_utc()) for r in live) == ["revoked", "used"]


def test_a_link_opened_in_two_tabs_works_once(app, make_user):
    user = make_user("coordinator")
    token = _issue(app, user)
    tab_one, tab_two = app.test_client(), app.test_client()
    assert tab_one.get(f"/reset-password/{token}").status_code == 200
    assert tab_two.get(f"/reset-password/{token}").status_code == 200
    assert _reset(tab_one, f"/reset-password/{token}").status_code == 302
    assert _reset(tab_two, f"/reset-password/{token}", "the second tab's passphrase").status_code == 404
    assert _login(app.test_client(), user.email, NEW_PASSWORD).status_code == 302


def test_a_deactivated_user_cannot_reset(app, login_as, make_user):
    user = make_user("partner")
    token = _issue(app, user)
    admin_client, _admin = login_as("admin")
    assert admin_client.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert app.test_client().get(f"/reset-password/{token}").status_code == 404
    assert _reset(app.test_client(), f"/reset-password/{token}").status_code == 404
    refused = admin_client.post(f"/admin/users/{user.id}/password-reset")
    assert refused.status_code == 409
    assert "reactivate the account" in admin_client.get(f"/admin/users/{user.id}").text
    with app.app_context():
        assert db.session.get(User, user.id).is_active_account is False
        with pytest.raises(services.ServiceError):
            services.issue_password_reset(db.session.get(User, user.id), actor=None, now=now_utc(), ttl_minutes=60)


def test_the_new_password_follows_the_password_rules(app, make_user):
    user = make_user("coordinator")
    token = _issue(app, user)
    link = f"/reset-password/{token}"
    c = app.test_client()
    short = _reset(c, link, "short")
    assert short.status_code == 422 and "Use between 12 and 256 characters" in short.text
    differ = _reset(c, link, NEW_PASSWORD, "another passphrase entirely")
    assert differ.status_code == 422 and "The two passwords differ" in differ.text
    own_address = _reset(c, link, user.email)
    assert own_address.status_code == 422 and "must not be your e-mail address" in own_address.text
    assert _reset(c, link).status_code == 302  # the link survived the mistakes


@pytest.mark.parametrize("token", ["x" * 5000, "%00", "abc%00def", "%C2%B2%D9%A3", "٣٣٣", "%ED%A0%80", "%FF%FE",
                                   "..%2F..%2Fetc", " ", "%0D%0AX-Header:%20y"])
def test_hostile_tokens_are_refused_without_an_error(app, token):
    c = app.test_client()
    assert c.get(f"/reset-password/{token}").status_code == 404
    assert (
        c.post(f"/reset-password/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 404
    )


@pytest.mark.parametrize("address", ["", "not-an-address", "a\x00b@example.org", "x" * 5000 + "@example.org",
                                     "٣@example.org\r\nBcc: x@example.org"])
def test_bad_addresses_get_a_message_not_an_error(client, address):
    response = _forgot(client, address)
    assert response.status_code == 422
    assert "is-invalid" in response.text


def test_a_refusing_mail_server_still_gets_the_same_answer(app, client, make_user):
    user = make_user("partner")
    saved = app.config.get("MAIL_SERVER"), app.config["MAIL_PORT"]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens on the discard port here
    try:
        answer = _forgot(client, user.email)
    finally:
        app.config.update(MAIL_SERVER=saved[0], MAIL_PORT=saved[1])
    assert answer.status_code == 200 and SAME_ANSWER in answer.text
    assert _reset_rows(app, user) == 1  # the link exists; asking again sends a new one


def test_signed_in_visitors_are_sent_to_change_their_password(login_as):
    c, _user = login_as("partner")
    response = c.get("/forgot-password")
    assert response.status_code == 302 and response.headers["Location"] == "/account/password"


def test_admin_sends_a_reset_and_sees_the_link_without_a_mail_server(app, login_as, make_user):
    admin_client, admin = login_as("admin", name="Ada Admin")
    user = make_user("coordinator")
    other_device = app.test_client()
    assert _login(other_device, user.email).status_code == 302
    assert "Send password reset" in admin_client.get(f"/admin/users/{user.id}").text

    assert admin_client.post(f"/admin/users/{user.id}/password-reset").status_code == 302
    page = admin_client.get(f"/admin/users/{user.id}")
    shown = re.search(r"give them this one-time link yourself: http://localhost(/reset-password/[^\s<]+)", page.text)
    assert shown is not None
    [message] = _mails_to(app, user.email)
    assert "Ada Admin, an Outreach administrator" in message.get_body(("plain",)).get_content()
    assert _link(message) == shown.group(1)
    assert "sent a password-reset link to" in admin_client.get(f"/audit/?actor={admin.email}").text

    # sending again replaces the first link
    assert admin_client.post(f"/admin/users/{user.id}/password-reset").status_code == 302
    assert "The earlier password-reset link for this account no longer works." in admin_client.get(
        f"/admin/users/{user.id}").text
    assert app.test_client().get(shown.group(1)).status_code == 404
    latest = _link(_mails_to(app, user.email)[-1])
    assert _reset(app.test_client(), latest).status_code == 302
    assert other_device.get("/").status_code == 302  # her other sessions ended
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.send_password_reset",
                                                           AuditEvent.actor_id == admin.id))
        assert str(event.record_id) == str(user.id)
