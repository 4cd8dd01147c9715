"""Monitoring's rules through its services: instruments, versions, ratings, money, key people, reminders."""
from __future__ import annotations

from datetime import date, datetime, timedelta, UTC
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.monitoring.conftest import NOW


@pytest.fixture
def staff(make_user):
    return make_user("coordinator")


def _criteria():
    from outreach.monitoring.services import active_criteria

    return {c.key: c for c in active_criteria()}


def test_the_coalitions_criteria_are_data(ctx, staff):
    from outreach.monitoring import services

    assert list(_criteria()) == ["protection", "participation", "empowerment", "resources", "measurable_goals",
                                 "accountability"]
    added = services.add_criterion({"name": "Gender advisers"}, actor=staff, now=NOW)
    assert added.key == "gender_advisers" and list(_criteria())[-1] == "gender_advisers"
    with pytest.raises(services.MonitoringError, match="exists already"):
        services.add_criterion({"name": "Gender advisers"}, actor=staff, now=NOW)
    services.set_criterion_archived(added, True, actor=staff, now=NOW)
    assert "gender_advisers" not in _criteria()


@pytest.mark.parametrize("data, field", [
    ({"kind": "treaty"}, "kind"),
    ({"title": ""}, "title"),
    ({"adopted_on": date(2024, 5, 1), "expires_on": date(2023, 1, 1)}, "expires_on"),
    ({"adopted_on": date(2024, 5, 1), "next_decision_on": date(2024, 4, 30)}, "next_decision_on"),
    ({"next_decision_on": date(1, 1, 1)}, "next_decision_on"),
    ({"expires_on": date(9999, 12, 31)}, "expires_on"),
    ({"countries": "CF, XX"}, "countries"),
    ({"documents": "javascript:alert(1)"}, "documents"),
    ({"title": "Mandate\x00"}, "title"),
    ({"reminder_days": "90, ²"}, "reminder_days"),
    ({"body_id": 2**31 - 1}, "body_id"),
])
def test_instrument_refuses_bad_input_with_the_field_to_fix(ctx, staff, data, field):
    from outreach.monitoring import services
    from outreach.monitoring.models import Instrument

    with pytest.raises(services.MonitoringError) as caught:
        services.create_instrument({"kind": "mandate", "title": "MINUSCA mandate", **data}, actor=staff, now=NOW)
    assert caught.value.field == field
    assert ctx.scalar(select(func.count()).select_from(Instrument)) == 0


def test_versions_keep_the_newest_and_the_previous_in_view(ctx, staff, make_instrument):
    from outreach.monitoring import services
    from outreach.monitoring.models import Instrument

    instrument = ctx.get(Instrument, make_instrument(staff).id)
    first = services.add_version(instrument, {"reference": "S/RES/2659 (2022)", "effective_on": date(2022, 11, 14)},
                                 actor=staff, now=NOW)
    third = services.add_version(instrument, {"reference": "S/RES/2759 (2024)", "effective_on": date(2024, 11, 14)},
                                 actor=staff, now=NOW)
    second = services.add_version(instrument, {"reference": "S/RES/2709 (2023)", "effective_on": date(2023, 11, 14)},
                                  actor=staff, now=NOW)  # entered late, dated in between
    ctx.refresh(instrument)
    assert (instrument.latest_version_id, instrument.previous_version_id) == (third.id, second.id)
    assert first.id not in (instrument.latest_version_id, instrument.previous_version_id)
    with pytest.raises(services.MonitoringError, match="already has a version"):
        services.add_version(instrument, {"reference": "S/RES/2709 (2023)", "effective_on": date(2023, 12, 1)},
                             actor=staff, now=NOW)
    with pytest.raises(services.MonitoringError, match="before the instrument was first adopted"):
        services.add_version(instrument, {"reference": "Old", "effective_on": date(2019, 1, 1)}, actor=staff, now=NOW)


