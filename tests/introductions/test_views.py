"""The pages, through the web client: the activist's, the coordinator's triage, the partner's brief."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outreach.core.db import db
from outreach.core.notifications import OutboxMessage
from outreach.core.time import now_utc
from outreach.introductions.models import ActivistProfile, IntroductionRequest, RequestTransition
from tests.introductions.conftest import MARKER, NOW


def test_an_activist_creates_her_profile_and_asks_from_the_directory(app, login_as, triangle):
    client, user = login_as("activist", name="Her Real Name")
    assert "Create your profile" in client.get("/introductions/").text
    assert client.get(f"/introductions/new?contact_id={triangle.target.id}").status_code == 302  # profile first
    response = client.post("/introductions/profile", data={
        "codename": "Blue Heron", "country": "CD", "languages": "fr, sw", "risk_tier": "elevated",
        "legal_name": f"{MARKER} Name", "focus_areas": "land rights"})
    assert response.status_code == 303
    with app.app_context():
        profile = db.session.scalar(select(ActivistProfile).where(ActivistProfile.user_id == user.id))
        assert profile.codename == "Blue Heron" and profile.language_list == ["fr", "sw"]
        assert profile.user.name == "Blue Heron"  # meetings and pickers show her codename
    directory = client.get("/directory/public").text
    assert f"/introductions/new?contact_id={triangle.target.id}" in directory
    form = client.get(f"/introductions/new?contact_id={triangle.target.id}")
    assert form.status_code == 200 and triangle.target.last_name in form.text
    sent = client.post(
        "/introductions/new",
        data={
            "contact_id": triangle.target.id,
            "purpose": "Protection at the site",
            "ask": "Ten minutes",
            "urgency": "soon",
            "languages": "fr",
        },
    )
    assert sent.status_code == 303
    page = client.get(sent.headers["Location"]).text
    assert "Submitted" in page and "A coordinator will read your request" in page
    assert "Withdraw the request" in page


def test_an_organisation_is_resolved_to_a_person_then_ranked_and_offered(app, login_as, triangle, submit):
    req = submit(triangle, contact_id=None, organisation_id=triangle.office.id)
    coordinator, _ = login_as("coordinator", user=triangle.coordinator)
    page = coordinator.get(f"/introductions/{req.id}").text
    assert "Choose the person" in page and triangle.target.last_name in page
    assert coordinator.post(f"/introductions/{req.id}/triage").status_code == 303  # refused: no person yet
    assert coordinator.post(f"/introductions/{req.id}/resolve", data={"contact_id": triangle.target.id}
                            ).status_code == 303
    page = coordinator.get(f"/introductions/{req.id}").text
    assert 'id="ranking"' in page and triangle.partner.name in page
    assert coordinator.post(f"/introductions/{req.id}/offer", data={"partner_id": triangle.partner.id}
                            ).status_code == 303
    with app.app_context():
        assert db.session.get(IntroductionRequest, req.id).state == "offered"
    partner, _ = login_as("partner", user=triangle.partner)
    brief = partner.get(f"/introductions/{req.id}").text
    assert "Can you open this door?" in brief and "Questions and answers" not in brief
    assert partner.post(f"/introductions/{req.id}/answer", data={"answer": "decline", "reason": ""}).status_code == 303
    with app.app_context():
        assert db.session.get(IntroductionRequest, req.id).state == "offered"  # a decline needs a reason
    assert partner.post(f"/introductions/{req.id}/answer", data={"answer": "decline", "reason": "Away"}
                        ).status_code == 303
    assert partner.get(f"/introductions/{req.id}").status_code == 404  # no longer hers


def test_a_declined_request_tells_her_why(app, login_as, triangle, submit):
    req = submit(triangle)
    coordinator, _ = login_as("coordinator", user=triangle.coordinator)
    assert coordinator.post(f"/introductions/{req.id}/decline", data={"reason": "The SRSG left the mission"}
                            ).status_code == 303
    mine, _ = login_as("activist", user=triangle.activist)
    page = mine.get(f"/introductions/{req.id}").text
    assert "Closed" in page and "The SRSG left the mission" in page


def test_the_whole_triangle_through_the_web_ends_in_a_scheduled_meeting(app, login_as, triangle, submit):
    req = submit(triangle)
    coordinator, _ = login_as("coordinator", user=triangle.coordinator)
    partner, _ = login_as("partner", user=triangle.partner)
    activist, _ = login_as("activist", user=triangle.activist)
    coordinator.post(f"/introductions/{req.id}/offer", data={"partner_id": triangle.partner.id})
    partner.post(f"/introductions/{req.id}/answer", data={"answer": "accept"})
    assert "Share my name and contact details" in activist.get(f"/introductions/{req.id}").text
    activist.post(f"/introductions/{req.id}/consent", data={"scope": "partner", "action": "give"})
    assert partner.post(f"/introductions/{req.id}/introduced", data={"reason": "By phone"}).status_code == 303
    day = (now_utc() + timedelta(days=7)).date().isoformat()
    scheduled = partner.post(f"/introductions/{req.id}/schedule", data={
        "date": day, "start_time": "10:00", "end_time": "11:00", "timezone": "Africa/Bangui", "location": "Bangui"})
    assert scheduled.status_code == 303 and "/meetings/" in scheduled.headers["Location"]
    meeting_page = activist.get(scheduled.headers["Location"])
    assert meeting_page.status_code == 200 and triangle.profile.codename in meeting_page.text
    with app.app_context():
        row = db.session.get(IntroductionRequest, req.id)
        assert row.state == "meeting_scheduled"
        steps = db.session.scalars(select(RequestTransition.to_state).where(RequestTransition.request_id == req.id)
                                   .order_by(RequestTransition.id)).all()
        assert steps == ["submitted", "triaged", "offered", "accepted", "introduced", "meeting_scheduled"]


@pytest.mark.parametrize("path", ["/introductions/99999999999", "/introductions/0", "/introductions/%EF%BC%91",
                                  "/introductions/activists/99999999999"])
def test_ids_no_request_can_have_answer_404(login_as, path):
    client, _ = login_as("coordinator")
    assert client.get(path).status_code == 404


def test_bad_input_gets_a_message_and_writes_nothing(app, login_as, triangle):
    client, _ = login_as("activist", user=triangle.activist)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(IntroductionRequest))
    for data in (
        {"purpose": "x" * 1_000_000, "ask": "a"},
        {"purpose": "a\x00b", "ask": "a"},
        {"purpose": "ok", "ask": "ok", "window_start": "0001-01-01"},
        {"purpose": "ok", "ask": "ok", "window_end": "9999-12-31"},
        {"purpose": "ok", "ask": "ok", "urgency": "yesterday"},
        {"purpose": "ok", "ask": "ok", "languages": "français"},
    ):
        response = client.post("/introductions/new", data={"contact_id": triangle.target.id, **data})
        assert response.status_code == 422, data
    assert client.post("/introductions/new", data={"contact_id": "99999999999999", "purpose": "a", "ask": "b"}
                       ).status_code == 302  # no such person: back to choosing
    assert (
        client.post("/introductions/profile", data={"codename": "x\x01y", "risk_tier": "standard"}).status_code == 422
    )
    assert (
        client.post("/introductions/profile", data={"codename": "Ok Name", "risk_tier": "extreme"}).status_code == 422
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IntroductionRequest)) == before


def test_lists_run_a_fixed_number_of_queries(app, login_as, triangle, submit, count_queries):
    for _ in range(3):
        submit(triangle)
    coordinator, _ = login_as("coordinator")
    activist, _ = login_as("activist", user=triangle.activist)
    counts = []
    for client in (coordinator, activist):
        with count_queries() as counter:
            assert client.get("/introductions/?queue=open").status_code == 200
        counts.append(counter.count)
    for _ in range(5):
        submit(triangle)
    for client, before in zip((coordinator, activist), counts, strict=False):
        with count_queries() as counter:
            client.get("/introductions/?queue=open")
        assert counter.count == before


def test_dashboard_service_levels_and_door_opener(app, login_as, triangle, submit):
    submit(triangle)
    manager, _ = login_as("manager")
    assert "Requests by step" in manager.get("/introductions/dashboard").text
    admin, _ = login_as("admin")
    assert admin.post("/introductions/service-levels", data={"submitted": 2, "offered": 4, "accepted": 6,
                                                             "declined": 2}).status_code == 303
    assert admin.post("/introductions/service-levels", data={"submitted": 0, "offered": 4, "accepted": 6,
                                                             "declined": 2}).status_code == 422
    partner, _ = login_as("partner", user=triangle.partner)
    assert (
        partner.post("/introductions/door-opener", data={"languages": "fr, en", "countries": "cf"}).status_code == 303
    )
    assert partner.post("/introductions/door-opener", data={"languages": "french"}).status_code == 422
    assert "CF" in partner.get("/introductions/door-opener").text


def test_service_level_reminders_go_out_once(app, triangle, submit):
    from outreach.introductions.jobs import remind_waiting

    req = submit(triangle)
    with app.app_context():
        assert remind_waiting(NOW + timedelta(days=2)) == 0  # within the three days
        later = NOW + timedelta(days=4)
        assert remind_waiting(later) >= 1
        assert remind_waiting(later + timedelta(hours=1)) == 0
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.like(f"intro:{req.id}:sla%"))).all()
        assert {r.user_id for r in rows} == {triangle.coordinator.id}
        assert all(triangle.profile.codename not in r.title for r in rows)


def test_the_ranking_page_runs_the_same_queries_however_many_partners(app, login_as, triangle, submit, make_user,
                                                                      count_queries):
    req = submit(triangle)
    coordinator, _ = login_as("coordinator")
    coordinator.get(f"/introductions/{req.id}")
    with count_queries() as before:
        assert 'id="ranking"' in coordinator.get(f"/introductions/{req.id}").text
    for _ in range(6):
        make_user("partner")
    with count_queries() as after:
        coordinator.get(f"/introductions/{req.id}")
    assert after.count == before.count
