"""Today is actionable: counts open their group, the next follow-ups name their contact and can be
done or snoozed in one click, and what I logged lately is one click away."""
from __future__ import annotations

import re
from datetime import timedelta

from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.time import now_utc
from outreach.meetings import services
from outreach.meetings.models import FollowUp


def _follow_up(app, user, *, task, due, contact=None):
    with app.app_context():
        follow_up = services.add_follow_up(
            services.FollowUpData(task=task, assignee_id=user.id, due_at=due, contact_id=getattr(contact, "id", None)),
            meeting=None, actor=db.session.get(User, user.id), now=now_utc())
        db.session.commit()
        return follow_up.id


def test_today_lists_the_next_follow_ups_with_their_contact_and_one_click_actions(app, login_as, make_contact):
    c, partner = login_as("partner")
    contact = make_contact("Ngozi", "Okafor")
    tomorrow = _follow_up(app, partner, task="Send the brief", due=now_utc() + timedelta(days=1), contact=contact)
    page = c.get("/").text
    assert "Send the brief" in page  # due tomorrow: listed, not only counted
    assert f'href="/directory/contacts/{contact.id}">Ngozi Okafor</a>' in page
    assert f'action="/follow-ups/{tomorrow}/done"' in page and f'formaction="/follow-ups/{tomorrow}/snooze"' in page
    for group in ("overdue", "today", "week"):
        assert f'href="/follow-ups#follow-ups-{group}"' in page

    done = c.post(f"/follow-ups/{tomorrow}/done", data={"next": "/"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/")
    with app.app_context():
        assert db.session.get(FollowUp, tomorrow).status == "done"
    assert "Send the brief" not in c.get("/").text.split("Done: Send the brief")[-1]


def test_today_shows_what_i_logged_recently(app, login_as, make_meeting):
    c, partner = login_as("partner")
    other, _ = login_as("coordinator")
    mine = make_meeting(partner, title="My briefing with the SRSG")
    page = c.get("/").text
    assert "Recently logged by me" in page
    assert re.search(rf'href="/meetings/{mine.id}">My briefing with the SRSG</a>', page)
    assert "My briefing with the SRSG" not in other.get("/").text