def test_rating_again_keeps_the_history_and_the_comparison_reads_in_words(ctx, staff, make_instrument):
    from outreach.monitoring import services
    from outreach.monitoring.models import Assessment, Instrument

    criteria = _criteria()
    instrument = ctx.get(Instrument, make_instrument(staff).id)
    old = services.add_version(instrument, {"reference": "v1", "effective_on": date(2023, 1, 1)}, actor=staff, now=NOW)
    new = services.add_version(instrument, {"reference": "v2", "effective_on": date(2024, 1, 1)}, actor=staff, now=NOW)
    services.rate_version(old, [services.Rating(criteria["participation"].id, 1),
                                services.Rating(criteria["protection"].id, 3)], actor=staff, now=NOW)
    assert services.rate_version(new, [services.Rating(criteria["participation"].id, 2, "women in delegations"),
                                       services.Rating(criteria["protection"].id, 1)], actor=staff, now=NOW) == 2
    # the same rating again adds nothing; a changed one supersedes and keeps the old row
    assert services.rate_version(new, [services.Rating(criteria["participation"].id, 2, "women in delegations")],
                                 actor=staff, now=NOW) == 0
    services.rate_version(new, [services.Rating(criteria["participation"].id, 3, "a 30% quota")], actor=staff,
                          now=NOW + timedelta(hours=1))
    rows = ctx.scalars(select(Assessment).where(Assessment.version_id == new.id,
                                                Assessment.criterion_id == criteria["participation"].id)
                       .order_by(Assessment.id)).all()
    assert [(a.rating, a.is_current) for a in rows] == [(2, False), (3, True)]
    with pytest.raises(services.MonitoringError, match="not one the coalition tracks"):
        services.rate_version(new, [services.Rating(999_999, 1)], actor=staff, now=NOW)
    with pytest.raises(services.MonitoringError, match="absent, weak, adequate or strong"):
        services.rate_version(new, [services.Rating(criteria["resources"].id, 7)], actor=staff, now=NOW)

    from outreach.monitoring.queries import instrument_page

    page = instrument_page(instrument, staff)
    assert ("down", "Protection regressed from strong to weak.") in page.comparison
    assert ("up", "Participation improved from weak to strong.") in page.comparison
    assert page.comparison[0][0] == "down"  # what regressed comes first


def test_money_is_never_added_across_currencies(ctx, staff, make_instrument):
    from outreach.monitoring import services
    from outreach.monitoring.models import Instrument

    instrument = ctx.get(Instrument, make_instrument(staff, kind="budget_line").id)
    for year, kind, amount, currency in ((2025, "required", "1000000", "USD"), (2025, "allocated", "600000", "USD"),
                                         (2026, "required", "500000", "EUR"), (2026, "spent", "100000", "EUR")):
        services.add_funding(instrument, {"year": year, "kind": kind, "amount": amount, "currency": currency},
                             actor=staff, now=NOW)
    for bad, field in (({"currency": ""}, "currency"), ({"currency": "ABC"}, "currency"),
                       ({"amount": "-5"}, "amount"), ({"amount": "lots"}, "amount"), ({"amount": "1e30"}, "amount"),
                       ({"year": 1900}, "year"), ({"kind": "promised"}, "kind")):
        with pytest.raises(services.MonitoringError) as caught:
            services.add_funding(instrument, {"year": 2025, "kind": "spent", "amount": "5", "currency": "USD", **bad},
                                 actor=staff, now=NOW)
        assert caught.value.field == field
    from outreach.monitoring.queries import instrument_page

    page = instrument_page(instrument, staff)
    totals = {line.currency: line for line in page.money_totals}
    assert set(totals) == {"USD", "EUR"}
    assert (totals["USD"].required, totals["USD"].allocated, totals["USD"].funding_gap) == (
        Decimal("1000000"), Decimal("600000"), Decimal("400000"))
    assert (totals["EUR"].required, totals["EUR"].spent) == (Decimal("500000"), Decimal("100000"))


