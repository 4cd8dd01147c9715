"""Scorecard counters stay right: new commitments, status changes, merges, tree moves, visibility."""
from __future__ import annotations

from sqlalchemy import select

from outreach.contacts.merge import merge_contacts, merge_organisations
from outreach.contacts.models import Contact, Organisation, Position
from outreach.core.db import db
from outreach.meetings import commitment_queries, queries, services, tallies
from outreach.meetings.models import CommitmentTally
from tests.meetings.conftest import NOW


def _snapshot() -> dict:
    rows = db.session.scalars(select(CommitmentTally)).all()
    return {(t.subject_kind, t.subject_id): (t.kept, t.partly_kept, t.broken, t.open, t.withdrawn, t.total)
            for t in rows if any((t.kept, t.partly_kept, t.broken, t.open, t.withdrawn))}


def _assert_counters_match_a_recount() -> None:
    db.session.flush()
    maintained = _snapshot()
    tallies.rebuild()
    assert maintained == _snapshot()


def _card(cards, kind, key):
    return next((s for s in cards[kind] if s.key == key), None)


def _numbers(card):
    return None if card is None else (card.kept, card.partly_kept, card.broken, card.open)


def _promise(contact, partner, coordinator, status=None, organisation=None):
    c = services.record_commitment(None, services.CommitmentData(description="Promise", contact_id=contact.id,
                                                                 organisation_id=getattr(organisation, "id", None),
                                                                 accountable_id=partner.id),
                                   actor=coordinator, now=NOW)
    if status:
        services.change_commitment_status(c, status, actor=coordinator, now=NOW)
    return c


def test_counters_follow_new_commitments_and_status_changes(ctx, make_user, make_contact, make_organisation):
    coordinator, partner = make_user("coordinator"), make_user("partner")
    office = make_organisation("Office of the SRSG")
    amina = make_contact(organisation=office)
    first = _promise(amina, partner, coordinator)
    _promise(amina, partner, coordinator, "kept")
    _promise(amina, partner, coordinator, "withdrawn")
    cards = commitment_queries.scorecards(coordinator)
    assert _numbers(_card(cards, "contacts", amina.id)) == (1, 0, 0, 1)
    assert _numbers(_card(cards, "partners", partner.id)) == (1, 0, 0, 1)
    assert _numbers(_card(cards, "organisations", office.id)) == (1, 0, 0, 1)
    services.change_commitment_status(first, "overdue", actor=None, now=NOW)  # still open
    assert _numbers(_card(commitment_queries.scorecards(coordinator), "contacts", amina.id)) == (1, 0, 0, 1)
    services.change_commitment_status(first, "broken", actor=coordinator, now=NOW)
    cards = commitment_queries.scorecards(coordinator)
    assert _numbers(_card(cards, "contacts", amina.id)) == (1, 0, 1, 0)
    assert _numbers(_card(cards, "organisations", office.id)) == (1, 0, 1, 0)
    assert _card(cards, "contacts", amina.id).kept_percent == 50
    # moving a commitment to another partner through the ORM moves its count too
    other = make_user("partner")
    first.accountable_id = other.id
    db.session.flush()
    cards = commitment_queries.scorecards(coordinator)
    assert _numbers(_card(cards, "partners", partner.id)) == (1, 0, 0, 0)
    assert _numbers(_card(cards, "partners", other.id)) == (0, 0, 1, 0)
    _assert_counters_match_a_recount()


def test_counters_follow_contact_and_organisation_merges(ctx, make_user, make_contact, make_organisation):
    coordinator, partner = make_user("coordinator"), make_user("partner")
    old_office, new_office = make_organisation("Old office"), make_organisation("New office")
    kept, duplicate = make_contact(organisation=new_office), make_contact(organisation=old_office)
    _promise(kept, partner, coordinator, "kept")
    _promise(duplicate, partner, coordinator, "broken")
    _promise(duplicate, partner, coordinator)
    merge_contacts(db.session.get(Contact, kept.id), db.session.get(Contact, duplicate.id), {}, actor=coordinator,
                   now=NOW)
    cards = commitment_queries.scorecards(coordinator)
    assert _numbers(_card(cards, "contacts", kept.id)) == (1, 0, 1, 1)
    assert _card(cards, "contacts", duplicate.id) is None
    merge_organisations(db.session.get(Organisation, new_office.id), db.session.get(Organisation, old_office.id), {},
                        actor=coordinator, now=NOW)
    cards = commitment_queries.scorecards(coordinator)
    assert _numbers(_card(cards, "organisations", new_office.id)) == (1, 0, 1, 1)
    assert _card(cards, "organisations", old_office.id) is None
    _assert_counters_match_a_recount()


