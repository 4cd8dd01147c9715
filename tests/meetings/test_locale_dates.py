"""Dates follow the reader's locale: shown as they write them, and read back when typed their way."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from outreach.contacts import services as directory
from outreach.contacts.forms import EndPositionForm
from outreach.contacts.models import Position
from outreach.core.db import db

START = datetime(2026, 3, 9, 14, 30, tzinfo=timezone.utc)


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
