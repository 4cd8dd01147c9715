"""Nothing private reaches the public hub: markers planted in every private field never show to an anonymous
reader, whatever page or search she tries; inside Outreach, partners and activists see only their share."""
from __future__ import annotations

import pytest

from outreach.core.db import db
from outreach.resources import services
from tests.resources.conftest import NOW

MARKERS = {
    "draft": "LEAKDRAFT", "review": "LEAKREVIEW", "retired": "LEAKRETIRED", "retire_reason": "LEAKWHYRETIRED",
    "send_back": "LEAKSENTBACK", "notes": "LEAKNOTES", "suggestion": "LEAKSUGGESTION",
    "activist_name": "Leakactivistname", "activist_email": "leakactivist", "author_name": "Leakauthorname",
    "curator_name": "Leakcuratorname", "meeting": "LEAKMEETING", "contact": "Leakcontactname",
    "draft_summary": "LEAKDRAFTSUMMARY", "pending_suggestion_summary": "LEAKPENDINGSTORY",
}


@pytest.fixture
def planted(app, make_user, make_contact, make_meeting, make_collection):
    author = make_user("partner", name=f"Amb. {MARKERS['author_name']}")
    curator = make_user("manager", name=MARKERS["curator_name"])
    activist = make_user("activist", name=MARKERS["activist_name"], email=f"{MARKERS['activist_email']}@example.org")
    contact = make_contact(first=MARKERS["contact"], last="Minister")
    meeting = make_meeting(author, contacts=(contact,), title=f"{MARKERS['meeting']} briefing",
                           notes=f"{MARKERS['meeting']} notes")
    with app.app_context():
        def new(title: str, **kw):
            return services.create_resource(services.ResourceData(title=title, **kw), actor=author, now=NOW)

        public = new("Public toolkit", internal_notes=f"{MARKERS['notes']} internal")
        services.submit_for_review(public, actor=author, now=NOW)
        services.send_back(public, f"{MARKERS['send_back']} fix it", actor=curator, now=NOW)
        services.submit_for_review(public, actor=author, now=NOW)
        services.publish(public, actor=curator, now=NOW)
        draft = new(f"{MARKERS['draft']} title", summary=MARKERS["draft_summary"])
        review = new(f"{MARKERS['review']} title")
        services.submit_for_review(review, actor=author, now=NOW)
        retired = new(f"{MARKERS['retired']} title")
        services.publish(retired, actor=curator, now=NOW)
        services.retire(retired, MARKERS["retire_reason"], actor=curator, now=NOW)
        story = services.suggest("Story from the ground", "What women did", None, actor=activist, now=NOW)
        services.publish(story, actor=curator, now=NOW)
        pending = services.suggest(f"{MARKERS['suggestion']} idea", MARKERS["pending_suggestion_summary"], None,
                                   actor=activist, now=NOW)
        services.share(meeting, public, [contact.id], actor=author, now=NOW)
        db.session.commit()
        ids = [public.id, draft.id, review.id, retired.id, story.id, pending.id]
    pack = make_collection([db_get(app, i) for i in ids], title="Everything pack", slug="everything")
    return {"ids": ids, "public": ids[0], "story": ids[4], "slug": pack.slug, "author": author, "activist": activist}


def db_get(app, resource_id):
    from outreach.resources.models import Resource
    with app.app_context():
        return db.session.get(Resource, resource_id)


def _assert_clean(text: str, where: str) -> None:
    lowered = text.lower()
    found = [m for m in MARKERS.values() if m.lower() in lowered]
    assert not found, f"{where} shows {found}"


def test_no_private_field_reaches_an_anonymous_reader(app, planted):
    client = app.test_client()
    urls = ["/hub", "/login", f"/c/{planted['slug']}", "/hub?q=toolkit", "/hub?q=story"]
    urls += [f"/hub?q={m}" for m in MARKERS.values()]
    urls += [f"/hub/r/{i}" for i in planted["ids"]] + [f"/hub/r/{i}/file" for i in planted["ids"]]
    for url in urls:
        page = client.get(url)
        assert page.status_code in (200, 404), url
        typed = url.partition("?q=")[2]  # what the reader typed is echoed in the search box, nothing more
        _assert_clean(page.text.replace(f'value="{typed}"', "") if typed else page.text, url)
    assert client.get(f"/hub/r/{planted['public']}").status_code == 200
    story = client.get(f"/hub/r/{planted['story']}")
    assert story.status_code == 200 and "a grassroots activist" in story.text
    for hidden in planted["ids"][1:4] + planted["ids"][5:]:
        assert client.get(f"/hub/r/{hidden}").status_code == 404
    collection = client.get(f"/c/{planted['slug']}").text
    assert "Public toolkit" in collection and "Story from the ground" in collection


def test_a_partner_sees_published_resources_and_her_own_not_others_drafts_or_notes(app, planted, login_as):
    other, _ = login_as("partner")
    for hidden in planted["ids"][1:4] + planted["ids"][5:]:
        assert other.get(f"/resources/{hidden}").status_code == 404
    public = other.get(f"/resources/{planted['public']}")
    assert public.status_code == 200 and MARKERS["notes"] not in public.text
    listing = other.get("/resources").text
    assert "Public toolkit" in listing and MARKERS["draft"] not in listing and MARKERS["suggestion"] not in listing
    own, _ = login_as("partner", user=planted["author"])
    assert MARKERS["notes"] in own.get(f"/resources/{planted['public']}").text
    assert own.get(f"/resources/{planted['ids'][1]}").status_code == 200


def test_an_activist_sees_her_suggestions_only_as_titles_and_states(app, planted, login_as):
    other_activist, _ = login_as("activist")
    assert "LEAKSUGGESTION" not in other_activist.get("/resources/suggestions").text
    for url in ("/resources", f"/resources/{planted['public']}"):
        assert other_activist.get(url).status_code == 403
    herself, _ = login_as("activist", user=planted["activist"])
    mine = herself.get("/resources/suggestions").text
    assert "LEAKSUGGESTION idea" in mine and "Story from the ground" in mine and "Being reviewed" in mine
    _assert_clean(mine.replace("LEAKSUGGESTION idea", "").replace(MARKERS["activist_name"], ""), "her suggestions")
