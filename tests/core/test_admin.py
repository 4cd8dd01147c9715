"""Inviting users, administering them, and browsing the audit log."""
from __future__ import annotations

import email
import email.policy
import re
from datetime import datetime, timedelta, UTC
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from outreach.core.audit import AuditEvent, record_event
from outreach.core.auth.models import Invitation, User
from outreach.core.auth.services import invite_user
from outreach.core.db import db
from outreach.core.time import now_utc

NEW_PASSWORD = "a long and fresh passphrase"


def _outbox(app):
    return sorted(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))


def _invite(c, email="new.person@example.org", role="partner", name="New Person"):
    return c.post("/admin/users/invite", data={"email": email, "name": name, "role": role})


def test_invitation_round_trip(app, login_as):
    admin_client, admin = login_as("admin")
    before = len(_outbox(app))
    response = _invite(admin_client, email="Fatima.Diallo@Example.org", role="partner", name="Fatima Diallo")
    assert response.status_code == 302
    page = admin_client.get("/admin/users")
    assert "fatima.diallo@example.org" in page.text  # pending, listed
    assert "No mail server is configured" in page.text  # the admin sees the link to pass on

    files = _outbox(app)
    assert len(files) == before + 1
    message = email.message_from_bytes(files[-1].read_bytes(), policy=email.policy.default)
    assert message["To"] == "fatima.diallo@example.org"
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"http://localhost(/invite/\S+)", body).group(1)
    assert message.get_body(("html",)) is not None

    invitee = app.test_client()
    form = invitee.get(link)
    assert form.status_code == 200 and "You were invited as partner" in form.text
    done = invitee.post(link, data={"name": "Fatima Diallo", "timezone": "Africa/Dakar",
                                    "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    home = invitee.get("/")
    assert "Good to see you, Fatima" in home.text
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "fatima.diallo@example.org"))
        assert user.role == "partner" and user.timezone == "Africa/Dakar"
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert {"user.invite", "user.accept_invite"} <= set(actions)

    # One time only.
    assert app.test_client().get(link).status_code == 404
    assert app.test_client().post(link, data={"name": "x", "timezone": "UTC", "password": NEW_PASSWORD,
                                              "confirm": NEW_PASSWORD}).status_code == 404


def _issue(app, admin, **kw):
    with app.app_context():
        issued = invite_user(email=kw.get("email", "later@example.org"), name="Later", role="coordinator",
                             actor=admin, now=kw.get("now", now_utc()), ttl_hours=kw.get("ttl", 24))
        db.session.commit()
        return issued


def test_expired_invitation_is_refused(app, make_user):
    admin = make_user("admin")
    issued = _issue(app, admin, now=now_utc() - timedelta(hours=30), ttl=24)
    response = app.test_client().get(f"/invite/{issued.token}")
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.text


def test_revoked_invitation_is_refused(app, login_as):
    c, admin = login_as("admin")
    issued = _issue(app, admin)
    assert c.post(f"/admin/invitations/{issued.invitation.id}/revoke").status_code == 302
    assert app.test_client().get(f"/invite/{issued.token}").status_code == 404
    assert c.post(f"/admin/invitations/{issued.invitation.id}/revoke").status_code == 409


def test_the_link_shown_on_screen_works_on_this_host_and_reinviting_says_so(app, login_as):
    c, _ = login_as("admin")
    first = _invite(c, email="twice.web@example.org")
    shown = c.get("/admin/users").text
    assert "Invitation created for twice.web@example.org" in shown
    link = re.search(r"give them this one-time link yourself: (\S+?)<", shown).group(1)
    assert link.startswith("http://localhost/invite/")  # the host the admin is using
    # A "Copy link" button carries the same link (the admin hands it on without selecting text).
    assert re.search(r'data-copy="([^"]+)"', shown).group(1) == link
    assert app.test_client().get(link.removeprefix("http://localhost")).status_code == 200
    assert first.status_code == 302
    _invite(c, email="twice.web@example.org")
    assert "The earlier invitation link for this address no longer works." in c.get("/admin/users").text
    assert app.test_client().get(link.removeprefix("http://localhost")).status_code == 404


def test_reinviting_replaces_the_older_link(app, make_user):
    admin = make_user("admin")
    first = _issue(app, admin, email="twice@example.org")
    second = _issue(app, admin, email="twice@example.org")
    assert app.test_client().get(f"/invite/{first.token}").status_code == 404
    assert app.test_client().get(f"/invite/{second.token}").status_code == 200


def test_unknown_or_absurd_tokens_are_404(client):
    assert client.get("/invite/nope").status_code == 404
    assert client.get("/invite/" + "a" * 500).status_code == 404


