"""Demo instruments: missions' mandates, National Action Plans, a law with an agency plan, a budget line.

Demonstration data: references follow the real instruments' pattern, but the ratings, evidence,
amounts and dates are invented to show what the pages do.
"""
from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from outreach.contacts import services as directory
from outreach.contacts.models import Organisation, Position
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.meetings.models import Commitment, Meeting
from outreach.monitoring import services
from outreach.monitoring.models import Instrument

NOTE = "Demonstration data: ratings, evidence, amounts and dates are invented."

#: Bodies the directory's demo does not hold: (key, name, acronym, kind, country, region).
EXTRA_BODIES = [
    ("unsc", "United Nations Security Council", "UNSC", "un_entity", "US", "Global"),
    ("us-congress", "United States Congress", "US Congress", "parliament", "US", "Americas"),
    ("usaid", "United States Agency for International Development", "USAID", "donor_agency", "US", "Americas"),
    ("igad", "Intergovernmental Authority on Development", "IGAD", "regional_organisation", "DJ", "Africa"),
]

# (short name, title, kind, body (acronym or name), countries, region, decision in days, decision kind,
#  versions [(reference, years ago)], key posts [(organisation name or acronym, title)], money [(currency, base)])
INSTRUMENTS: list[tuple[Any, ...]] = [
    ("MINUSCA mandate", "Mandate of the United Nations Multidimensional Integrated Stabilization Mission in the "
     "Central African Republic", "mandate", "UNSC", "CF", "Central Africa", 38, "renewal",
     [("S/RES/2659 (2022)", 3), ("S/RES/2709 (2023)", 2), ("S/RES/2759 (2024)", 1)],
     [("Office of the SRSG, MINUSCA", "Special Representative of the Secretary-General"),
      ("Force Headquarters, MINUSCA", "Force Commander"),
      ("Gender Affairs Unit, MINUSCA", "Senior Gender Adviser")], []),
    ("MONUSCO mandate", "Mandate of the United Nations Organization Stabilization Mission in the Democratic "
     "Republic of the Congo", "mandate", "UNSC", "CD", "Great Lakes", 12, "renewal",
     [("S/RES/2666 (2022)", 3), ("S/RES/2717 (2023)", 2), ("S/RES/2765 (2024)", 1)],
     [("Office of the SRSG, MONUSCO", "Special Representative of the Secretary-General"),
      ("Police Component, MONUSCO", "Police Commissioner")], []),
    ("UNMISS mandate", "Mandate of the United Nations Mission in South Sudan", "mandate", "UNSC", "SS",
     "East Africa", 95, "renewal", [("S/RES/2677 (2023)", 2), ("S/RES/2729 (2024)", 1)],
     [("Office of the SRSG, UNMISS", "Special Representative of the Secretary-General"),
      ("Women Protection Advisers, UNMISS", "Women Protection Adviser")], []),
    ("AU mission in Somalia", "African Union Support and Stabilization Mission in Somalia (AUSSOM): Peace and "
     "Security Council mandate", "mandate", "PSC", "SO", "Horn of Africa", 150, "review",
     [("PSC/PR/COMM.1225 (2024)", 1)], [], [("USD", 90_000_000)]),
    ("R-ARCSS implementation", "Revitalised Agreement on the Resolution of the Conflict in the Republic of South "
     "Sudan: implementation and the 35% women's quota", "negotiation", "IGAD", "SS", "East Africa", 60, "review",
     [("R-ARCSS (2018)", 6), ("Roadmap extension (2022)", 3), ("Roadmap extension (2024)", 1)], [], []),
    ("ASEAN RPA on WPS", "ASEAN Regional Plan of Action on Women, Peace and Security", "implementation_plan",
     "ASEAN", "ID,PH,TH,MM", "South-East Asia", 220, "review", [("ASEAN RPA WPS (2022)", 3)],
     [("ASEAN Women, Peace and Security Advisory Group", "Director")], [("USD", 2_500_000)]),
    ("CAR NAP 1325 (II)", "Central African Republic: second National Action Plan on UNSCR 1325",
     "national_action_plan", "Ministry of Gender Promotion, Central African Republic", "CF", "Central Africa", 75,
     "review", [("NAP 2014–2016", 9), ("NAP II 2020–2024", 5)],
     [("Ministry of Gender Promotion, Central African Republic", "Minister")], [("XAF", 1_200_000_000)]),
    ("South Sudan NAP 1325", "South Sudan: National Action Plan on UNSCR 1325", "national_action_plan",
     "Ministry of Gender, Child and Social Welfare, South Sudan", "SS", "East Africa", 300, "review",
     [("NAP 2015–2020", 9), ("NAP II 2023–2027", 2)],
     [("Ministry of Gender, Child and Social Welfare, South Sudan", "Minister")], [("USD", 4_000_000)]),
    ("Norway NAP WPS", "Norway's National Action Plan for Women, Peace and Security 2023–2030",
     "national_action_plan", "MFA Norway", "NO", "Europe", 400, "review",
     [("NAP 2019–2022", 6), ("NAP 2023–2030", 3)], [], [("NOK", 180_000_000)]),
    ("US WPS Act", "United States Women, Peace and Security Act of 2017", "law", "US Congress", "US", "Americas",
     500, "review", [("Public Law 115-68 (2017)", 9), ("US Strategy on WPS (2019)", 7),
                     ("US Strategy on WPS (2023)", 3)], [], []),
    ("USAID WPS plan", "USAID implementation plan under the Women, Peace and Security Act", "implementation_plan",
     "USAID", "US", "Americas", 180, "review", [("Implementation plan 2020", 6), ("Implementation plan 2024", 2)],
     [], [("USD", 150_000_000)]),
    ("WPHF contributions", "Women's Peace and Humanitarian Fund: donor contributions budget line", "budget_line",
     "WPHF", "", "Global", 120, "review", [("Budget 2025", 2), ("Budget 2026", 1)], [],
     [("USD", 40_000_000), ("EUR", 12_000_000)]),
]


