"""Fixes from the usability review: who made a commitment, merged times, DST gaps, limits, pages."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, UTC

import pytest
from sqlalchemy import func, select

from outreach.core.db import db
from outreach.core.time import now_utc
from outreach.meetings.models import Commitment, FollowUp, Meeting
from tests.meetings.conftest import NOW
from tests.meetings.test_views import _form


def _counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Meeting, Commitment, FollowUp))


@pytest.fixture
def ecowas(make_organisation):
    return make_organisation("Economic Community of West African States", acronym="ECOWAS")


# --- 1. who made the commitment, and the meeting's organisation ------------------------------

def test_made_by_must_be_chosen_when_several_targets_attend(app, login_as, make_contact, make_organisation, ecowas):
    client, _ = login_as("coordinator")
    car = make_organisation("Government of the Central African Republic")
    first = make_contact("Omar", "Touray", organisation=ecowas)
    second = make_contact("Fatou", "Sow", organisation=car)
    data = _form(**{"attendees": [f"c:{first.id}", f"c:{second.id}"],
                    "commitments-0-description": "Nominate a gender adviser"})
    before = _counts(app)
    refused = client.post("/meetings/new", data=data)
    assert refused.status_code == 422
    error = re.search(r'id="commitments-0-contact_id-error">([^<]*)<', refused.text)
    assert error and "Several targets attended: choose who made this commitment." in error.group(1)
    assert "Choose who made it" in refused.text  # the picker asks, it does not default
    assert _counts(app) == before

    saved = client.post("/meetings/new", data={**data, "commitments-0-contact_id": str(second.id)})
    assert saved.status_code == 302, saved.text
    with app.app_context():
        commitment = db.session.scalars(select(Commitment).order_by(Commitment.id.desc())).first()
        assert commitment.contact_id == second.id and commitment.organisation_id == car.id
        meeting = db.session.get(Meeting, commitment.meeting_id)
        assert meeting.organisation_id is None  # targets from two organisations: no guess
    assert "Nominate a gender adviser" in client.get(f"/directory/contacts/{second.id}").text


def test_made_by_must_be_one_of_the_attending_targets(app, login_as, make_contact, ecowas):
    client, _ = login_as("coordinator")
    attending, elsewhere = make_contact(organisation=ecowas), make_contact(organisation=ecowas)
    response = client.post("/meetings/new", data=_form(**{
        "attendees": [f"c:{attending.id}"], "commitments-0-description": "Promise",
        "commitments-0-contact_id": str(elsewhere.id)}))
    assert response.status_code == 422 and "among the targets who attended" in response.text


def test_one_target_attending_made_it_by_default(app, login_as, make_contact, ecowas):
    client, _ = login_as("coordinator")
    director = make_contact("Omar", "Touray", organisation=ecowas)
    page = client.get(f"/meetings/new?attendees=c:{director.id}")
    assert re.search(rf'<option selected value="{director.id}">Omar Touray</option>', page.text), page.text
    assert "Choose who made it</option>" not in page.text
    saved = client.post("/meetings/new", data=_form(**{"attendees": [f"c:{director.id}"],
                                                        "commitments-0-description": "Publish the roster"}))
    assert saved.status_code == 302
    with app.app_context():
        commitment = db.session.scalars(select(Commitment).order_by(Commitment.id.desc())).first()
        assert (commitment.contact_id, commitment.organisation_id) == (director.id, ecowas.id)


def test_meeting_organisation_is_set_only_when_every_target_shares_it(app, login_as, make_contact,
                                                                       make_organisation, ecowas):
    client, _ = login_as("coordinator")
    car = make_organisation("Government of the Central African Republic")
    a, b = make_contact(organisation=ecowas), make_contact(organisation=ecowas)
    outsider = make_contact(organisation=car)
    form_page = client.get(f"/meetings/new?attendees=c:{a.id}&attendees=c:{b.id}")
    assert re.search(r'id="meeting-organisation">.*Economic Community of West African States \(ECOWAS\)',
                     form_page.text, re.S)
    mixed = client.get(f"/meetings/new?attendees=c:{a.id}&attendees=c:{outsider.id}")
    assert "Government of the Central African Republic" not in mixed.text
    saved = client.post("/meetings/new", data=_form(title="ECOWAS briefing",
                                                    attendees=[f"c:{a.id}", f"c:{b.id}"]))
    assert saved.status_code == 302
    with app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.title == "ECOWAS briefing"))
        assert meeting.organisation_id == ecowas.id
        meeting_id, revision = meeting.id, meeting.revision
    # adding someone from another organisation clears it on the next save
    edited = client.post(f"/meetings/{meeting_id}/edit", data=_form(
        title="ECOWAS briefing", revision=str(revision), attendees=[f"c:{a.id}", f"c:{outsider.id}"]))
    assert edited.status_code == 302
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).organisation_id is None


def test_service_refuses_an_unattributed_commitment_with_several_targets(app, ctx, make_user, make_contact):
    from outreach.meetings import services

    actor = make_user("coordinator")
    a, b = make_contact(), make_contact()
    meeting = services.log_meeting(services.MeetingData(title="Two targets", start_at=NOW, timezone="UTC",
                                                        attendees=[f"c:{a.id}", f"c:{b.id}"]), actor=actor, now=NOW)
    with pytest.raises(services.MeetingError, match="choose who made"):
        services.record_commitment(meeting, services.CommitmentData(description="Vague"), actor=actor, now=NOW)


# --- 2. edit conflict: times merged in the meeting's zone, readable changes -------------------

def test_conflict_merges_their_end_time_and_shows_local_times(app, login_as, make_meeting):
    tab_a, coordinator = login_as("coordinator", name="Leila Haddad")
    tab_b, _ = login_as("coordinator", user=coordinator)
    start = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 10:00 in Lagos
    meeting = make_meeting(coordinator, title="ECOWAS desk", timezone="Africa/Lagos", start_at=start,
                           end_at=start + timedelta(minutes=90))
    base = _form(title="ECOWAS desk", date="2026-11-25", start_time="10:00", end_time="11:30",
                 timezone="Africa/Lagos", revision=str(meeting.revision))
    assert tab_a.post(f"/meetings/{meeting.id}/edit",
                      data={**base, "end_time": "12:00", "outcome": "Agreed a joint letter"}).status_code == 302
    refused = tab_b.post(f"/meetings/{meeting.id}/edit", data={**base, "title": "ECOWAS gender desk"})
    assert refused.status_code == 409
    assert re.search(r'name="end_time"[^>]*value="12:00"', refused.text), "their end time is merged in"
    assert re.search(r'name="start_time"[^>]*value="10:00"', refused.text)
    assert "Agreed a joint letter</textarea>" in refused.text
    assert 'value="ECOWAS gender desk"' in refused.text  # ours kept
    box = refused.text[refused.text.index('id="stale-changes"'):]
    box = box[:box.index("</div>")]
    assert "Ends</span> 11:30 &rarr; 12:00 (Africa/Lagos)" in box
    assert "Outcome</span>" in box
    assert "end_at" not in box and "+00:00" not in box


def test_untouched_multi_line_text_from_a_browser_is_not_a_change(app, login_as, make_meeting):
    client, coordinator = login_as("coordinator")
    meeting = make_meeting(coordinator, title="Lines", agenda="1. Where we stand\n2. Our ask")
    response = client.post(f"/meetings/{meeting.id}/edit", data=_form(
        title="Lines", revision=str(meeting.revision), agenda="1. Where we stand\r\n2. Our ask", notes="",
        location="", date="2026-03-09", start_time="12:00", end_time=""))
    assert response.status_code == 302
    with app.app_context():
        from outreach.meetings import services

        fields = services.changes_since(db.session.get(Meeting, meeting.id), meeting.revision)[0]["fields"]
        assert "agenda" not in fields


# --- 3. daylight-saving gaps and folds --------------------------------------------------------

def test_a_time_skipped_by_the_clocks_is_refused(app, login_as):
    client, _ = login_as("coordinator")
    before = _counts(app)
    response = client.post("/meetings/new", data=_form(date="2026-03-29", start_time="01:30", end_time="",
                                                       timezone="Europe/London"))
    assert response.status_code == 422
    error = re.search(r'id="start_time-error">([^<]*)<', response.text)
    assert error and error.group(1) == ("01:30 does not exist in Europe/London on 29 March 2026: "
                                        "the clocks go forward.")
    assert _counts(app) == before
    end_in_gap = client.post("/meetings/new", data=_form(date="2026-03-29", start_time="00:30", end_time="01:15",
                                                         timezone="Europe/London"))
    assert end_in_gap.status_code == 422 and 'id="end_time-error"' in end_in_gap.text


def test_a_repeated_time_is_read_as_its_first_occurrence(app, login_as):
    client, _ = login_as("coordinator")
    response = client.post("/meetings/new", data=_form(title="Fold", date="2026-10-25", start_time="01:30",
                                                       end_time="", timezone="Europe/London"))
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.title == "Fold"))
        assert meeting.start_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, not GMT


# --- 4. length limits -------------------------------------------------------------------------

@pytest.mark.parametrize("change, field_id, limit", [
    ({"title": "t" * 5000}, "title", 200),
    ({"title": "t" * 201}, "title", 200),
    ({"location": "l" * 301}, "location", 300),
    ({"agenda": "a" * 20_001}, "agenda", 20000),
    ({"notes": "n" * 200_000}, "notes", 20000),
    ({"outcome": "o" * 20_001}, "outcome", 20000),
    ({"commitments-0-description": "c" * 2001}, "commitments-0-description", 2000),
    ({"follow_ups-0-task": "f" * 501, "follow_ups-0-due_date": "2026-03-12"}, "follow_ups-0-task", 500),
])
def test_length_limits_are_refused_next_to_the_field(app, login_as, make_contact, change, field_id, limit):
    client, _ = login_as("coordinator")
    target = make_contact()
    before = _counts(app)
    response = client.post("/meetings/new", data=_form(attendees=[f"c:{target.id}"], **change))
    assert response.status_code == 422
    error = re.search(rf'id="{field_id}-error">([^<]*)<', response.text)
    assert error and f"under {limit} characters" in error.group(1)
    assert _counts(app) == before


def test_services_enforce_the_same_limits(app, ctx, make_user):
    from outreach.meetings import services

    actor = make_user("coordinator")
    with pytest.raises(services.MeetingError) as title:
        services.log_meeting(services.MeetingData(title="t" * 201, start_at=NOW, timezone="UTC"), actor=actor, now=NOW)
    assert title.value.field == "title"
    with pytest.raises(services.MeetingError) as location:
        services.log_meeting(services.MeetingData(title="ok", location="l" * 301, start_at=NOW, timezone="UTC"),
                             actor=actor, now=NOW)
    assert location.value.field == "location"
    with pytest.raises(services.MeetingError):
        services.record_commitment(None, services.CommitmentData(description="c" * 2001, organisation_id=1),
                                   actor=actor, now=NOW)


# --- 5. scorecards ----------------------------------------------------------------------------

def test_scorecards_show_totals_and_kept_percentage(app, login_as, make_contact):
    from outreach.meetings import services

    client, coordinator = login_as("coordinator")
    minister = make_contact("Mahamat", "Abdoulaye-Longname")
    with app.app_context():
        for status in ("kept", "kept", "partly_kept", "broken", None):
            c = services.record_commitment(None, services.CommitmentData(description="Promise", contact_id=minister.id),
                                           actor=coordinator, now=NOW)
            if status:
                services.change_commitment_status(c, status, actor=coordinator, now=NOW)
        db.session.commit()
    page = client.get("/commitments/scorecards")
    assert page.status_code == 200
    assert "col-xl-4" not in page.text  # full-width sections, not three narrow cards
    for heading in ("Kept", "Partly kept", "Broken", "Open", "Total", "% kept"):
        assert f">{heading}</th>" in page.text
    row = page.text[page.text.index("Mahamat Abdoulaye-Longname"):]
    row = row[:row.index("</tr>")]
    cells = re.findall(r'data-label="[^"]+">([^<]*)<', row)
    assert cells == ["2", "1", "1", "1", "5", "50%"]  # 2 kept of 4 closed


# --- 6. messages and plausible dates ----------------------------------------------------------

def test_empty_date_and_bad_link_messages_are_single_and_plain(app, login_as):
    client, _ = login_as("coordinator")
    empty = client.post("/meetings/new", data=_form(date=""))
    assert empty.status_code == 422
    assert re.search(r'id="date-error">Enter the date\.<', empty.text)
    bad = client.post("/meetings/new", data=_form(date="31/02/2026"))  # "09/03/2026" reads as 9 March now
    assert re.search(r'id="date-error">Enter the date as YYYY-MM-DD\.<', bad.text)
    link = client.post("/meetings/new", data=_form(online_url="zoom.example.org/123"))
    assert link.status_code == 422
    assert re.search(r'id="online_url-error">Enter a full link starting with https://\.<', link.text)
    assert "(https://…)" not in link.text


@pytest.mark.parametrize("due", ["1900-01-01", "1999-12-31", f"{now_utc().year + 21}-01-01"])
def test_implausible_commitment_due_dates_are_refused(app, login_as, make_contact, due):
    client, _ = login_as("coordinator")
    target = make_contact()
    before = _counts(app)
    response = client.post("/meetings/new", data=_form(**{
        "attendees": [f"c:{target.id}"], "commitments-0-description": "Promise", "commitments-0-due_date": due}))
    assert response.status_code == 422
    assert re.search(r'id="commitments-0-due_date-error">Enter a date between 2000 and \d{4}\.<', response.text)
    assert _counts(app) == before
    ok = client.post("/meetings/new", data=_form(**{
        "attendees": [f"c:{target.id}"], "commitments-0-description": "Promise",
        "commitments-0-due_date": f"{now_utc().year + 1}-06-30"}))
    assert ok.status_code == 302


# --- 7. attendee typeahead --------------------------------------------------------------------

def test_typeahead_shows_the_current_post_and_consistent_kinds(app, login_as, make_contact, make_user, ecowas,
                                                              count_queries):
    client, _ = login_as("coordinator")
    make_contact("Amadou", "Namesake", organisation=ecowas)
    make_contact("Aminata", "Namesake")
    make_user("activist", name="Namesake Activist")
    make_user("coordinator", name="Namesake Coordinator")
    with count_queries() as few:
        response = client.get("/meetings/attendees?q=namesake")
    assert "Director, ECOWAS" in response.text
    kinds = re.findall(r'class="badge attendee-kind[^"]*">([^<]*)<', response.text)
    assert sorted(kinds) == ["Activist", "Contact", "Contact", "Coordinator"]
    for i in range(5):
        make_contact("Extra", f"Namesake{i}", organisation=ecowas)
    with count_queries() as many:
        response = client.get("/meetings/attendees?q=namesake")
    assert response.text.count("Director, ECOWAS") >= 3
    assert many.count == few.count, many.statements


# --- 8. meetings list -------------------------------------------------------------------------

def test_list_opens_on_upcoming_then_past_and_searches_titles(app, login_as, make_meeting):
    client, coordinator = login_as("coordinator")
    now = now_utc()
    make_meeting(coordinator, title="Far future planning", status="planned", start_at=now + timedelta(days=60))
    make_meeting(coordinator, title="Tomorrow planning", status="planned", start_at=now + timedelta(days=1))
    make_meeting(coordinator, title="Next week planning", status="planned", start_at=now + timedelta(days=7))
    make_meeting(coordinator, title="Yesterday debrief", start_at=now - timedelta(days=1))
    page = client.get("/meetings").text
    assert "Far future planning" not in page
    assert page.index("Tomorrow planning") < page.index("Next week planning") < page.index("Yesterday debrief")
    assert "Upcoming" in page and "Past meetings" in page
    later = client.get(f"/meetings?date_from={(now + timedelta(days=14)).date().isoformat()}").text
    assert "Far future planning" in later and "Tomorrow planning" not in later
    found = client.get("/meetings?q=DEBRIEF").text
    assert "Yesterday debrief" in found and "Tomorrow planning" not in found
    assert client.get("/meetings?q=" + "x" * 101).status_code == 400
    assert client.get("/meetings?q=100%25_").status_code == 200


# --- 9. my follow-ups -------------------------------------------------------------------------

def test_my_follow_ups_align_actions_and_omit_my_own_name(app, login_as, make_user):
    from outreach.meetings import services

    client, partner = login_as("partner", name="Zainab Bangura")
    with app.app_context():
        for task in ("Call the desk officer", "Send a much longer briefing note with many words in the task"):
            services.add_follow_up(services.FollowUpData(task=task, due_at=now_utc() + timedelta(days=2),
                                                         assignee_id=partner.id), actor=partner, now=NOW)
        db.session.commit()
    page = client.get("/follow-ups").text
    assert "Call the desk officer" in page
    assert "Zainab Bangura" not in page.split("<main", 1)[-1].split("</main>", 1)[0]
    assert page.count('class="follow-up-actions"') == 2
