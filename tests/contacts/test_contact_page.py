"""The contact page as a coordinator uses it: one-click actions that confirm, dates in her day,
"Log a meeting" within reach; Today's "going cold" names open the contact."""
from __future__ import annotations

from datetime import timedelta

from outreach.contacts.models import Contact
from outreach.core.db import db
from outreach.core.time import now_utc, to_zone


def test_end_post_asks_first_and_defaults_to_the_readers_day(app, login_as, make_org, make_contact):
    now = now_utc()
    # A zone whose date differs from UTC's right now.
    zone = "Pacific/Kiritimati" if now.hour >= 10 else "Pacific/Pago_Pago"
    local_day = to_zone(now, zone).date()
    assert local_day != now.date()
    c, _ = login_as("coordinator", timezone=zone)
    person = make_contact(org=make_org("UNDP"))
    page = c.get(f"/directory/contacts/{person.id}").text
    form = page[page.index('class="d-flex gap-1 align-items-center end-post"'):]
    form = form[:form.index("</form>")]
    assert f'value="{local_day.isoformat()}"' in form
    assert "data-confirm=" in form


def test_log_a_meeting_comes_before_the_contact_details(login_as, make_contact):
    c, _ = login_as("coordinator")
    person = make_contact()
    page = c.get(f"/directory/contacts/{person.id}").text
    assert page.count(f'href="/meetings/new?attendees=c:{person.id}"') == 1
    assert page.index(f'href="/meetings/new?attendees=c:{person.id}"') < page.index(">Reach<")
    activist, _ = login_as("activist")
    assert "/meetings/new" not in activist.get("/").text


def test_going_cold_names_open_the_contact(app, login_as, make_contact):
    c, _ = login_as("coordinator")
    person = make_contact("Cold", "Case")
    with app.app_context():
        row = db.session.get(Contact, person.id)
        row.cadence_days, row.last_touch_at = 1, now_utc() - timedelta(days=3000)
        db.session.commit()
    page = c.get("/").text
    cold = page[page.index('id="panel-going-cold"'):]
    assert f'href="/directory/contacts/{person.id}">' in cold[:cold.index("</section>")]
