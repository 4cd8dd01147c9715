"""Meeting pages through the web client: the one-form log, bad input, locking, permissions, query counts."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outreach.core.db import db
from outreach.meetings.models import Commitment, FollowUp, Meeting
from outreach.core.time import now_utc
from tests.meetings.conftest import NOW


def _form(**kw):
    data = {
        "kind": "meeting", "title": "Briefing with the SRSG", "date": "2026-03-09", "start_time": "10:00",
        "end_time": "11:00", "timezone": "Africa/Addis_Ababa", "status": "held", "location": "Addis Ababa",
        "online_url": "", "agenda": "", "notes": "She will raise it with the Council.", "outcome": "",
        "commitments-0-description": "", "commitments-0-category": "other",
        "follow_ups-0-task": "",
    }
    data.update(kw)
    return data


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_log_a_meeting_with_commitment_and_follow_up_in_one_post(app, login_as, make_contact, make_user):
    client, coordinator = login_as("coordinator", timezone="America/New_York")
    partner = make_user("partner")
    srsg = make_contact("Valentine", "Rugwabiza")
    response = client.post("/meetings/new", data=_form(**{
        "attendees": [f"c:{srsg.id}", f"u:{partner.id}"],
        "commitments-0-description": "Appoint a senior women protection adviser",
        "commitments-0-category": "appointment_of_women", "commitments-0-due_date": "2026-06-30",
        "commitments-0-accountable_id": str(partner.id), "commitments-0-indicator": "Adviser in post",
        "follow_ups-0-task": "Send the briefing note", "follow_ups-0-due_date": "2026-03-12",
        "follow_ups-0-due_time": "09:30", "follow_ups-0-assignee_id": str(partner.id),
        "follow_ups-0-reminders": ["1440", "0"], "follow_ups-0-daily_when_overdue": "y",
    }))
    assert response.status_code == 302, response.text
    with app.app_context():
        meeting = db.session.scalars(select(Meeting).order_by(Meeting.id.desc())).first()
        assert meeting.start_at.isoformat() == "2026-03-09T07:00:00+00:00"  # 10:00 in Addis Ababa
        assert meeting.timezone == "Africa/Addis_Ababa"
        assert meeting.commitments[0].accountable_id == partner.id
        follow_up = meeting.follow_ups[0]
        assert follow_up.due_at.isoformat() == "2026-03-12T13:30:00+00:00"  # 09:30 EDT in New York
        assert follow_up.offsets == [1440, 0]
        from outreach.core.audit import AuditEvent

        logged = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "meeting.log",
                                                            AuditEvent.record_id == str(meeting.id)))
        assert logged.actor_id == coordinator.id and logged.ip == "127.0.0.1"
    page = client.get(response.headers["Location"])
    assert "Briefing with the SRSG" in page.text and "Appoint a senior women protection adviser" in page.text
    # shown in the reader's zone (New York), with the local time where it happened
    assert "Monday 9 March 2026, 03:00" in page.text  # 07:00 UTC in New York (EDT)
    assert "10:00 (Africa/Addis_Ababa)" in page.text


@pytest.mark.parametrize(
    "change, message",
    [
        ({"end_time": "09:00"}, "ends before it starts"),
        ({"timezone": "Mars/Base"}, "Choose a time zone"),
        ({"attendees": ["c:999999"]}, "no longer exist"),
        ({"attendees": ["drop table"]}, "could not be recognised"),
        ({"date": "31/02/2026"}, "Enter the date as YYYY-MM-DD"),  # 9/3/2026 reads as 9 March: no 31 February
        ({"notes": "x" * 1_000_000}, "under 20000 characters"),
        ({"title": "Bad\x00title"}, "control characters"),
        ({"follow_ups-0-task": "Do it", "follow_ups-0-due_date": "tomorrow"}, "Not a valid date"),
        ({"follow_ups-0-task": "Do it"}, "Enter the due date"),
        (
            {"commitments-0-description": "Promise", "commitments-0-due_date": "12-31-2026"},
            "Not a valid date",
        ),  # US order, house locale
        ({"online_url": "javascript:alert(1)"}, "Enter a full link"),
        ({"initiated_by": "the minister"}, "Not a valid choice"),
        ({"online_url": "javascript://example.org/%0aalert(1)"}, "Enter a full link starting with https://"),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_saved(app, login_as, change, message):
    client, _ = login_as("coordinator")
    before = _count(app, Meeting), _count(app, Commitment), _count(app, FollowUp)
    response = client.post("/meetings/new", data=_form(**change))
    assert response.status_code == 422
    assert message in response.text
    assert (_count(app, Meeting), _count(app, Commitment), _count(app, FollowUp)) == before


def test_who_asked_for_the_meeting_is_kept_shown_and_in_the_history(app, login_as, make_contact):
    client, _ = login_as("coordinator")
    minister = make_contact("Awa", "Traoré")
    response = client.post("/meetings/new", data=_form(initiated_by="target", attendees=[f"c:{minister.id}"]))
    assert response.status_code == 302, response.text
    with app.app_context():
        meeting = db.session.scalars(select(Meeting).order_by(Meeting.id.desc())).first()
        assert meeting.initiated_by == "target"
        meeting_id, revision = meeting.id, meeting.revision
    page = client.get(f"/meetings/{meeting_id}").text
    assert "At their request" in page
    edit = client.get(f"/meetings/{meeting_id}/edit").text
    assert re.search(r'<option selected value="target">', edit) or 'value="target" selected' in edit
    saved = client.post(f"/meetings/{meeting_id}/edit", data=_form(initiated_by="", revision=str(revision),
                                                                  attendees=[f"c:{minister.id}"]))
    assert saved.status_code == 302, saved.text
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).initiated_by is None  # "Not recorded"
    page = client.get(f"/meetings/{meeting_id}").text
    assert "At their request" not in page
    assert "changed who asked for it" in page  # the edit history names the field as the form does


def test_a_commitment_nobody_made_is_refused_whole(app, login_as):
    client, _ = login_as("coordinator")
    before = _count(app, Meeting)
    response = client.post("/meetings/new", data=_form(**{"commitments-0-description": "Someone promised"}))
    assert response.status_code == 422 and "Say who made this commitment" in response.text
    assert _count(app, Meeting) == before


def test_add_another_row_keeps_what_was_typed(app, login_as):
    client, _ = login_as("coordinator")
    response = client.post(
        "/meetings/new", data=_form(add_commitment="1", **{"commitments-0-description": "Kept text"})
    )
    assert response.status_code == 200
    assert 'name="commitments-1-description"' in response.text and "Kept text" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Meeting).where(
            Meeting.title == "Briefing with the SRSG")) == 0


def test_second_save_of_the_same_meeting_is_refused_with_the_changes(app, login_as, make_meeting):
    first, coordinator = login_as("coordinator", name="Leila Haddad")
    second, _ = login_as("manager", name="Ingrid Solberg")
    meeting = make_meeting(coordinator, title="Donor round table")
    form_a = first.get(f"/meetings/{meeting.id}/edit")
    form_b = second.get(f"/meetings/{meeting.id}/edit")
    assert form_a.status_code == form_b.status_code == 200
    revision = str(meeting.revision)
    assert f'value="{revision}"' in form_a.text
    base = _form(title="Donor round table", revision=revision, date="2026-03-09")
    saved = second.post(f"/meetings/{meeting.id}/edit", data={**base, "title": "Donor round table (Oslo)"})
    assert saved.status_code == 302
    refused = first.post(f"/meetings/{meeting.id}/edit", data={**base, "outcome": "My outcome"})
    assert refused.status_code == 409
    assert "changed since you opened it" in refused.text
    assert "Ingrid Solberg" in refused.text and "Donor round table (Oslo)" in refused.text
    assert 'name="title" required type="text" value="Donor round table (Oslo)"' in refused.text  # theirs merged in
    assert "My outcome</textarea>" in refused.text  # ours kept
    with app.app_context():
        stored = db.session.get(Meeting, meeting.id)
        assert stored.title == "Donor round table (Oslo)" and stored.outcome is None


def test_object_level_permissions(app, login_as, make_user, make_meeting, make_contact):
    coordinator = make_user("coordinator")
    activist_client, activist = login_as("activist")
    partner_client, partner = login_as("partner")
    secret = make_meeting(coordinator, title="Internal strategy", notes="Do not share")
    with_activist = make_meeting(coordinator, title="Introduction meeting", users=(activist, partner),
                                 notes="Internal assessment of the target")
    # another user's meeting: 404, not 403
    assert activist_client.get(f"/meetings/{secret.id}").status_code == 404
    assert partner_client.get(f"/meetings/{secret.id}").status_code == 404
    assert partner_client.get(f"/meetings/{secret.id}/edit").status_code == 404
    # attended: visible, but activists never see internal notes
    page = activist_client.get(f"/meetings/{with_activist.id}")
    assert page.status_code == 200 and "Introduction meeting" in page.text
    assert "Internal assessment" not in page.text
    partner_page = partner_client.get(f"/meetings/{with_activist.id}")
    assert "Internal assessment" in partner_page.text
    # a partner who attended may see but not edit a meeting a coordinator organised
    assert partner_client.get(f"/meetings/{with_activist.id}/edit").status_code == 403
    # activists see only what they attended in the list
    listing = activist_client.get("/meetings")
    assert "Introduction meeting" in listing.text and "Internal strategy" not in listing.text


def test_edit_form_rows_only_add_new_commitments_and_follow_ups(app, login_as, make_contact):
    from outreach.meetings import services

    client, coordinator = login_as("coordinator")
    contact = make_contact()
    with app.app_context():
        meeting = services.log_meeting(
            services.MeetingData(title="With rows", start_at=NOW, timezone="UTC", attendees=[f"c:{contact.id}"]),
            commitments=[services.CommitmentData(description="Existing promise")],
            follow_ups=[services.FollowUpData(task="Existing task", due_at=NOW, assignee_id=coordinator.id)],
            actor=coordinator, now=NOW)
        db.session.commit()
        meeting_id = meeting.id
    page = client.get(f"/meetings/{meeting_id}/edit").text
    assert "Existing promise" not in page and "Existing task" not in page
    assert 'value="With rows"' in page


def test_partner_logs_and_edits_their_own_meeting(app, login_as, make_contact):
    client, partner = login_as("partner")
    contact = make_contact()
    created = client.post("/meetings/new", data=_form(attendees=[f"c:{contact.id}"]))
    assert created.status_code == 302
    meeting_id = int(created.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        revision = db.session.get(Meeting, meeting_id).revision
    edited = client.post(f"/meetings/{meeting_id}/edit", data=_form(title="Renamed", revision=str(revision),
                                                                     attendees=[f"c:{contact.id}"]))
    assert edited.status_code == 302


def test_list_page_query_count_is_pinned(app, login_as, make_meeting, make_contact, make_user, count_queries):
    client, coordinator = login_as("coordinator")
    partner = make_user("partner")
    for _ in range(3):
        make_meeting(coordinator, contacts=(make_contact(),), users=(partner,))
    with count_queries() as few:
        assert client.get("/meetings?status=held").status_code == 200
    with count_queries() as few_default:
        assert client.get("/meetings").status_code == 200
    for i in range(12):
        make_meeting(coordinator, contacts=(make_contact(), make_contact()), users=(partner,))
        make_meeting(coordinator, contacts=(make_contact(),), status="planned",
                     start_at=now_utc() + timedelta(days=1 + i % 10))
    with count_queries() as many:
        response = client.get("/meetings?status=held")
    assert response.status_code == 200
    assert many.count == few.count <= 9, many.statements
    with count_queries() as many_default:
        response = client.get("/meetings?q=meeting")
    assert response.status_code == 200 and "Upcoming" in response.text
    # the "Upcoming" section adds its own query and loads (attendees, organisations) when it has rows
    assert many_default.count <= few_default.count + 3 <= 13, many_default.statements


def test_commitments_register_and_scorecards_query_counts(app, login_as, make_meeting, make_contact, make_user,
                                                          count_queries):
    from outreach.meetings import services

    client, coordinator = login_as("coordinator")
    partner = make_user("partner")

    def add(n):
        with app.app_context():
            for _ in range(n):
                contact = make_contact()
                services.record_commitment(None, services.CommitmentData(description="Promise", contact_id=contact.id,
                                                                         accountable_id=partner.id),
                                           actor=coordinator, now=NOW)
            db.session.commit()

    add(2)
    with count_queries() as few:
        assert client.get("/commitments").status_code == 200
    add(10)
    with count_queries() as many:
        assert client.get("/commitments").status_code == 200
    assert many.count == few.count
    with count_queries() as cards_few:
        assert client.get("/commitments/scorecards").status_code == 200
    add(5)
    with count_queries() as cards_many:
        assert client.get("/commitments/scorecards").status_code == 200
    assert cards_many.count == cards_few.count


def test_bad_filters_answer_400(login_as):
    client, _ = login_as("coordinator")
    assert client.get("/meetings?date_from=yesterday").status_code == 400
    assert client.get("/meetings?date_from=2026-03-10&date_to=2026-03-01").status_code == 400
    assert client.get("/meetings?organisation=abc").status_code == 400
    assert client.get("/meetings?after=garbage").status_code == 200
    assert client.get("/commitments?contact=x").status_code == 400


def test_attendee_typeahead_finds_contacts_and_users(login_as, make_contact, make_user):
    client, _ = login_as("coordinator")
    make_contact("Bineta", "Diop")
    make_user("activist", name="Morning Star", email="ms-secret@example.org")
    response = client.get("/meetings/attendees?q=dio")
    assert "Bineta Diop" in response.text
    assert "Bineta Diop" in client.get("/meetings/attendees?q=bineta+dopi").text  # the directory's typo tolerance
    response = client.get("/meetings/attendees?q=star")
    assert "Morning Star" in response.text and "ms-secret" not in response.text
    assert "Nobody matches" in client.get("/meetings/attendees?q=zzzz").text
    refused = client.get("/meetings/attendees?q=%00di%0a")  # search text is checked like any text field
    assert refused.status_code == 400 and "control characters" in refused.text
    for role in ("partner", "manager"):  # only coordinators and admins find activists in pickers
        other, _ = login_as(role)
        assert "Morning Star" not in other.get("/meetings/attendees?q=star").text
        assert "Morning Star" not in other.get("/meetings/people?q=star").text
    admin, _ = login_as("admin")
    assert "Morning Star" in admin.get("/meetings/attendees?q=star").text
    assert client.get("/meetings/attendees?q=" + "a" * 5000).status_code == 200
    activist, _ = login_as("activist")
    assert activist.get("/meetings/attendees?q=dio").status_code == 403


def test_follow_up_done_snooze_and_my_list(app, login_as, make_user):
    from outreach.meetings import services

    client, partner = login_as("partner", timezone="Asia/Jakarta")
    other_client, _ = login_as("partner")
    with app.app_context():
        late = services.add_follow_up(services.FollowUpData(task="Overdue call", due_at=NOW - timedelta(days=400),
                                                            assignee_id=partner.id), actor=partner, now=NOW)
        soon = services.add_follow_up(services.FollowUpData(task="Send notes", due_at=NOW + timedelta(days=400),
                                                            assignee_id=partner.id), actor=partner, now=NOW)
        db.session.commit()
        late_id, soon_id = late.id, soon.id
    page = client.get("/follow-ups")
    assert "Overdue call" in page.text and "Send notes" in page.text
    assert page.text.index("Overdue call") < page.text.index("Send notes")
    assert other_client.post(f"/follow-ups/{late_id}/done").status_code == 404
    assert client.post(f"/follow-ups/{late_id}/done").status_code == 302
    assert client.post(f"/follow-ups/{soon_id}/snooze", data={"until": "1w"}).status_code == 302
    assert client.post(f"/follow-ups/{soon_id}/snooze", data={"until": "forever"}).status_code == 302
    with app.app_context():
        assert db.session.get(FollowUp, late_id).status == "done"
        assert db.session.get(FollowUp, soon_id).due_at == NOW + timedelta(days=407)


def test_my_follow_ups_come_a_hundred_at_a_time_with_the_true_totals(app, login_as):
    from outreach.meetings import services

    client, partner = login_as("partner")
    now = now_utc()
    with app.app_context():
        for i in range(103):  # all overdue
            services.add_follow_up(services.FollowUpData(task=f"Chase {i:03d}", due_at=now - timedelta(days=200 - i),
                                                         assignee_id=partner.id), actor=partner, now=NOW)
        services.add_follow_up(services.FollowUpData(task="Later on", due_at=now + timedelta(days=30),
                                                     assignee_id=partner.id), actor=partner, now=NOW)
        db.session.commit()
    first = client.get("/follow-ups").text
    assert first.count('class="follow-up-actions"') == 100
    assert 'Overdue <span class="badge text-bg-light border">103</span>' in first  # the group's size, not the page's
    assert "Chase 000" in first and "Chase 099" in first and "Chase 100" not in first and "Later on" not in first
    assert "/follow-ups?page=2" in first
    second = client.get("/follow-ups?page=2").text
    assert second.count('class="follow-up-actions"') == 4
    assert "Chase 102" in second and "Later on" in second
    assert 'Later <span class="badge text-bg-light border">1</span>' in second
    today = client.get("/").text  # the Today panel counts them all too
    assert '<span class="stat-value d-block text-danger">103</span>' in today
    panel = today.split('id="panel-my-follow-ups"', 1)[1].split("</section>", 1)[0]
    assert panel.count("<li") == 5 and "Chase 000" in panel and "Chase 005" not in panel and "Later on" not in panel


def test_a_follow_up_no_longer_needed_is_cancelled_with_its_reminders(app, login_as):
    from outreach.core.notifications import OutboxMessage
    from outreach.meetings import services
    from outreach.meetings.jobs import enqueue_follow_up_reminders

    client, partner = login_as("partner")
    other_client, _ = login_as("partner")
    with app.app_context():
        item = services.add_follow_up(services.FollowUpData(task="Chase the envoy", due_at=NOW + timedelta(hours=2),
                                                            assignee_id=partner.id), actor=partner, now=NOW)
        db.session.commit()
        item_id = item.id
    assert "Not needed" in client.get("/follow-ups").text
    assert other_client.post(f"/follow-ups/{item_id}/cancel").status_code == 404
    response = client.post(f"/follow-ups/{item_id}/cancel", data={"next": "//evil.example"})
    assert response.status_code == 302 and response.headers["Location"] == "/follow-ups"
    with app.app_context():
        assert db.session.get(FollowUp, item_id).status == "cancelled"
        enqueue_follow_up_reminders(NOW + timedelta(hours=3))
        pending = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.subject == f"follow_up:{item_id}:remind")
        ).all()
        assert all(m.status != "pending" for m in pending)
    assert "Cancelled: Chase the envoy" in client.get("/follow-ups").text  # the flash, once
    assert "Chase the envoy" not in client.get("/follow-ups").text  # no longer on the list


def test_commitment_status_change_through_the_page(app, login_as, make_user, make_contact):
    from outreach.meetings import services

    coordinator_client, coordinator = login_as("coordinator")
    partner_client, partner = login_as("partner")
    outsider_client, _ = login_as("partner")
    contact = make_contact()
    with app.app_context():
        commitment = services.record_commitment(None, services.CommitmentData(
            description="Fund the women's situation room", contact_id=contact.id, accountable_id=partner.id),
            actor=coordinator, now=NOW)
        db.session.commit()
        cid = commitment.id
    assert outsider_client.get(f"/commitments/{cid}").status_code == 404
    assert partner_client.post(f"/commitments/{cid}/status", data={"status": "kept", "note": "Budget line seen",
                                                                   "evidence": "https://example.org/budget"}
                               ).status_code == 302
    page = coordinator_client.get(f"/commitments/{cid}")
    assert "Budget line seen" in page.text and "https://example.org/budget" in page.text
    bad = coordinator_client.post(f"/commitments/{cid}/status", data={"status": "kept"})
    assert bad.status_code == 422 and "already in this status" in bad.text
    assert coordinator_client.post(f"/commitments/{cid}/status", data={"status": "lost"}).status_code == 422


def test_inbox_unread_count_and_read(app, login_as):
    from outreach.core.notifications import Notification

    client, user = login_as("partner")
    with app.app_context():
        db.session.add(Notification(user_id=user.id, title="Follow-up due", body="Call the SRSG", link="/follow-ups",
                                    created_at=NOW))
        db.session.commit()
        note_id = db.session.scalar(select(Notification.id).where(Notification.user_id == user.id))
    home = client.get("/")
    assert 'text-bg-warning">1<' in home.text
    other, _ = login_as("partner")
    assert other.post(f"/inbox/{note_id}/read").status_code == 404
    opened = client.post(f"/inbox/{note_id}/read")
    assert opened.status_code == 302 and opened.headers["Location"] == "/follow-ups"
    assert 'text-bg-warning' not in client.get("/").text
    assert client.post("/inbox/preferences", data={"email_enabled": "", "digest_hour": "25"}).status_code == 422
    assert client.post("/inbox/preferences", data={"digest_hour": "18"}).status_code == 302


def test_today_page_shows_meetings_panels(login_as):
    client, _ = login_as("partner")
    page = client.get("/")
    assert "My follow-ups" in page.text and "Going cold" in page.text
    activist, _ = login_as("activist")
    assert "My follow-ups" not in activist.get("/").text


def test_partner_filter_on_the_list(app, login_as, make_user, make_meeting):
    client, coordinator = login_as("coordinator")
    partner = make_user("partner", name="Amb. Hélène Marchand")
    mine = make_meeting(coordinator, title="With Hélène", users=(partner,))
    make_meeting(coordinator, title="Without her")
    page = client.get(f"/meetings?partner={partner.id}")
    assert "With Hélène" in page.text and "Without her" not in page.text
    # the partner picker keeps the choice: the hidden value and the name shown
    assert f'<input type="hidden" name="partner" id="partner" value="{partner.id}">' in page.text
    assert '<span class="search-picker-chosen" id="partner-chosen"' in page.text and "Amb. Hélène Marchand" in page.text
    assert mine.id
    for bad in ("99999999999", "0", "-3"):  # ids no record can have: a message, not an error page
        response = client.get(f"/meetings?partner={bad}")
        assert response.status_code == 400 and "Pick from the list." in response.text


def test_people_picker_finds_who_can_follow_up_by_any_word_of_the_name(app, login_as, make_user):
    client, _ = login_as("coordinator")
    make_user("partner", name="Amb. Hélène Marchand")
    make_user("coordinator", name="Marco Rossi")
    make_user("activist", name="Maria Activist")  # never picked: activists follow nothing up
    make_user("partner", name="Marchetti Gone", is_active_account=False)
    make_user("partner", name="100% Marchers_Club")

    def names(query):
        html = client.get("/meetings/people?" + query).text
        return sorted(re.findall(r'data-pick-label="([^"]+)"', html)), html

    found, html = names("q=mar&picker=follow_ups-0-assignee_id")
    assert found == ["100% Marchers_Club", "Amb. Hélène Marchand", "Marco Rossi"]
    assert 'data-pick="follow_ups-0-assignee_id"' in html
    assert names("q=hél&picker=x&role=partner")[0] == ["Amb. Hélène Marchand"]
    assert names("q=mar&picker=x&role=partner")[0] == ["100% Marchers_Club", "Amb. Hélène Marchand"]
    assert names("q=100%25&picker=x")[0] == ["100% Marchers_Club"] and names("q=_&picker=x")[0] == []
    assert names("q=&picker=x")[0] == [] and "Nobody matches" in names("q=zzz&picker=x")[1]
    activist, _ = login_as("activist")
    assert activist.get("/meetings/people?q=mar").status_code in (403, 404)


def test_the_meeting_form_picks_people_by_name_beyond_any_list(app, login_as, make_user, make_contact):
    """Whoever follows up is typed, not chosen from a list capped at a few hundred names."""
    from outreach.meetings.models import Commitment

    client, coordinator = login_as("coordinator", name="Leila Haddad")
    for i in range(30):
        make_user("partner", name=f"Partner {i:02d}")
    late = make_user("partner", name="Zoë Zwane")
    form = client.get("/meetings/new").text
    assert f'id="follow_ups-0-assignee_id" value="{coordinator.id}"' in form and "Leila Haddad" in form
    assert "Partner 07" not in form  # nobody is listed up front
    target = make_contact()
    response = client.post("/meetings/new", data=_form(attendees=[f"c:{target.id}"], **{
        "commitments-0-description": "Fund the women mediators' network", "commitments-0-accountable_id": str(late.id),
        "follow_ups-0-task": "Send the draft", "follow_ups-0-due_date": "2031-01-05",
        "follow_ups-0-assignee_id": str(late.id)}))
    assert response.status_code == 302, response.text
    with app.app_context():
        assert db.session.scalar(select(FollowUp.assignee_id).where(FollowUp.task == "Send the draft")) == late.id
        assert db.session.scalar(select(Commitment.accountable_id)) == late.id
    refused = client.post("/meetings/new", data=_form(**{"follow_ups-0-task": "Chase", "follow_ups-0-due_date":
                                                          "2031-01-05", "follow_ups-0-assignee_id": "4294967296"}))
    assert refused.status_code == 422 and "Pick someone from the list." in refused.text


def test_follow_ups_and_inbox_query_counts_are_pinned(app, login_as, count_queries):
    from outreach.core.notifications import Notification
    from outreach.meetings import services

    client, partner = login_as("partner")

    def add(n):
        with app.app_context():
            for i in range(n):
                services.add_follow_up(services.FollowUpData(task=f"Task {i}", due_at=NOW + timedelta(hours=i),
                                                             assignee_id=partner.id), actor=partner, now=NOW)
                db.session.add(Notification(user_id=partner.id, title=f"N{i}", body="b", created_at=NOW))
            db.session.commit()

    add(2)
    with count_queries() as few_f:
        assert client.get("/follow-ups").status_code == 200
    with count_queries() as few_i:
        assert client.get("/inbox").status_code == 200
    add(15)
    with count_queries() as many_f:
        assert client.get("/follow-ups").status_code == 200
    with count_queries() as many_i:
        assert client.get("/inbox").status_code == 200
    assert many_f.count == few_f.count and many_i.count == few_i.count


def test_archived_contacts_cannot_be_picked(app, login_as, make_contact):
    client, _ = login_as("coordinator")
    gone = make_contact(is_archived=True)
    response = client.post("/meetings/new", data=_form(attendees=[f"c:{gone.id}"]))
    assert response.status_code == 422 and "no longer exist" in response.text


def test_log_a_meeting_link_pre_picks_the_contact(login_as, make_contact):
    client, _ = login_as("coordinator")
    contact = make_contact("Leymah", "Gbowee")
    page = client.get(f"/meetings/new?attendees=c:{contact.id}&attendees=bogus")
    assert page.status_code == 200
    assert f'value="c:{contact.id}"' in page.text and "Leymah Gbowee" in page.text and "bogus" not in page.text


def test_a_tampered_revision_is_a_conflict_not_a_crash(app, login_as, make_meeting):
    client, coordinator = login_as("coordinator")
    meeting = make_meeting(coordinator, title="Original")
    for revision in ("abc", "0", "-5", ""):
        response = client.post(f"/meetings/{meeting.id}/edit", data=_form(title="Changed", revision=revision))
        assert response.status_code == 409, revision
    with app.app_context():
        assert db.session.get(Meeting, meeting.id).title == "Original"


def test_chase_a_commitment_with_a_follow_up(app, login_as, make_contact):
    from outreach.meetings import services

    client, partner = login_as("partner", timezone="Africa/Accra")
    outsider, _ = login_as("partner")
    contact = make_contact()
    with app.app_context():
        commitment = services.record_commitment(None, services.CommitmentData(
            description="Publish the NAP budget", contact_id=contact.id, accountable_id=partner.id),
            actor=partner, now=NOW)
        db.session.commit()
        cid = commitment.id
    bad = client.post(f"/commitments/{cid}/follow-ups", data={"task": "", "due_date": "soon",
                                                              "assignee_id": str(partner.id)})
    assert bad.status_code == 422 and "Say what has to be done" in bad.text
    assert outsider.post(f"/commitments/{cid}/follow-ups", data={"task": "x"}).status_code == 404
    ok = client.post(f"/commitments/{cid}/follow-ups", data={"task": "Ask for the budget line",
                                                             "due_date": "2026-04-01", "due_time": "10:00",
                                                             "assignee_id": str(partner.id)})
    assert ok.status_code == 302
    with app.app_context():
        follow_up = db.session.scalar(select(FollowUp).where(FollowUp.commitment_id == cid))
        assert follow_up.contact_id == contact.id and follow_up.due_at.isoformat() == "2026-04-01T10:00:00+00:00"
    assert "Ask for the budget line" in client.get(f"/commitments/{cid}").text


def test_every_meeting_link_on_a_partners_follow_ups_page_opens(app, login_as, make_contact, make_user):
    """Assigned a follow-up on a meeting she did not attend, she may open that meeting (rule 1)."""
    from datetime import timedelta

    from outreach.core.time import now_utc
    from outreach.meetings import services

    client, partner = login_as("partner")
    coordinator = make_user("coordinator")
    contact = make_contact("Linked", "Target")
    with app.app_context():
        now = now_utc()
        services.log_meeting(services.MeetingData(title="Not hers to attend", start_at=now, timezone="UTC",
                                                  attendees=[f"c:{contact.id}"]),
                             follow_ups=[services.FollowUpData(task="Chase the envoy", due_at=now + timedelta(days=1),
                                                               assignee_id=partner.id)], actor=coordinator, now=now)
        db.session.commit()
    page = client.get("/follow-ups").text
    links = re.findall(r'href="(/meetings/\d+)"', page)
    assert links and all(client.get(link).status_code == 200 for link in links)
