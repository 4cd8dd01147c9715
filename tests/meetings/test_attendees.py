"""The attendee token and the "made by" rule, from their one home (outreach/meetings/attendees.py) to the pages."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from outreach.core.db import db
from outreach.meetings import attendees, services
from outreach.meetings.models import Commitment
from tests.meetings.conftest import NOW
from tests.meetings.test_views import _form


def test_tokens_are_written_and_read_one_way() -> None:
    assert attendees.contact_token(12) == "c:12" and attendees.user_token(3) == "u:3"
    assert attendees.parse_token("c:12") == (attendees.CONTACT, 12)
    assert attendees.parse_token("u:3") == (attendees.USER, 3)
    assert attendees.split_tokens(["c:4", "u:2", "c:1", "c:4", "u:2"]) == ([4, 1], [2])


@pytest.mark.parametrize("token", ["", "c:", "u:", "x:1", "c:²", "u:٣", "c:-1", "c:0", "c:1:2", "C:1",
                                   "c:99999999999", f"c:{2**31}", "c:1\x00", "\x00", None, 7, "u:1.5"])
def test_malformed_tokens_name_nobody(token: object) -> None:
    assert attendees.parse_token(token) is None and not attendees.is_token(token)
    assert attendees.split_tokens([token, "c:5"]) == ([5], [])


@pytest.mark.parametrize(("made_by", "targets", "organisation_id", "problem", "made_it"), [
    (None, [7], None, None, 7),  # one target attended: they made it
    ("", [7], None, None, 7),  # what an empty picker posts
    (8, [7, 8], None, None, 8),
    ("8", [7, 8], None, None, "8"),  # the form's value is read the same way
    (None, [7, 8], None, "Several targets attended", None),
    (9, [7, 8], None, "among the targets who attended", 9),
    ("nine", [7], None, "among the targets who attended", "nine"),
    ("9²", [9], None, "among the targets who attended", "9²"),
    (None, [], None, "Say who made this commitment", None),
    (None, [], 3, None, None),  # an organisation's promise, nobody attending for it
    (None, [7], 3, None, None),  # …and it stays the organisation's when one target attended
    (None, [7, 8], 3, "Several targets attended", None),
])
def test_the_made_by_rule(made_by, targets, organisation_id, problem, made_it) -> None:
    found = attendees.made_by_problem(made_by, targets, organisation_id=organisation_id)
    if problem is None:
        assert found is None
        named = None if made_by == "" else made_by
        assert attendees.who_made_it(named, targets, organisation_id=organisation_id) == made_it
    else:
        assert found is not None and problem in str(found)


def test_the_service_refuses_a_made_by_who_did_not_attend(app, ctx, make_user, make_contact) -> None:
    """The server is the authority: whatever the page's script offered, a promise is a target's who attended."""
    actor = make_user("coordinator")
    attending, elsewhere = make_contact(), make_contact()
    meeting = services.log_meeting(services.MeetingData(
        title="One target", start_at=NOW, timezone="UTC", attendees=[attendees.contact_token(attending.id)]),
        actor=actor, now=NOW)
    before = db.session.scalar(select(func.count()).select_from(Commitment))
    with pytest.raises(services.MeetingError, match="among the targets who attended") as refused:
        services.record_commitment(meeting, services.CommitmentData(description="Promise", contact_id=elsewhere.id),
                                   actor=actor, now=NOW)
    assert refused.value.field == "contact_id" and refused.value.status == 422
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == before
    kept = services.record_commitment(meeting, services.CommitmentData(description="Promise"), actor=actor, now=NOW)
    assert kept.contact_id == attending.id


def test_the_meeting_form_refuses_a_made_by_who_did_not_attend(app, login_as, make_contact) -> None:
    client, _ = login_as("coordinator")
    attending, elsewhere = make_contact(), make_contact()
    response = client.post("/meetings/new", data=_form(**{
        "attendees": [attendees.contact_token(attending.id)], "commitments-0-description": "Promise",
        "commitments-0-contact_id": str(elsewhere.id)}))
    assert response.status_code == 422 and "among the targets who attended" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Commitment)) == 0


def test_the_picker_gives_the_script_each_contacts_id(app, login_as, make_contact) -> None:
    """The page's script fills "Made by" from data-id: it never takes a token apart."""
    client, _ = login_as("coordinator")
    person = make_contact(first="Ngozi", last="Attendeetoken")
    results = client.get("/meetings/attendees?q=attendeetoken").text
    assert f'value="c:{person.id}" data-kind="contact" data-id="{person.id}"' in results
    form = client.get(f"/meetings/new?attendees=c:{person.id}&attendees=c:²").text
    assert f'value="c:{person.id}" data-kind="contact" data-id="{person.id}"' in form and "c:²" not in form
