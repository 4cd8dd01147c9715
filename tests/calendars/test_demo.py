"""The demo's calendar feeds: created once, each readable by its token alone."""
from __future__ import annotations

from outreach.calendars.demo import seed_calendars_demo


def test_demo_feeds_are_created_once_and_serve_calendars(app, make_user, make_organisation, ctx):
    from outreach.core.time import now_utc
    for email, role in (("manager@outreach.example", "manager"), ("coordinator@outreach.example", "coordinator"),
                        ("partner@outreach.example", "partner")):
        make_user(role, email=email)
    make_organisation("African Union Commission", acronym="AUC")
    created = seed_calendars_demo(now_utc())
    ctx.commit()
    assert [name for _email, name, _token in created] == [
        "Coalition calendar (everything)", "African Union Commission and its offices",
        "My Outreach meetings (titles only)", "My meetings and follow-ups with the decision dates I follow"]
    # The MINUSCA campaign's feed needs the campaigns' demo: without it, it is skipped.
    assert seed_calendars_demo(now_utc()) == []
    client = app.test_client()
    for _email, name, token in created:
        response = client.get(f"/calendars/feed/{token}.ics")
        assert response.status_code == 200 and f"NAME:{name}".encode() in response.data.replace(b"\r\n ", b"")
