"""The meeting form: a future meeting cannot be held; the likely time zones come first."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from outreach.core.db import db
from outreach.core.time import now_utc, to_zone
from outreach.meetings.models import Meeting
from tests.meetings.test_views import _form


def test_a_meeting_later_today_cannot_be_held(app, login_as):
    client, _ = login_as("coordinator", timezone="Africa/Addis_Ababa")
    later = to_zone(now_utc() + timedelta(hours=3), "Africa/Addis_Ababa")
    data = _form(date=later.date().isoformat(), start_time=later.strftime("%H:%M"), end_time="", status="held")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Meeting))
    response = client.post("/meetings/new", data=data)
    assert response.status_code == 422
    assert re.search(r'id="status-error">[^<]*has not started yet cannot be held', response.text)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == before
    planned = client.post("/meetings/new", data={**data, "status": "planned"})
    assert planned.status_code == 302


def test_the_time_zone_picker_offers_mine_and_the_attendees_countries_first(app, login_as, make_contact):
    client, _ = login_as("coordinator", timezone="Europe/Oslo")
    bangui = make_contact("Valentine", "Rugwabiza", country="CF")
    page = client.get(f"/meetings/new?attendees=c:{bangui.id}").text
    select_html = page[page.index('id="timezone"'):]
    select_html = select_html[:select_html.index("</select>")]
    suggested = select_html[select_html.index('label="Suggested"'):select_html.index('label="All time zones"')]
    assert 'value="Europe/Oslo"' in suggested and 'value="Africa/Bangui"' in suggested
    assert 'value="Asia/Tokyo"' not in suggested and 'value="Asia/Tokyo"' in select_html
