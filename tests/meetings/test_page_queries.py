"""The pages tuned for the large data set run a fixed number of statements whatever the number of rows."""
from __future__ import annotations

from datetime import timedelta

import pytest

from outreach.contacts.models import Relationship
from outreach.core.db import db
from outreach.meetings import services
from tests.meetings.conftest import NOW


@pytest.mark.parametrize("role", ["coordinator", "partner"])
def test_today_page_runs_a_fixed_number_of_statements(app, login_as, make_contact, make_user, count_queries, role):
    client, user = login_as(role)

    def add(n, cadences=(30,)):
        with app.app_context():
            for i in range(n):
                contact = make_contact(cadence_days=cadences[i % len(cadences)],
                                       last_touch_at=NOW - timedelta(days=400 + i))
                db.session.add(Relationship(user_id=user.id, contact_id=contact.id, created_at=NOW, updated_at=NOW))
                meeting = services.log_meeting(services.MeetingData(
                    title="Planned briefing", start_at=NOW + timedelta(days=365 + i), timezone="Africa/Bangui",
                    attendees=[f"c:{contact.id}", f"u:{user.id}"]), actor=user, now=NOW)
                c = services.record_commitment(meeting, services.CommitmentData(description="Promise",
                                                                                accountable_id=user.id),
                                               actor=user, now=NOW)
                services.change_commitment_status(c, "overdue", actor=None, now=NOW)
                services.add_follow_up(services.FollowUpData(task="Call back", due_at=NOW + timedelta(days=i),
                                                             assignee_id=user.id), meeting=meeting, actor=user,
                                       now=NOW)
            db.session.commit()

    add(1)
    with count_queries() as few:
        assert client.get("/").status_code == 200
    add(12, cadences=(7, 30, 60, 90))
    with count_queries() as many:
        page = client.get("/")
    assert page.status_code == 200 and "Planned briefing" in page.text
    assert many.count == few.count, many.statements


def test_commitment_detail_runs_a_fixed_number_of_statements(app, login_as, make_contact, count_queries):
    client, coordinator = login_as("coordinator")
    with app.app_context():
        c = services.record_commitment(None, services.CommitmentData(description="Promise",
                                                                     contact_id=make_contact().id),
                                       actor=coordinator, now=NOW)
        db.session.commit()
        cid = c.id
    with count_queries() as few:
        assert client.get(f"/commitments/{cid}").status_code == 200
    with app.app_context():
        for i in range(8):
            services.add_follow_up(services.FollowUpData(task=f"Chase {i}", due_at=NOW + timedelta(days=i),
                                                         assignee_id=coordinator.id, commitment_id=cid),
                                   actor=coordinator, now=NOW)
        db.session.commit()
    with count_queries() as many:
        page = client.get(f"/commitments/{cid}")
    assert page.status_code == 200 and "Chase 7" in page.text
    assert many.count == few.count, many.statements
