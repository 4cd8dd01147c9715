"""The contact list reads its rows as plain columns: they must say exactly what the contact objects say."""
from __future__ import annotations

from datetime import date, datetime, UTC

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.contacts import badges, queries, services
from outreach.contacts.models import Contact, Organisation, Position
from outreach.core.db import db

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _people() -> list[int]:
    """Contacts with every shape a row can take: several posts held now, an ended one, none, tags, archived."""
    au = services.create_organisation({"name": "African Union", "acronym": "AU"}, actor=None, now=NOW)
    unw = services.create_organisation({"name": "UN Women <Office>"}, actor=None, now=NOW)
    many = services.create_contact({"honorific": "Dr.", "first_name": "Awa", "last_name": "Aaberg",
                                    "tags": "wps, 1325, Zeta, alpha", "country": "SN", "stance": "champion",
                                    "influence": 5}, actor=None, now=NOW)
    services.add_position(many, organisation=au, title="Special Envoy", start_date=date(2019, 1, 1), actor=None,
                          now=NOW)
    services.add_position(many, organisation=unw, title="Adviser & chair", start_date=date(2024, 5, 1), actor=None,
                          now=NOW)
    undated = services.create_contact({"first_name": "Bea", "last_name": "Aabye"}, actor=None, now=NOW)
    services.add_position(undated, organisation=au, title="Director", start_date=None, actor=None, now=NOW)
    services.add_position(undated, organisation=unw, title="Observer", start_date=date(2025, 1, 1),
                          keep_other_posts_here=True, actor=None, now=NOW)
    ended = services.create_contact({"first_name": "Cleo", "last_name": "Aabo"}, actor=None, now=NOW)
    old = services.add_position(ended, organisation=au, title="Former post", start_date=date(2010, 1, 1), actor=None,
                                now=NOW)
    services.end_position(old, date(2012, 1, 1), actor=None, now=NOW)
    bare = services.create_contact({"first_name": "Dee", "last_name": "Aabb"}, actor=None, now=NOW)
    db.session.commit()
    return [many.id, undated.id, ended.id, bare.id]


def _as_shown(c) -> tuple:
    return (c.id, c.full_name, c.country, c.stance, c.influence, c.last_touch_at, [t.name for t in c.tags],
            [(p.id, p.title, p.start_date, p.organisation_id, p.organisation.name, p.organisation.acronym)
             for p in c.current_positions], str(badges.current_post(c)), str(badges.current_post(c, link=False)))


def test_list_rows_say_what_the_contact_objects_say(app, ctx):
    ids = _people()
    db.session.expunge_all()  # the objects as a page would load them, not as created
    with app.test_request_context("/"):
        stmt = select(Contact).where(Contact.id.in_(ids)).order_by(Contact.last_name, Contact.id)
        rows = queries.listed_contacts(stmt)
        objects = db.session.scalars(stmt.options(
            selectinload(Contact.positions).selectinload(Position.organisation), selectinload(Contact.tags))).all()
        assert [_as_shown(r) for r in rows] == [_as_shown(o) for o in objects]
        shown = {r.id: r for r in rows}
        assert len(shown[ids[0]].tags) == 4
        assert str(badges.current_post(shown[ids[0]])).startswith("<span>Adviser &amp; chair</span>, <a href=")
        assert "UN Women &lt;Office&gt;</a>" in str(badges.current_post(shown[ids[0]]))
        assert "+1 more" in str(badges.current_post(shown[ids[0]]))
        assert "No current post" in str(badges.current_post(shown[ids[2]]))
        assert queries.listed_contacts(stmt.where(Contact.id == -1)) == []


def test_the_list_page_shows_posts_tags_and_counts_from_the_rows(app, login_as):
    with app.app_context():
        ids = _people()
        unw_id = db.session.scalar(select(Organisation.id).where(Organisation.acronym.is_(None)))
    c, _ = login_as("coordinator")
    page = c.get("/directory/contacts").text
    # by last name: Aabb, Aaberg, Aabo, Aabye
    assert page.index("Aabb") < page.index("Dr. Awa Aaberg") < page.index("Cleo Aabo") < page.index("Bea Aabye")
    assert "<span>Adviser &amp; chair</span>" in page and "+1 more" in page
    # an undated post sorts before every dated one: Bea's current post is the dated "Observer"
    assert "<span>Observer</span>" in page and "<span>Director</span>" not in page
    assert "Former post" not in page and page.count("No current post") == 2
    assert page.count(f'<a href="/directory/organisations/{unw_id}">UN Women &lt;Office&gt;</a>') == 2
    assert page.count(f'name="ids" value="{ids[0]}"') == 1
    # a search shows the same rows, best match first
    found = c.get("/directory/contacts?q=Aaberg").text
    assert "Dr. Awa Aaberg" in found and "<span>Adviser &amp; chair</span>" in found and "Bea Aabye" not in found
    # a partner sees the same rows, without the bulk checkboxes
    partner, _p = login_as("partner")
    listing = partner.get("/directory/contacts").text
    assert "+1 more" in listing and 'name="ids"' not in listing