def test_root_cards_follow_an_office_moved_in_the_tree(ctx, make_user, make_contact, make_organisation):
    coordinator, partner = make_user("coordinator"), make_user("partner")
    un, au = make_organisation("United Nations"), make_organisation("African Union")
    office = make_organisation("Liaison office", parent=un)
    _promise(make_contact(organisation=office), partner, coordinator, "kept")
    _promise(make_contact(organisation=un), partner, coordinator)
    cards = commitment_queries.scorecards(coordinator)
    assert _numbers(_card(cards, "organisations", un.id)) == (1, 0, 0, 1)
    assert _card(cards, "organisations", au.id) is None
    db.session.get(Organisation, office.id).parent_id = au.id
    db.session.flush()
    cards = commitment_queries.scorecards(coordinator)
    assert _numbers(_card(cards, "organisations", un.id)) == (0, 0, 0, 1)
    assert _numbers(_card(cards, "organisations", au.id)) == (1, 0, 0, 0)
    _assert_counters_match_a_recount()
    # a whole tree moved under another root, then an office made a root of its own
    db.session.get(Organisation, au.id).parent_id = un.id
    db.session.flush()
    cards = commitment_queries.scorecards(coordinator)
    assert (
        _numbers(_card(cards, "organisations", un.id)) == (1, 0, 0, 1) and _card(cards, "organisations", au.id) is None
    )
    _assert_counters_match_a_recount()
    db.session.get(Organisation, office.id).parent_id = None
    db.session.flush()
    cards = commitment_queries.scorecards(coordinator)
    assert _numbers(_card(cards, "organisations", office.id)) == (1, 0, 0, 0)
    assert _numbers(_card(cards, "organisations", un.id)) == (0, 0, 0, 1)
    _assert_counters_match_a_recount()
    # a partner's own cards climb the tree from the organisations of what they may see
    mine = commitment_queries.scorecards(partner)
    assert {s.key: _numbers(s) for s in mine["organisations"]} == {office.id: (1, 0, 0, 0), un.id: (0, 0, 0, 1)}


def test_root_cards_follow_a_merge_that_moves_offices(ctx, make_user, make_contact, make_organisation):
    coordinator, partner = make_user("coordinator"), make_user("partner")
    un, old_dpo = make_organisation("United Nations"), make_organisation("Department of Peace Operations")
    desk = make_organisation("Gender desk", parent=old_dpo)
    new_dpo = make_organisation("DPO", parent=un)
    _promise(make_contact(organisation=desk), partner, coordinator, "kept", organisation=desk)
    _promise(make_contact(organisation=old_dpo), partner, coordinator, organisation=old_dpo)
    assert _numbers(_card(commitment_queries.scorecards(coordinator), "organisations", old_dpo.id)) == (1, 0, 0, 1)
    merge_organisations(db.session.get(Organisation, new_dpo.id), db.session.get(Organisation, old_dpo.id), {},
                        actor=coordinator, now=NOW)
    cards = commitment_queries.scorecards(coordinator)
    assert _numbers(_card(cards, "organisations", un.id)) == (1, 0, 0, 1)  # the desk came along under DPO
    assert _card(cards, "organisations", old_dpo.id) is None
    _assert_counters_match_a_recount()


def test_cards_are_ranked_by_commitments_and_partners_see_only_theirs(ctx, make_user, make_contact):
    coordinator, partner, stranger = make_user("coordinator"), make_user("partner"), make_user("partner")
    busy, quiet = make_contact(), make_contact()
    for status in ("kept", "broken", None):
        _promise(busy, stranger, coordinator, status)
    _promise(quiet, partner, coordinator, "partly_kept")
    cards = commitment_queries.scorecards(coordinator)
    keys = [s.key for s in cards["contacts"]]
    assert keys.index(busy.id) < keys.index(quiet.id)
    assert [s.key for s in commitment_queries.scorecards(coordinator, limit=1)["contacts"]] == [busy.id]
    mine = commitment_queries.scorecards(partner)
    assert [(s.key, _numbers(s)) for s in mine["contacts"]] == [(quiet.id, (0, 1, 0, 0))]
    assert [s.key for s in mine["partners"]] == [partner.id]


