"""Her identity never leaks: not to the database file, not to pages, messages or logs she did not consent to."""
from __future__ import annotations

import sqlite3
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach.core.audit import AuditEvent
from outreach.core.db import db
from outreach.core.notifications import Notification, OutboxMessage, dispatch_due
from outreach.core.time import now_utc
from outreach.introductions.web import REAUTH_KEY
from tests.conftest import PASSWORD
from tests.introductions.conftest import MARKER


def test_the_marker_is_not_in_the_raw_database_file_nor_in_a_backup(app, tmp_path):
    from outreach import create_app
    from outreach.core.auth.services import create_user
    from outreach.introductions import profiles
    from outreach.migrate import upgrade
    from tests.conftest import app_config
    from tests.introductions.conftest import identity

    url = f"sqlite:///{tmp_path / 'raw.db'}"
    raw_app = create_app(app_config(url, tmp_path))
    upgrade(url)
    with raw_app.app_context():
        now = now_utc()
        user = create_user(email="raw@example.org", name="Raw", role="activist", password=PASSWORD, actor=None,
                           now=now)
        profile = profiles.create_profile(profiles.ProfileData(codename="Raw Heron", **identity()), user=user,
                                          actor=user, now=now)
        db.session.commit()
        assert profiles.own_identity(profile).legal_name == f"{MARKER} Legal Name"  # it is there, encrypted
        db.engine.dispose()
    backup = tmp_path / "backup.db"
    with sqlite3.connect(tmp_path / "raw.db") as source, sqlite3.connect(backup) as copy:
        source.backup(copy)
    files = {path.name: path.read_bytes() for path in tmp_path.glob("*.db*")}
    assert b"Raw Heron" in files["backup.db"]  # plaintext would be found: the codename is stored as is
    for name, data in files.items():
        for needle in (MARKER, MARKER.lower()):
            assert needle.encode() not in data, f"{needle} found in {name}"


@pytest.fixture
def offered(app, triangle, submit, login_as):
    """A request offered to the partner, with signed-in clients for each of the triangle."""
    from outreach.core.auth.models import User
    from outreach.introductions import services
    from outreach.introductions.models import IntroductionRequest

    req = submit(triangle)
    with app.app_context():
        services.offer(db.session.get(IntroductionRequest, req.id), db.session.get(User, triangle.partner.id),
                       actor=db.session.get(User, triangle.coordinator.id), now=now_utc())
        db.session.commit()
    clients = {name: login_as(role, user=getattr(triangle, name))[0] for name, role in (
        ("activist", "activist"), ("coordinator", "coordinator"), ("partner", "partner"),
        ("other_partner", "partner"))}
    return req, clients


def _pages(client, req_id, meeting_id=None):
    urls = ["/", "/introductions/", f"/introductions/{req_id}", "/inbox", "/meetings"]
    if meeting_id:
        urls.append(f"/meetings/{meeting_id}")
    return {url: client.get(url) for url in urls}


def _no_marker(responses):
    for url, response in responses.items():
        assert response.status_code in (200, 404), (url, response.status_code)
        assert MARKER not in response.text and MARKER.lower() not in response.text, url


def test_a_partner_sees_her_identity_only_after_consent_and_never_after_withdrawal(app, triangle, offered):
    req, c = offered
    assert c["partner"].post(f"/introductions/{req.id}/answer", data={"answer": "accept"}).status_code == 303
    _no_marker(_pages(c["partner"], req.id))
    assert c["partner"].post(f"/introductions/{req.id}/identity").status_code == 403
    brief = c["partner"].get(f"/introductions/{req.id}").text
    assert triangle.profile.codename in brief and "Real Name Should Not Show" not in brief
    assert c["activist"].post(f"/introductions/{req.id}/consent", data={"scope": "partner", "action": "give"}
                              ).status_code == 303
    _no_marker(_pages(c["partner"], req.id))  # a GET never shows it, even with consent
    revealed = c["partner"].post(f"/introductions/{req.id}/identity")
    assert revealed.status_code == 200 and f"{MARKER} Legal Name" in revealed.text
    assert c["other_partner"].post(f"/introductions/{req.id}/identity").status_code == 404
    _no_marker(_pages(c["other_partner"], req.id))
    assert c["activist"].post(f"/introductions/{req.id}/consent", data={"scope": "partner", "action": "withdraw"}
                              ).status_code == 303
    assert c["partner"].post(f"/introductions/{req.id}/identity").status_code == 403
    with app.app_context():
        reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "activist.identity_read")).all()
        assert [e.actor_id for e in reads] == [triangle.partner.id]


