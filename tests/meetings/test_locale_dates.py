"""Dates follow the reader's locale: shown as they write them, and read back when typed their way."""
from __future__ import annotations

from datetime import date, datetime, UTC

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from outreach.contacts import services as directory
from outreach.contacts.forms import EndPositionForm
from outreach.contacts.models import Position
from outreach.core.db import db

START = datetime(2026, 3, 9, 14, 30, tzinfo=UTC)


def test_the_meeting_page_and_list_write_dates_the_readers_way(login_as, make_meeting):
    us, us_user = login_as("coordinator", locale="en_US", timezone="UTC")
    house, _ = login_as("coordinator", locale="en", timezone="UTC")
    meeting = make_meeting(us_user, start_at=START, end_at=START.replace(hour=16), title="Budget briefing")
    page = us.get(f"/meetings/{meeting.id}").text
    assert "March 9, 2026, 2:30\u202fPM – 4:30\u202fPM" in page and '<html lang="en-US">' in page
    assert "Mon, Mar 9, 2026, 5:30\u202fPM (Africa/Addis_Ababa)" in page  # the local time there, their way too
    assert "Mon, Mar 9, 2026, 2:30\u202fPM" in us.get("/meetings?date_from=2026-03-01").text
    page = house.get(f"/meetings/{meeting.id}").text
    assert "Monday 9 March 2026, 14:30 – 16:30" in page and "Mon 9 Mar 2026, 17:30 (Africa/Addis_Ababa)" in page
    assert "PM" not in page
    assert "Mon 9 Mar 2026, 14:30" in house.get("/meetings?date_from=2026-03-01").text


@pytest.mark.parametrize("locale, typed, expected", [
    ("en_US", "3/9/2026", date(2026, 3, 9)), ("en_US", "03/09/26", date(2026, 3, 9)),
    ("en", "9/3/2026", date(2026, 3, 9)), ("en", "9.3.2026", date(2026, 3, 9)),
    ("en_US", "2026-03-09", date(2026, 3, 9)),  # what a date picker sends, in every locale
    ("en_US", "2/29/2026", None), ("en", "31/4/2026", None),  # no such day
    ("en_US", "١٢/٣/٢٠٢٦", None), ("en_US", "3/9/20266", None), ("en", "9/3/2026\x00", None),
])
def test_a_date_typed_the_readers_way_is_read_their_way(app, locale, typed, expected):
    with app.test_request_context(method="POST"), force_locale(locale):
        form = EndPositionForm(formdata=MultiDict({"end_date": typed}), meta={"csrf": False})
        assert form.validate() is (expected is not None)
        assert form.end_date.data == expected


def test_ending_a_post_with_a_date_typed_in_us_order(app, login_as, make_organisation):
    c, _ = login_as("coordinator", locale="en_US")
    org = make_organisation("UN Women")
    with app.app_context():
        person = directory.create_contact({"first_name": "Sima", "last_name": "Bahous"}, actor=None, now=START)
        post = directory.add_position(person, organisation=db.session.get(type(org), org.id), title="Director",
                                      start_date=date(2020, 1, 1), actor=None, now=START)
        db.session.commit()
        post_id = post.id
    assert c.post(f"/directory/positions/{post_id}/end", data={"end_date": "3/9/2026"}).status_code == 302
    with app.app_context():
        assert db.session.get(Position, post_id).end_date == date(2026, 3, 9)


def test_a_reminder_is_written_in_its_readers_locale(app, ctx, make_user):
    from sqlalchemy import select

    from outreach.core.notifications import OutboxMessage
    from outreach.meetings import jobs, services
    from tests.meetings.conftest import NOW

    due = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)  # 10:00 in New York
    readers = {"en_US": make_user("partner", timezone="America/New_York", locale="en_US"),
               "en": make_user("partner", timezone="America/New_York", locale="en")}
    for reader in readers.values():
        services.log_meeting(services.MeetingData(
            title="Meeting with the AU Special Envoy", start_at=datetime(2026, 3, 9, 7, 0, tzinfo=UTC),
            timezone="Africa/Addis_Ababa", status="held"), follow_ups=[services.FollowUpData(
                task="Send the Envoy our WPS brief", due_at=due, assignee_id=reader.id)], actor=reader, now=NOW)
    jobs.enqueue_follow_up_reminders(due)
    titles = {uid: (title, text) for uid, title, text in db.session.execute(
        select(OutboxMessage.user_id, OutboxMessage.title, OutboxMessage.body_text))}
    us_title, us_text = titles[readers["en_US"].id]
    assert "Thu, Mar 12, 2026, 10:00\u202fAM (America/New_York)" in us_title and "Mar 12, 2026" in us_text
    house_title, house_text = titles[readers["en"].id]
    assert "Thu 12 Mar 2026, 10:00 (America/New_York)" in house_title and "AM" not in house_text
