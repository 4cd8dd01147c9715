"""Demo introductions: ~20 activists by codename and ~40 requests in every state, through the services.

The activists' identities in the demo are invented, and stored encrypted like real ones. Partners get
languages and countries so that the ranking has something to show.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from outreach.contacts.models import Contact, Position
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.permissions import Role
from outreach.introductions import profiles, services
from outreach.introductions.models import ActivistProfile, DoorOpener

#: codename, country, languages, focus areas, risk tier, bio
ACTIVISTS = [
    (
        "Sahel Rose",
        "CF",
        ["fr", "sg"],
        "sexual violence, IDP camps",
        "high",
        "Runs a women's protection network in displacement sites.",
    ),
    (
        "Blue River",
        "SS",
        ["en", "ar"],
        "peace process, land rights",
        "elevated",
        "Women's coalition member in the revitalised peace talks.",
    ),
    (
        "Morning Star",
        "CD",
        ["fr", "sw"],
        "mining areas, survivors' support",
        "elevated",
        "Accompanies survivors in eastern provinces.",
    ),
    (
        "Quiet Baobab",
        "ML",
        ["fr", "bm"],
        "local mediation",
        "standard",
        "Mediates between farmer and herder communities.",
    ),
    ("Golden Thread", "MM", ["my", "en"], "documentation, justice", "high", "Documents abuses against women."),
    (
        "Andes Condor",
        "CO",
        ["es"],
        "peace agreement implementation",
        "standard",
        "Follows the gender chapter of the peace agreement.",
    ),
    ("Red Sea Pearl", "YE", ["ar"], "humanitarian access", "high", "Coordinates women-led relief committees."),
    (
        "Lake Kivu",
        "CD",
        ["fr", "sw"],
        "DDR, reintegration",
        "elevated",
        "Works with women formerly associated with armed groups.",
    ),
    ("Nile Reed", "SD", ["ar", "en"], "ceasefire monitoring", "high", "Part of a women's ceasefire observers' group."),
    ("Savanna Light", "CF", ["fr", "sg"], "elections, participation", "standard", "Trains women candidates."),
    ("Mountain Tea", "MM", ["my"], "refugee camps", "elevated", "Teacher and camp committee member."),
    ("Cedar Voice", "LB", ["ar", "fr"], "political participation", "standard", "Youth and women's political school."),
    ("Desert Lily", "NE", ["fr", "ha"], "early warning", "elevated", "Runs a community early-warning network."),
    ("River Delta", "NG", ["en", "ha"], "abductions, education", "high", "Supports families of abducted girls."),
    ("Silver Palm", "SO", ["so", "ar"], "constitution review", "elevated", "Advocates for the women's quota."),
    ("Volcano Fern", "CD", ["fr", "ln"], "health, survivors", "standard", "Nurse and survivor advocate."),
    ("Coffee Bean", "ET", ["am", "en"], "transitional justice", "elevated", "Lawyer with a women's legal aid group."),
    (
        "Ocean Shell",
        "PH",
        ["tl", "en"],
        "Bangsamoro transition",
        "standard",
        "Women's desk of a civil society platform.",
    ),
    ("Amazon Seed", "CO", ["es"], "land restitution", "elevated", "Indigenous women's land-rights leader."),
    ("Highland Mist", "AF", ["fa", "ps"], "girls' education", "high", "Runs home-based classes."),
]
PURPOSES = [
    ("Brief the mission leadership on attacks against women near the displacement sites.",
     "A 20-minute meeting before the mandate renewal consultations."),
    ("Ask that women's groups be consulted on the next phase of the peace process.",
     "A seat for two women's representatives at the next round."),
    ("Present our monitoring data on protection incidents.", "That the data be cited in the next report."),
    ("Request funding for a safe house run by survivors.", "An introduction to the programme officer."),
    ("Discuss women's participation in the local ceasefire committees.", "Support for including women monitors."),
]
#: How many demo requests end in each state.
SPREAD = {"submitted": 6, "triaged": 4, "offered": 6, "declined": 3, "accepted": 5, "introduced": 4,
          "meeting_scheduled": 4, "closed": 6, "withdrawn": 3}
PARTNER_LANGUAGES = [("en,fr", "CF,CD,ML"), ("fr,en", "CD,NE,ML"), ("en,my", "MM,PH"), ("en,fr,ar", "SS,SD,YE"),
                     ("en,es", "CO")]


def seed_introductions_demo(now: datetime, *, seed: int = 1325) -> int:
    """Create the demo activists and requests; return how many requests (0 if there are profiles already)."""
    if (db.session.scalar(select(func.count()).select_from(ActivistProfile)) or 0) > 0:
        return 0
    rng = random.Random(seed)
    users = db.session.scalars(select(User).where(User.is_active_account.is_(True)).order_by(User.id)).all()
    coordinators = [u for u in users if u.role == Role.COORDINATOR.value]
    partners = [u for u in users if u.role == Role.PARTNER.value]
    activist_users = {u.name: u for u in users if u.role == Role.ACTIVIST.value}
    targets = db.session.scalars(select(Contact).where(Contact.is_archived.is_(False), Contact.id.in_(
        select(Position.contact_id).where(Position.end_date.is_(None)))).order_by(Contact.id)).all()
    if not coordinators or not partners or not targets:
        return 0
    for partner, (languages, countries) in zip(partners, PARTNER_LANGUAGES, strict=False):
        db.session.add(DoorOpener(user_id=partner.id, languages=languages, countries=countries, updated_at=now))
    coordinator = coordinators[0]
    made: list[ActivistProfile] = []
    for i, (codename, country, languages, focus, tier, bio) in enumerate(ACTIVISTS):
        first = codename.split()[0]
        data = profiles.ProfileData(
            codename=codename, country=country, languages=languages, focus_areas=focus, risk_tier=tier, bio=bio,
            organisation=f"{first} Women's Network", legal_name=f"Demo Person {i + 1}",
            email=f"demo-activist-{i + 1}@private.example", phone=f"+000 555 01{i:02d}", city="Demo City")
        user = activist_users.get(codename)
        made.append(profiles.create_profile(data, user=user, actor=user or coordinator, now=now - timedelta(days=200)))
    db.session.flush()
    with_account = [p for p in made if p.user_id]
    plan = [state for state, count in SPREAD.items() for _ in range(count)]
    count = 0
    for n, state in enumerate(plan):
        needs_account = state in ("meeting_scheduled",) or (state == "closed" and n % 2 == 0)
        pool = with_account if needs_account and with_account else made
        profile = pool[n % len(pool)]
        _request_in_state(profile, state, rng=rng, targets=targets, partners=partners, coordinator=coordinator,
                          start=now - timedelta(days=120 - 2 * n, hours=rng.randint(0, 12)), now=now)
        count += 1
    db.session.flush()
    return count


def _request_in_state(profile: ActivistProfile, state: str, *, rng: random.Random, targets: list[Contact],
                      partners: list[User], coordinator: User, start: datetime, now: datetime) -> None:
    purpose, ask = rng.choice(PURPOSES)
    actor = profile.user or coordinator
    clock = [start]

    def tick(hours: int = 30) -> datetime:
        clock[0] = min(now - timedelta(minutes=5), clock[0] + timedelta(hours=rng.randint(6, hours)))
        return clock[0]

    req = services.submit_request(profile, services.RequestData(
        purpose=purpose, ask=ask, contact_id=rng.choice(targets).id, urgency=rng.choice(("normal", "soon", "urgent")),
        languages=profile.language_list[:1]), actor=actor, now=clock[0])
    if state == "submitted":
        return
    if state == "withdrawn":
        services.withdraw(req, actor=actor, now=tick())
        return
    services.triage(req, actor=coordinator, now=tick())
    if state == "triaged":
        return
    first, second = rng.sample(partners, k=2) if len(partners) > 1 else (partners[0], partners[0])
    services.offer(req, first, actor=coordinator, now=tick())
    if state in ("offered",):
        return
    if state == "declined" or rng.random() < 0.3:
        services.answer_offer(req, False, rng.choice(("Travelling until next month.", "I do not know this office well.",
                                                      "Conflict of interest with my current role.")),
                              actor=first, now=tick())
        if state == "declined":
            return
        services.offer(req, second, actor=coordinator, now=tick())
        first = second
    services.answer_offer(req, True, actor=first, now=tick())
    if state == "accepted":
        return
    profiles.give_consent(req, "partner", actor=actor, now=tick())
    services.record_introduction(req, "Introduced by e-mail.", actor=first, now=tick())
    if state == "introduced":
        return
    if profile.user_id:
        services.schedule_meeting(req, services.ScheduleData(start_at=tick() + timedelta(days=10),
                                                             timezone="Africa/Bangui"), actor=first, now=tick())
    if state == "closed":
        services.close_request(req, "The target agreed to a follow-up briefing.", actor=coordinator, now=tick())