def test_another_activist_never_learns_the_request_exists(app, triangle, offered, login_as, make_profile):
    req, _c = offered
    stranger, user = login_as("activist")
    make_profile(user)
    assert stranger.get(f"/introductions/{req.id}").status_code == 404
    for action, data in (("withdraw", {}), ("consent", {"scope": "partner", "action": "give"}),
                         ("messages", {"body": "hello"})):
        assert stranger.post(f"/introductions/{req.id}/{action}", data=data).status_code == 404
    listing = stranger.get("/introductions/").text
    assert triangle.profile.codename not in listing and f"#{req.id}" not in listing
    assert triangle.profile.codename not in stranger.get("/").text


def test_coordinators_confirm_their_password_before_a_reveal_and_it_is_audited(app, triangle, offered):
    req, c = offered
    coordinator = c["coordinator"]
    _no_marker(_pages(coordinator, req.id))
    first = coordinator.post(f"/introductions/{req.id}/identity")
    assert first.status_code == 303 and "/introductions/confirm" in first.headers["Location"]
    assert coordinator.post("/introductions/confirm", data={"password": "wrong"}).status_code == 422
    assert coordinator.post("/introductions/confirm", data={"password": PASSWORD}).status_code == 303
    revealed = coordinator.post(f"/introductions/{req.id}/identity")
    assert revealed.status_code == 200 and f"{MARKER} City" in revealed.text
    with coordinator.session_transaction() as sess:
        sess[REAUTH_KEY] = time.time() - 6 * 60  # six minutes ago: too old
    assert coordinator.post(f"/introductions/{req.id}/identity").status_code == 303
    profile_page = coordinator.post(f"/introductions/activists/{triangle.profile.id}/identity")
    assert profile_page.status_code == 303
    with app.app_context():
        reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "activist.identity_read")).all()
        assert [(e.actor_id, e.record_id) for e in reads] == [(triangle.coordinator.id, str(triangle.profile.id))]


def test_no_message_notification_or_audit_entry_carries_her_identity(app, triangle, offered, login_as):
    req, c = offered
    c["partner"].post(f"/introductions/{req.id}/answer", data={"answer": "accept"})
    c["activist"].post(f"/introductions/{req.id}/consent", data={"scope": "partner", "action": "give"})
    c["activist"].post(f"/introductions/{req.id}/messages", data={"body": "When can we meet?"})
    c["partner"].post(f"/introductions/{req.id}/identity")
    c["partner"].post(f"/introductions/{req.id}/introduced", data={"reason": ""})
    with app.app_context():
        dispatch_due(now_utc() + timedelta(minutes=1), config=app.config)
        db.session.commit()
        rows = db.session.scalars(select(OutboxMessage)).all()
        assert len(rows) >= 6
        for row in rows:
            assert MARKER not in " ".join(filter(None, (row.title, row.body_text, row.body_html)))
        for note in db.session.scalars(select(Notification)):
            assert MARKER not in note.title + note.body
        for event in db.session.scalars(select(AuditEvent)):
            assert MARKER not in (event.details or "")
    manager, _m = login_as("manager")
    assert MARKER not in manager.get("/audit/").text
    mail_dir = app.config["MAIL_OUTBOX_DIR"]
    import pathlib

    for mail in pathlib.Path(mail_dir).glob("*.eml"):
        assert MARKER not in mail.read_text(errors="replace")


def test_the_activists_own_profile_shows_her_identity_to_her_alone(app, triangle, login_as):
    mine, _ = login_as("activist", user=triangle.activist)
    assert f"{MARKER} Legal Name" in mine.get("/introductions/profile").text
    coordinator, _ = login_as("coordinator")
    page = coordinator.get(f"/introductions/activists/{triangle.profile.id}").text
    assert triangle.profile.codename in page and MARKER not in page
    assert MARKER not in coordinator.get("/introductions/activists").text