def test_cannot_invite_an_existing_user(login_as, make_user):
    c, _ = login_as("admin")
    existing = make_user("partner")
    response = _invite(c, email=existing.email.upper())
    assert response.status_code == 422
    assert "already exists" in response.text


def test_user_list_filters(app, login_as, make_user):
    c, _ = login_as("admin")
    make_user("activist", name="Zainab Activist", email="zainab@example.org")
    make_user("manager", name="Marta Manager", email="marta@example.org", is_active_account=False)
    by_role = c.get("/admin/users?role=activist")
    assert "Zainab Activist" in by_role.text and "Marta Manager" not in by_role.text
    inactive = c.get("/admin/users?status=inactive")
    assert "Marta Manager" in inactive.text and "Zainab Activist" not in inactive.text
    search = c.get("/admin/users?q=zain")
    assert "Zainab Activist" in search.text and "Marta Manager" not in search.text
    wildcard = c.get("/admin/users?q=%25")
    assert "Zainab Activist" not in wildcard.text  # % is a character, not a wildcard


def test_user_list_pages_without_duplicates(app, login_as, make_user):
    c, _ = login_as("admin")
    for i in range(55):
        make_user("partner", name=f"Paged Person {i:02d}")
    first = c.get("/admin/users?q=paged")
    second = c.get("/admin/users?q=paged&page=2")
    names = re.findall(r"Paged Person \d\d", first.text) + re.findall(r"Paged Person \d\d", second.text)
    assert len(names) == len(set(names)) == 55
    assert "Next" in first.text


def test_last_admin_cannot_be_demoted_or_deactivated(app, login_as):
    with app.app_context():  # the only active admin is the one signing in
        db.session.execute(update(User).where(User.role == "admin").values(is_active_account=False))
        db.session.commit()
    c, admin = login_as("admin")
    response = c.post(f"/admin/users/{admin.id}/role", data={"role": "manager"})
    assert response.status_code == 409
    assert c.get(f"/admin/users/{admin.id}").status_code == 200
    assert c.post(f"/admin/users/{admin.id}/deactivate").status_code == 409


def test_deactivate_and_reactivate(app, login_as, make_user):
    c, _ = login_as("admin")
    user = make_user("coordinator")
    assert c.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert "Deactivated" in c.get(f"/admin/users/{user.id}").text
    assert c.post(f"/admin/users/{user.id}/reactivate").status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).is_active_account
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.record_id == str(user.id))).all()
        assert {"user.deactivate", "user.reactivate"} <= set(actions)


def test_audit_log_filters_and_pages(app, login_as):
    c, manager = login_as("manager")
    base = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    with app.app_context():
        for i in range(60):
            record_event("test.paging", actor=None, now=base + timedelta(minutes=i), record_type="things",
                         record_id=i, actor_label="robot@example.org")
        record_event("user.invite", actor=None, now=base, actor_label="someone@example.org")
        record_event("testing.neighbour", actor=None, now=base, actor_label="someone@example.org")
        db.session.commit()
    page1 = c.get("/audit/?action=test.paging")
    assert page1.status_code == 200
    assert "<code>user.invite</code>" not in page1.text
    ids = re.findall(r"things #(\d+)", page1.text)
    assert len(ids) == 50 and ids[0] == "59"
    older = re.search(r'href="(/audit/\?[^"]*after=\d+[^"]*)"', page1.text).group(1).replace("&amp;", "&")
    page2 = c.get(older)
    assert re.findall(r"things #(\d+)", page2.text) == [str(i) for i in range(9, -1, -1)]
    prefix = c.get("/audit/?action=test.")
    assert "things #" in prefix.text and "testing.neighbour" not in prefix.text  # the prefix, dot included
    by_record = c.get("/audit/?record_type=things&record_id=7")
    assert re.findall(r"things #(\d+)", by_record.text) == ["7"]
    by_actor = c.get("/audit/?actor=ROBOT@example.org")
    assert "things #" in by_actor.text


def test_audit_dates_follow_the_readers_time_zone(app, login_as):
    c, _ = login_as("manager", timezone="Asia/Tokyo")
    with app.app_context():
        record_event("test.zone", actor=None, now=datetime(2026, 3, 10, 23, 30, tzinfo=UTC),
                     actor_label="robot@example.org")
        db.session.commit()
    # 23:30 UTC on the 10th is 08:30 on the 11th in Tokyo: the day filter is the reader's day.
    assert "<code>test.zone</code>" in c.get("/audit/?action=test.zone&since=2026-03-11&until=2026-03-11").text
    assert "<code>test.zone</code>" not in c.get("/audit/?action=test.zone&since=2026-03-10&until=2026-03-10").text
    assert "8:30" in c.get("/audit/?action=test.zone").text


