"""Coordinators create profiles and invite; admins purge; the demo, the bulk seed and rotate-keys."""
from __future__ import annotations

from sqlalchemy import func, select

from outreach.core.auth.models import Invitation, User
from outreach.core.db import db
from outreach.introductions.models import ActivistProfile, IntroductionRequest
from tests.conftest import PASSWORD
from tests.introductions.conftest import MARKER, NOW


def test_a_coordinator_creates_a_profile_invites_her_and_she_finds_it(app, login_as):
    from outreach.core.auth.services import accept_invitation

    coordinator, _ = login_as("coordinator")
    response = coordinator.post("/introductions/activists/new", data={
        "codename": "Desert Lily", "risk_tier": "high", "legal_name": f"{MARKER} Invited",
        "invite_email": "lily@private.example"})
    assert response.status_code == 303
    with app.app_context():
        profile = db.session.scalar(select(ActivistProfile).where(ActivistProfile.codename == "Desert Lily"))
        invitation = db.session.get(Invitation, profile.invitation_id)
        assert invitation.name == "Desert Lily" and invitation.role == "activist"
        user = accept_invitation(invitation, name="Her Own Real Name", password=PASSWORD, timezone="UTC", now=NOW)
        db.session.commit()
        user_id = user.id
    activist, _ = login_as("activist", user=_detached(app, user_id))
    assert "Desert Lily" in activist.get("/introductions/profile").text
    activist.post("/introductions/profile", data={"codename": "Desert Lily", "risk_tier": "high",
                                                  "legal_name": f"{MARKER} Invited"})
    with app.app_context():
        profile = db.session.scalar(select(ActivistProfile).where(ActivistProfile.codename == "Desert Lily"))
        assert profile.user_id == user_id and profile.user.name == "Desert Lily"


def _detached(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_an_admin_purges_after_confirming_her_password(app, login_as, triangle, submit):
    req = submit(triangle)
    admin, _ = login_as("admin")
    url = f"/introductions/activists/{triangle.profile.id}/purge"
    assert "/introductions/confirm" in admin.post(url, data={"confirm": "purge"}).headers["Location"]
    admin.post("/introductions/confirm", data={"password": PASSWORD})
    admin.post(url, data={"confirm": "nope"})
    with app.app_context():
        assert not db.session.get(ActivistProfile, triangle.profile.id).is_purged
    assert admin.post(url, data={"confirm": "purge"}).status_code == 303
    page = admin.get(f"/introductions/{req.id}").text
    assert "Purged activist" in page and "[removed]" in page and MARKER not in page
    coordinator, _ = login_as("coordinator")
    assert coordinator.post(url, data={"confirm": "purge"}).status_code == 403


def test_the_bulk_seed_fills_every_state(ctx, triangle, make_user):
    from outreach.introductions.seed import seed_introductions

    for _ in range(2):
        make_user("partner")
    seed_introductions(requests=400, seed=7, now=NOW)
    states = dict(db.session.execute(select(IntroductionRequest.state, func.count())
                                     .group_by(IntroductionRequest.state)).all())
    assert sum(states.values()) == 400 and len(states) == 9
    profile = db.session.scalar(select(ActivistProfile).where(ActivistProfile.codename.like("Seeded%")).limit(1))
    from outreach.introductions.profiles import own_identity

    assert own_identity(profile).legal_name == "Seeded identity"


def test_the_demo_has_activists_and_requests_in_every_state(ctx):
    from outreach.demo import seed_demo

    seed_demo()
    assert db.session.scalar(select(func.count()).select_from(ActivistProfile)) == 20
    states = dict(db.session.execute(select(IntroductionRequest.state, func.count())
                                     .group_by(IntroductionRequest.state)).all())
    assert len(states) == 9 and sum(states.values()) >= 40


def test_rotate_keys_on_the_command_line(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from cryptography.fernet import Fernet

    from outreach import create_app
    from outreach.cli import main
    from outreach.introductions import profiles

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("OUTREACH_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("OUTREACH_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("OUTREACH_ENCRYPTION_KEYS", old)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    with create_app().app_context():
        profiles.create_profile(profiles.ProfileData(codename="Key Heron", city=f"{MARKER} City"), user=None,
                                actor=None, now=NOW)
        db.session.commit()
    monkeypatch.setenv("OUTREACH_ENCRYPTION_KEYS", f"{new},{old}")
    result = runner.invoke(main, ["rotate-keys"])
    assert result.exit_code == 0 and "Re-encrypted 1" in result.output
    monkeypatch.setenv("OUTREACH_ENCRYPTION_KEYS", new)  # the old key is gone: everything still reads
    app = create_app()
    with app.app_context():
        profile = db.session.scalar(select(ActivistProfile))
        assert profiles.own_identity(profile).city == f"{MARKER} City"
        db.engine.dispose()