def _bodies(now: datetime, actor: Any) -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    for org in db.session.scalars(select(Organisation).where(Organisation.is_archived.is_(False))):
        found.setdefault(org.name, org)
        if org.acronym:
            found.setdefault(org.acronym, org)
    for _key, name, acronym, kind, country, region in EXTRA_BODIES:
        if acronym not in found:
            org = directory.create_organisation({"name": name, "acronym": acronym, "kind": kind, "country": country,
                                                 "region": region}, actor=actor, now=now)
            found[acronym] = found[name] = org
    return found


def _holder(organisation: Organisation, title: str, rng: random.Random, now: datetime, actor: Any) -> None:
    """Give a key post a holder when the demo directory has none, so the page shows who holds it."""
    held = db.session.scalar(select(Position.id).where(Position.organisation_id == organisation.id,
                                                       func.lower(Position.title) == title.lower(),
                                                       Position.end_date.is_(None)))
    if held:
        return
    first, last = rng.choice([("Valentine", "Rugwabiza"), ("Bintou", "Keita"), ("Nicholas", "Haysom"),
                              ("Awa", "Sangaré"), ("Anita", "Kiki Gbeho"), ("Marie-Thérèse", "Ndongo")])
    person = directory.create_contact({"first_name": first, "last_name": f"{last} (demo)", "country":
                                       organisation.country, "stance": "supportive", "influence": 5},
                                      actor=actor, now=now)
    directory.add_position(person, organisation=organisation, title=title,
                           start_date=(now - timedelta(days=rng.randint(200, 900))).date(), actor=actor, now=now)


def _version_year(reference: str, years_ago: int, today: date) -> int:
    """The year a reference states ("S/RES/2709 (2023)"), or *years_ago* before today."""
    stated = re.search(r"\((\d{4})\)", reference)
    return int(stated.group(1)) if stated else today.year - years_ago


def seed_monitoring_demo(now: datetime) -> int:
    """Load the demo instruments (call after the directory and meetings demos); flushes, the caller commits."""
    if db.session.scalar(select(func.count()).select_from(Instrument)):
        return 0
    rng = random.Random(1325)
    coordinator = db.session.scalar(select(User).where(User.role == "coordinator").order_by(User.id))
    admin = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
    bodies = _bodies(now, coordinator)
    criteria = services.active_criteria()
    meetings = list(db.session.scalars(select(Meeting.id).where(Meeting.status == "held").order_by(Meeting.id)))
    commitments = list(db.session.scalars(select(Commitment.id).order_by(Commitment.id)))
    today = now.date()
    for n, (short, title, kind, body, countries, region, in_days, decision_kind, versions, posts, money) in enumerate(
            INSTRUMENTS):
        first_year = min(_version_year(ref, years, today) for ref, years in versions) - 1
        instrument = services.create_instrument({
            "kind": kind, "title": title, "short_name": short, "body_id": bodies[body].id if body in bodies else None,
            "countries": countries, "region": region, "summary": f"{title}. {NOTE}",
            "documents": f"https://example.org/demo/{short.lower().replace(' ', '-')}",
            "adopted_on": date(first_year, 1, 15), "next_decision_on": today + timedelta(days=in_days),
            "next_decision_kind": decision_kind, "reminder_days": "90,30,7"}, actor=coordinator, now=now)
        level = {c.id: rng.randint(0, 2) for c in criteria}
        for reference, years in versions:
            year = _version_year(reference, years, today)
            version = services.add_version(instrument, {
                "reference": reference, "effective_on": date(year, rng.randint(1, 11), rng.randint(1, 28)),
                "source_url": "https://example.org/demo/source", "notes": NOTE}, actor=coordinator, now=now)
            ratings = []
            for c in criteria:
                level[c.id] = max(0, min(3, level[c.id] + rng.choice((-1, 0, 1, 1))))
                ratings.append(services.Rating(c.id, level[c.id], "Operative paragraph on women's participation "
                                               "(invented for the demonstration).", f"OP {rng.randint(3, 40)}"))
            services.rate_version(version, ratings, actor=coordinator, now=now)
        for org_name, post_title in posts:
            organisation = bodies.get(org_name)
            if organisation is not None:
                _holder(organisation, post_title, rng, now, coordinator)
                services.add_key_post(instrument, organisation_id=organisation.id, title=post_title,
                                      actor=coordinator, now=now)
        for currency, base in money:
            for year in (today.year - 1, today.year):
                for fkind, share in (("required", 1.0), ("allocated", rng.uniform(0.4, 0.9)),
                                     ("spent", rng.uniform(0.2, 0.5))):
                    services.add_funding(instrument, {
                        "year": year, "kind": fkind, "amount": Decimal(int(base * share)), "currency": currency,
                        "source": "Demonstration figures"}, actor=coordinator, now=now)
        services.set_following(instrument, coordinator, True, now=now)
        for meeting_id in rng.sample(meetings, k=min(len(meetings), rng.randint(1, 4))) if n % 4 else []:
            services.link_work(instrument, meeting_id=meeting_id, actor=coordinator, now=now)
        if commitments and n % 3 == 0:
            services.link_work(instrument, commitment_id=rng.choice(commitments), actor=coordinator, now=now)
        if n in (0, 6):
            services.publish_summary(instrument, f"The coalition presses for strong participation and protection "
                                                 f"provisions in the {short}, with dedicated resources. {NOTE}",
                                     actor=admin, now=now)
    db.session.flush()
    return len(INSTRUMENTS)