def test_audit_log_is_append_only(app, ctx, dialect):
    event = record_event("test.immutable", actor=None, now=now_utc(), actor_label="x")
    db.session.flush()
    event.action = "test.changed"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    event = record_event("test.immutable", actor=None, now=now_utc(), actor_label="x")
    db.session.flush()
    with pytest.raises(Exception, match="append-only"), db.session.begin_nested():
        db.session.execute(text("UPDATE audit_events SET action = 'forged' WHERE id = :id"), {"id": event.id})
    with pytest.raises(Exception, match="append-only"), db.session.begin_nested():
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": event.id})


def test_audit_and_user_lists_run_a_fixed_number_of_queries(app, login_as, make_user, count_queries):
    c, admin = login_as("admin")
    counts = []
    for extra in (2, 40):
        for _i in range(extra):
            make_user("partner")
        _issue(app, admin, email=f"pending{extra}@example.org")
        with count_queries() as users_q:
            assert c.get("/admin/users").status_code == 200
        with count_queries() as audit_q:
            assert c.get("/audit/").status_code == 200
        counts.append((users_q.count, audit_q.count))
    assert counts[0] == counts[1], counts
    # The audit log: the page, and one query naming each kind of record on it (here people and invitations).
    assert counts[0][0] <= 5 and counts[0][1] <= 6, counts


def test_invitation_model_states(app, make_user):
    admin = make_user("admin")
    issued = _issue(app, admin)
    with app.app_context():
        inv = db.session.get(Invitation, issued.invitation.id)
        assert inv.state(now_utc()) == "pending"
        assert inv.state(now_utc() + timedelta(days=2)) == "expired"


def test_audit_log_reads_like_sentences_and_links_to_records(app, login_as, make_user):
    c, admin = login_as("admin", name="Ada Admin")
    target = make_user("partner", name="Hélène Dupont")
    c.post(f"/admin/users/{target.id}/role", data={"role": "coordinator"})
    page = c.get("/audit/?action=user.change_role").text
    assert re.search(rf'Ada Admin</a> changed the role of <a href="/admin/users/{target.id}">Hélène Dupont</a>', page)
    assert "from:</span> partner" in page and "to:</span> coordinator" in page
    assert re.search(r"[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d", page)  # "Sat 28 Nov 2026, 14:30"
    # A manager reads the same sentence, without links to user pages she may not open.
    m, _ = login_as("manager")
    seen = m.get("/audit/?action=user.change_role").text
    assert "changed the role of <span>Hélène Dupont</span>" in seen and "/admin/users/" not in seen


def test_audit_details_name_people_and_the_who_filter_takes_a_name(app, login_as, make_user):
    c, manager = login_as("manager", name="Zoë Ndlovu")
    other = make_user("coordinator", name="Someone Else")
    with app.app_context():
        record_event("follow_up.add", actor=db.session.get(User, manager.id), now=now_utc(), record_type="follow_ups",
                     record_id=999999, assignee_id=other.id)
        record_event("follow_up.add", actor=db.session.get(User, other.id), now=now_utc(), record_type="follow_ups",
                     record_id=999998, assignee_id=manager.id)
        db.session.commit()
    page = c.get("/audit/?action=follow_up.add&actor=zoe").text
    assert "Zoë Ndlovu</span> added the follow-up" in page
    assert "who follows up:</span> Someone Else" in page
    assert "999998" not in page  # the other person's event is filtered out
    assert "999999" in c.get("/audit/?action=follow_up.add&actor=ndlo").text
    assert "999999" in c.get(f"/audit/?action=follow_up.add&actor={manager.email.upper()}").text


def test_today_greets_by_first_name_not_rank(login_as):
    c, _ = login_as("partner", name="Gen. (ret.) Margaret Kiplagat")
    assert "Good to see you, Margaret" in c.get("/").text


def test_a_pending_invitation_is_resent_with_a_fresh_link_from_the_users_page(app, login_as):
    c, admin = login_as("admin")
    issued = _issue(app, admin, email="resend.me@example.org")
    page = c.get("/admin/users").text
    assert f'action="/admin/invitations/{issued.invitation.id}/resend"' in page
    response = c.post(f"/admin/invitations/{issued.invitation.id}/resend", follow_redirects=True)
    assert response.status_code == 200
    fresh = re.search(r"give them this one-time link yourself: (\S+/invite/[\w-]+)", response.text)
    assert fresh and issued.token not in fresh.group(1)
    assert app.test_client().get(f"/invite/{issued.token}").status_code == 404  # the old link stops working
    assert app.test_client().get(fresh.group(1).split("localhost", 1)[-1]).status_code == 200
    assert c.post(f"/admin/invitations/{issued.invitation.id}/resend").status_code == 404  # replaced: no longer pending
    m, _ = login_as("manager")
    assert m.post("/admin/invitations/1/resend").status_code == 403