def test_seeded_data_has_counters(ctx, make_user, make_contact):
    from outreach.meetings.seed import seed_meetings

    make_user("partner")
    make_contact()
    seed_meetings(meetings=5, commitments=12, follow_ups=0, seed=7)
    assert sum(t[5] + t[4] for k, t in _snapshot().items() if k[0] == "contact") >= 12
    _assert_counters_match_a_recount()


def test_scorecards_page_after_a_status_change(app, login_as, make_contact, count_queries):
    client, coordinator = login_as("coordinator")
    with app.app_context():
        contact = make_contact("Rosa", "Otunbayeva")
        c = services.record_commitment(None, services.CommitmentData(description="Promise", contact_id=contact.id),
                                       actor=coordinator, now=NOW)
        services.change_commitment_status(c, "kept", actor=coordinator, now=NOW)
        db.session.commit()
    with count_queries() as queries_run:
        page = client.get("/commitments/scorecards")
    assert page.status_code == 200 and "Rosa Otunbayeva" in page.text
    assert queries_run.count <= 8, queries_run.statements


def test_going_cold_for_staff_ranks_across_cadences_and_untouched_contacts(ctx, make_user, make_contact):
    from datetime import timedelta

    coordinator = make_user("coordinator")
    later = NOW + timedelta(days=200)
    specs = [(30, 10), (30, 150), (90, None), (90, 5), (60, 100), (60, None), (30, None), (7, 190)]
    made = []
    for cadence, touched_days in specs:
        touched = NOW + timedelta(days=touched_days) if touched_days is not None else None
        made.append((make_contact(cadence_days=cadence, last_touch_at=touched), cadence, touched))
    make_contact(cadence_days=30, is_archived=True)  # never listed

    def days_over(touched, cadence):
        return (later - (touched or NOW)).total_seconds() / 86400 - cadence

    cold = [(c.id, days_over(t, cad)) for c, cad, t in made if days_over(t, cad) > 0]
    expected = [cid for cid, _ in sorted(cold, key=lambda x: (-x[1], x[0]))]
    for limit in (1, 3, 50):
        assert [c.id for c in queries.going_cold(coordinator, later, limit=limit)] == expected[:limit]


def test_a_deleted_contact_leaves_the_scorecards(ctx, make_user, make_contact, make_organisation):
    from sqlalchemy import delete

    coordinator, partner = make_user("coordinator"), make_user("partner")
    gone = make_contact(organisation=make_organisation())  # the promise stays with the office
    _promise(gone, partner, coordinator, "kept")
    db.session.flush()
    assert _card(commitment_queries.scorecards(coordinator), "contacts", gone.id) is not None
    db.session.execute(delete(Position).where(Position.contact_id == gone.id))
    db.session.execute(delete(Contact).where(Contact.id == gone.id))  # the database sets commitments' contact NULL
    assert _card(commitment_queries.scorecards(coordinator), "contacts", gone.id) is None
    assert _numbers(_card(commitment_queries.scorecards(coordinator), "partners", partner.id)) == (1, 0, 0, 0)


def test_a_partners_cards_count_what_was_promised_in_her_meetings(ctx, make_user, make_contact, make_meeting,
                                                                   monkeypatch):
    """Her meetings' commitments count whoever is accountable; other meetings' do not. The same cards whether her
    meeting ids are handed to the database as a list or (a partner with very many meetings) as a subquery."""
    from outreach.meetings import access

    coordinator, partner, other = make_user("coordinator"), make_user("partner"), make_user("partner")
    seen, unseen = make_contact(), make_contact()
    hers = make_meeting(coordinator, contacts=(seen,), users=(partner,))
    elsewhere = make_meeting(coordinator, contacts=(unseen,), users=(other,))
    for meeting, contact in ((hers, seen), (elsewhere, unseen)):
        services.record_commitment(meeting, services.CommitmentData(description="Fund the plan", contact_id=contact.id,
                                                                    accountable_id=other.id),
                                   actor=coordinator, now=NOW)
    _promise(unseen, partner, coordinator, "kept")  # accountable: counted though made in no meeting of hers

    def cards():
        mine = commitment_queries.scorecards(partner)
        return {kind: [(s.key, _numbers(s)) for s in mine[kind]] for kind in ("contacts", "partners")}

    listed = cards()
    assert listed == {"contacts": [(unseen.id, (1, 0, 0, 0)), (seen.id, (0, 0, 0, 1))],
                      "partners": [(other.id, (0, 0, 0, 1)), (partner.id, (1, 0, 0, 0))]}
    monkeypatch.setattr(access, "MEETING_IDS_INLINE", 0)
    assert cards() == listed