def test_key_people_follow_the_post_when_officials_rotate(ctx, staff, make_instrument, make_organisation,
                                                          make_contact, make_user):
    from outreach.contacts import services as directory
    from outreach.contacts.models import Contact, Organisation
    from outreach.monitoring import services
    from outreach.monitoring.models import Instrument
    from outreach.monitoring.queries import key_people

    office = ctx.get(Organisation, make_organisation("Office of the SRSG").id)
    outgoing = ctx.get(Contact, make_contact("Valentine", "Rugwabiza").id)
    directory.add_position(outgoing, organisation=office, title="Special Representative of the Secretary-General",
                           start_date=date(2022, 2, 1), actor=staff, now=NOW)
    partner, other = make_user("partner"), make_user("partner")
    directory.set_relationship(outgoing, ctx.merge(partner), {"kind": "met_once", "strength": 2}, actor=partner,
                               now=NOW)
    directory.set_relationship(outgoing, ctx.merge(other), {"kind": "met_once", "strength": 2}, actor=other, now=NOW)
    instrument = ctx.get(Instrument, make_instrument(staff).id)
    services.add_key_post(instrument, organisation_id=office.id, title="special representative of the "
                          "secretary-general", actor=staff, now=NOW)
    [person] = key_people(instrument, staff)
    assert person.holder.id == outgoing.id and sorted(person.known_by) == sorted([partner.name, other.name])
    [seen_by_partner] = key_people(instrument, partner)
    assert seen_by_partner.known_by == [] and seen_by_partner.known_by_me and seen_by_partner.known_by_count == 1

    incoming = ctx.get(Contact, make_contact("Awa", "Sangaré").id)
    directory.add_position(incoming, organisation=office, title="Special Representative of the Secretary-General",
                           start_date=date(2026, 3, 1), actor=staff, now=NOW)
    for post in outgoing.current_positions:
        directory.end_position(post, end_date=date(2026, 2, 28), actor=staff, now=NOW)
    ctx.flush()
    [person] = key_people(instrument, staff)
    assert person.holder.id == incoming.id


def test_linked_work_is_tagged_once_and_partners_see_only_what_they_may_open(ctx, staff, make_instrument,
                                                                           make_meeting, make_user):
    from outreach.monitoring import services
    from outreach.monitoring.models import Instrument
    from outreach.monitoring.queries import linked_work

    partner = make_user("partner")
    instrument = ctx.get(Instrument, make_instrument(staff).id)
    hers = make_meeting(partner, title="Partner's briefing", users=(partner,))
    internal = make_meeting(staff, title="Internal strategy")
    services.link_work(instrument, meeting_id=hers.id, actor=staff, now=NOW)
    services.link_work(instrument, meeting_id=internal.id, actor=staff, now=NOW)
    with pytest.raises(services.MonitoringError, match="already linked"):
        services.link_work(instrument, meeting_id=hers.id, actor=staff, now=NOW)
    assert {m.title for m in linked_work(instrument, staff)[0]} == {"Partner's briefing", "Internal strategy"}
    assert [m.title for m in linked_work(instrument, partner)[0]] == ["Partner's briefing"]


def test_followers_are_reminded_before_a_decision_exactly_once(ctx, staff, make_instrument, make_user):
    from outreach.core.notifications import OutboxMessage
    from outreach.monitoring import services
    from outreach.monitoring.jobs import enqueue_decision_reminders
    from outreach.monitoring.models import Instrument

    gone = make_user("coordinator", is_active_account=False)
    decision = date(2026, 6, 30)
    instrument = ctx.get(Instrument, make_instrument(staff, short_name="MINUSCA mandate", next_decision_on=decision,
                                                     reminder_days="90,30,7").id)
    archived = ctx.get(Instrument, make_instrument(staff, next_decision_on=decision).id)
    for user in (ctx.merge(staff), ctx.merge(gone)):
        services.set_following(instrument, user, True, now=NOW)
    services.set_following(archived, ctx.merge(staff), True, now=NOW)
    services.set_archived(archived, True, actor=staff, now=NOW)
    ctx.commit()

    def subjects():
        return sorted(ctx.scalars(select(OutboxMessage.subject).where(OutboxMessage.channel == "inapp")))

    thirty_days_before = datetime(2026, 5, 31, 7, 30, tzinfo=UTC)
    assert enqueue_decision_reminders(thirty_days_before) >= 1
    assert subjects() == [f"instrument:{instrument.id}:20260630:30"]  # the 90-day moment passed long ago
    assert enqueue_decision_reminders(thirty_days_before + timedelta(minutes=10)) == 0  # exactly once
    enqueue_decision_reminders(datetime(2026, 6, 23, 8, 0, tzinfo=UTC))
    assert subjects()[-1] == f"instrument:{instrument.id}:20260630:7"
    title = ctx.scalar(select(OutboxMessage.title).where(OutboxMessage.subject.like("%:7")))
    assert title == "Renewal of MINUSCA mandate in 7 days (30 Jun 2026)"
    assert ctx.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.user_id == gone.id)) == 0
