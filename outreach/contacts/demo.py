"""Demo directory: a real-looking tree of organisations, ~150 people with careers, who knows whom."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import phonenumbers
from sqlalchemy import select

from outreach.contacts import lists, services
from outreach.core.auth.models import User
from outreach.core.db import db

# (key, name, acronym, kind, parent key, country, region, tags)
ORGANISATIONS: list[tuple[str, str, str | None, str, str | None, str | None, str, str]] = [
    ("un", "United Nations Secretariat", "UN", "un_entity", None, "US", "Global", "UN system"),
    ("dpo", "Department of Peace Operations", "DPO", "un_entity", "un", "US", "Global", "peacekeeping"),
    ("dppa", "Department of Political and Peacebuilding Affairs", "DPPA", "un_entity", "un", "US", "Global",
     "mediation, peacebuilding"),
    ("dppa-gpu", "Gender, Peace and Security Unit", "GPS Unit", "un_entity", "dppa", "US", "Global", "WPS"),
    ("dpo-gender", "Gender Unit, Office of Military Affairs", None, "un_entity", "dpo", "US", "Global", "WPS"),
    ("unwomen", "UN Women", "UN Women", "un_entity", None, "US", "Global", "WPS, 1325 NAP"),
    ("unwomen-wps", "Peace, Security and Humanitarian Section", None, "un_entity", "unwomen", "US", "Global", "WPS"),
    ("minusca", "United Nations Multidimensional Integrated Stabilization Mission in the Central African Republic",
     "MINUSCA", "un_peace_operation", "dpo", "CF", "Africa", "mandate renewal"),
    ("minusca-srsg", "Office of the SRSG, MINUSCA", None, "un_peace_operation", "minusca", "CF", "Africa", ""),
    ("minusca-gender", "Gender Affairs Unit, MINUSCA", None, "un_peace_operation", "minusca", "CF", "Africa", "WPS"),
    ("minusca-force", "Force Headquarters, MINUSCA", None, "un_peace_operation", "minusca", "CF", "Africa", ""),
    ("monusco", "United Nations Organization Stabilization Mission in the Democratic Republic of the Congo",
     "MONUSCO", "un_peace_operation", "dpo", "CD", "Africa", "mandate renewal, transition"),
    ("monusco-srsg", "Office of the SRSG, MONUSCO", None, "un_peace_operation", "monusco", "CD", "Africa", ""),
    ("monusco-police", "Police Component, MONUSCO", None, "un_peace_operation", "monusco", "CD", "Africa", ""),
    ("unmiss", "United Nations Mission in South Sudan", "UNMISS", "un_peace_operation", "dpo", "SS", "Africa",
     "mandate renewal"),
    ("unmiss-srsg", "Office of the SRSG, UNMISS", None, "un_peace_operation", "unmiss", "SS", "Africa", ""),
    ("unmiss-wpa", "Women Protection Advisers, UNMISS", None, "un_peace_operation", "unmiss", "SS", "Africa",
     "CRSV"),
    ("au", "African Union Commission", "AUC", "regional_organisation", None, "ET", "Africa", "APSA"),
    ("au-paps", "Department of Political Affairs, Peace and Security", "PAPS", "regional_organisation", "au", "ET",
     "Africa", ""),
    ("au-psc", "Peace and Security Council Secretariat", "PSC", "regional_organisation", "au-paps", "ET", "Africa",
     "APSA"),
    ("au-wgdd", "Women, Gender and Youth Directorate", "WGYD", "regional_organisation", "au", "ET", "Africa", "WPS"),
    ("au-femwise", "FemWise-Africa", "FemWise", "regional_organisation", "au-paps", "ET", "Africa", "mediation"),
    ("ecowas", "ECOWAS Commission", "ECOWAS", "regional_organisation", None, "NG", "Africa", ""),
    ("ecowas-paps", "Directorate of Political Affairs, Peace and Security", None, "regional_organisation", "ecowas",
     "NG", "Africa", ""),
    ("ecowas-gender", "ECOWAS Gender Development Centre", "EGDC", "regional_organisation", "ecowas", "SN", "Africa",
     "WPS"),
    ("asean", "ASEAN Secretariat", "ASEAN", "regional_organisation", None, "ID", "Asia and the Pacific", ""),
    ("asean-wps", "ASEAN Women, Peace and Security Advisory Group", None, "regional_organisation", "asean", "ID",
     "Asia and the Pacific", "WPS, 1325 NAP"),
    ("car-gov", "Government of the Central African Republic", None, "national_government", None, "CF", "Africa", ""),
    ("car-mfa", "Ministry of Foreign Affairs, Central African Republic", None, "national_government", "car-gov",
     "CF", "Africa", ""),
    ("car-gender", "Ministry of Gender Promotion, Central African Republic", None, "national_government", "car-gov",
     "CF", "Africa", "1325 NAP"),
    ("ss-gov", "Government of South Sudan", None, "national_government", None, "SS", "Africa", ""),
    ("ss-gender", "Ministry of Gender, Child and Social Welfare, South Sudan", None, "national_government", "ss-gov",
     "SS", "Africa", "1325 NAP"),
    ("ss-defence", "Ministry of Defence and Veterans' Affairs, South Sudan", None, "national_government", "ss-gov",
     "SS", "Africa", "security sector reform"),
    ("no-mfa", "Norwegian Ministry of Foreign Affairs", "MFA Norway", "national_government", None, "NO", "Europe",
     "1325 NAP, donor"),
    ("fr-mfa", "Ministère de l'Europe et des Affaires étrangères", "MEAE", "national_government", None, "FR", "Europe",
     "1325 NAP"),
    ("gh-defence", "Ministry of Defence, Ghana", None, "national_government", None, "GH", "Africa", "TCC"),
    ("id-mfa", "Ministry of Foreign Affairs, Indonesia", "Kemlu", "national_government", None, "ID",
     "Asia and the Pacific", "TCC"),
    ("norad", "Norwegian Agency for Development Cooperation", "Norad", "donor_agency", "no-mfa", "NO", "Europe",
     "funding"),
    ("sida", "Swedish International Development Cooperation Agency", "Sida", "donor_agency", None, "SE", "Europe",
     "funding"),
    ("fcdo", "Foreign, Commonwealth & Development Office", "FCDO", "donor_agency", None, "GB", "Europe",
     "funding, 1325 NAP"),
    ("wphf", "Women's Peace and Humanitarian Fund", "WPHF", "foundation", "unwomen", "US", "Global", "funding"),
    ("gnwp", "Global Network of Women Peacebuilders", "GNWP", "ngo_cso", None, "US", "Global", "civil society"),
]

FIRST = ["Amina", "Fatou", "Jean-Pierre", "Hélène", "Ngozi", "Kofi", "Aïssatou", "Joseph", "Marie-Claire", "Samuel",
         "Grace", "Ibrahim", "Mariam", "Tomás", "Ingrid", "Nguyen", "Siti", "Rahel", "Pierre", "Chantal", "Daniel",
         "Esther", "Moussa", "Awa", "Paul", "Béatrice", "Ahmed", "Zainab", "Olusegun", "Wanjiru", "Henrik", "Astrid",
         "Lars", "Agnès", "Dewi", "Budi", "Thandiwe", "Yaw", "Achieng", "Émile"]
LAST = ["Diallo", "Ndiaye", "Touré", "Mbeki", "Okonkwo", "Kamara", "Mensah", "Dlamini", "Kiplagat", "Nyamweya",
        "Marchand", "Lefèvre", "Haddad", "Solberg", "Andersson", "Lindqvist", "Pratiwi", "Santoso", "Wek", "Deng",
        "Garang", "Lado", "Mukendi", "Kabila", "Tshisekedi", "Ngoy", "Bozizé", "Sangaris", "Doumbia", "Traoré",
        "Osei", "Boateng", "Abiola", "Adeyemi", "Fofana", "Cissé", "Nkurunziza", "Habimana", "Uwimana", "Bakari"]
HONORIFICS = [None, None, None, "Dr.", "H.E.", "Amb.", "Lt. Gen.", "Col.", "Ms.", "Mr."]
#: First names of men in FIRST: "Ms." and "Mr." follow them so the demo reads true.
MEN = {"Jean-Pierre", "Kofi", "Joseph", "Samuel", "Ibrahim", "Tomás", "Pierre", "Daniel", "Moussa", "Paul", "Ahmed",
       "Olusegun", "Henrik", "Lars", "Budi", "Yaw", "Émile"}


def _honorific(rng: random.Random, first: str) -> str | None:
    choice = rng.choice(HONORIFICS)
    if choice in {"Ms.", "Mr."}:
        return "Mr." if first in MEN else "Ms."
    return choice
TITLES = {
    "un_entity": [
        "Director",
        "Senior Political Affairs Officer",
        "Gender Adviser",
        "Chief of Section",
        "Programme Specialist",
    ],
    "un_peace_operation": [
        "Special Representative of the Secretary-General",
        "Deputy SRSG",
        "Force Commander",
        "Police Commissioner",
        "Senior Gender Adviser",
        "Chief of Staff",
        "Women Protection Adviser",
    ],
    "regional_organisation": [
        "Commissioner",
        "Director",
        "Head of Division",
        "Senior Policy Officer",
        "Special Envoy on Women, Peace and Security",
    ],
    "national_government": [
        "Minister",
        "Permanent Secretary",
        "Director of Multilateral Affairs",
        "Desk Officer",
        "Adviser to the Minister",
    ],
    "donor_agency": ["Head of Section", "Senior Adviser, Peace and Security", "Programme Officer"],
    "foundation": ["Head of Secretariat", "Grants Manager"],
    "ngo_cso": ["Executive Director", "Programme Director"],
}
STANCES = ["champion", "supportive", "supportive", "neutral", "neutral", "neutral", "sceptical", "opposed"]
DEMO_PARTNERS = ["partner@outreach.example", "partner2@outreach.example", "partner3@outreach.example",
                 "partner4@outreach.example", "partner5@outreach.example"]
LANGS = {"CF": ["fr", "sg"], "CD": ["fr", "ln", "sw"], "SS": ["en", "ar"], "ET": ["en", "am"], "NG": ["en", "ha"],
         "SN": ["fr", "wo"], "ID": ["id", "en"], "NO": ["no", "en"], "FR": ["fr"], "GH": ["en"], "SE": ["sv", "en"],
         "GB": ["en"], "US": ["en", "fr"]}


def _phone(rng: random.Random, country: str, taken: set[str]) -> list[str]:
    """A valid-looking mobile number for *country* (an example number with other last digits), nobody else's:
    two people sharing a mobile read as one person to the duplicate finder."""
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        return []
    digits = str(example.national_number)
    for _attempt in range(5):
        ending = rng.randint(0, 999)
        candidate = phonenumbers.PhoneNumber(country_code=example.country_code,
                                             national_number=int(digits[:-3] + f"{ending:03d}"))
        if phonenumbers.is_valid_number(candidate):
            # Taken: the next free ending, without another draw (the rest of the demo stays as it was).
            for step in range(1000):
                candidate.national_number = int(digits[:-3] + f"{(ending + step) % 1000:03d}")
                number = phonenumbers.format_number(candidate, phonenumbers.PhoneNumberFormat.E164)
                if number not in taken and phonenumbers.is_valid_number(candidate):
                    taken.add(number)
                    return [number]
            return []
    return []


def seed_directory_demo(now: datetime, *, contacts: int = 150) -> dict[str, int]:
    """Load the demo directory (call once, after the demo users exist); flushes, the caller commits."""
    rng = random.Random(1325)
    admin = db.session.scalar(select(User).where(User.role == "coordinator").order_by(User.id))
    orgs: dict[str, Any] = {}
    for key, name, acronym, kind, parent, country, region, tags in ORGANISATIONS:
        orgs[key] = services.create_organisation(
            {"name": name, "acronym": acronym, "kind": kind, "parent_id": orgs[parent].id if parent else None,
             "country": country, "region": region, "tags": tags,
             "website": f"https://www.{(acronym or key).lower().replace(' ', '')}.example.org"},
            actor=admin, now=now)
    places = [o for o in orgs.values() if o.kind in TITLES]
    people = []
    placed: dict[str, list[int]] = {}  #: organisation key -> the people whose current post is there
    used: set[str] = set()
    numbers: set[str] = set()
    for i in range(contacts):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        while f"{first} {last}" in used:
            first, last = rng.choice(FIRST), rng.choice(LAST)
        used.add(f"{first} {last}")
        org = places[i % len(places)]
        country = org.country or "US"
        slug = services.search.normalise(f"{first}.{last}").replace(" ", "").replace("'", "")
        person = services.create_contact({
            "honorific": _honorific(rng, first), "first_name": first, "last_name": last, "country": country,
            "stance": rng.choice(STANCES), "influence": rng.randint(1, 5),
            "cadence_days": rng.choice([None, 30, 60, 90]),
            "emails": [f"{slug}@{(org.acronym or 'gov').lower().replace(' ', '')}.example.org"],
            "phones": _phone(rng, country, numbers) if rng.random() < 0.7 else [],
            "languages": LANGS.get(country, ["en"])[:rng.randint(1, 2)],
            "tags": rng.choice(["", "", "budget", "mandate drafting", "1325 NAP", "troop contributor"]),
            "private_notes": rng.choice([None, "Prefers short briefings before Council sessions.",
                                         "Met at the Open Debate on WPS; receptive on quotas.",
                                         "Ask about the NAP budget line next time."]),
        }, actor=admin, now=now)
        started = date(now.year, 1, 1) - timedelta(days=rng.randint(30, 2500))
        if i % 6 == 0:  # officials rotate: an earlier post elsewhere
            earlier = places[(i * 7 + 3) % len(places)]
            services.add_position(person, organisation=earlier, title=rng.choice(TITLES[earlier.kind]),
                                  start_date=started - timedelta(days=900), actor=admin, now=now)
            services.add_position(person, organisation=org, title=rng.choice(TITLES[org.kind]), start_date=started,
                                  move=True, actor=admin, now=now)
        else:
            services.add_position(person, organisation=org, title=rng.choice(TITLES[org.kind]), start_date=started,
                                  actor=admin, now=now)
        people.append(person)
        placed.setdefault(next(k for k, o in orgs.items() if o is org), []).append(person.id)
    partners = db.session.scalars(select(User).where(User.email.in_(DEMO_PARTNERS))).all()
    kinds = ["knows_personally", "former_colleague", "met_once", "knows_personally", "other"]
    relationships = 0
    for partner in partners:
        for person in rng.sample(people, 12):
            services.set_relationship(person, partner, {
                "kind": rng.choice(kinds), "strength": rng.randint(1, 5),
                "since": date(rng.randint(2008, 2025), rng.randint(1, 12), 1),
                "note": rng.choice([None, "Served together in Juba.", "Met at the AU summit.", "Old friend."])},
                actor=partner, now=now)
            relationships += 1
    # What the duplicates page is for: a list from a partner's conference brought the same official in again,
    # spelt another way and without her post.
    namesake = next((p for p in people if (p.first_name, p.last_name) == ("Ngozi", "Ndiaye")), None)
    if namesake is not None:
        services.create_contact({"honorific": namesake.honorific, "first_name": "Ngozi", "last_name": "N'Diaye",
                                 "country": namesake.country, "tags": "imported",
                                 "emails": "ngozi.ndiaye@conference.example.org"}, actor=admin, now=now)
    db.session.flush()
    demo_lists = _seed_lists(rng, placed, [p.id for p in people], admin, now)
    return {"organisations": len(orgs), "contacts": len(people), "relationships": relationships, "lists": demo_lists}


#: (name, description, the organisation keys whose people are on it; None: a hand-picked sample)
LISTS: list[tuple[str, str, tuple[str, ...] | None]] = [
    ("Security Council desk officers", "DPO and DPPA desks that draft mandate language before renewals.",
     ("dpo", "dppa", "dppa-gpu", "dpo-gender", "minusca-srsg", "monusco-srsg", "unmiss-srsg")),
    ("AU PSC contacts", "The Peace and Security Council's secretariat and the AU offices around it.",
     ("au", "au-paps", "au-psc", "au-wgdd", "au-femwise")),
    ("CSW side-event invitees", "Invited to the coalition's side event at the Commission on the Status of Women.",
     None),
]


def _seed_lists(rng: random.Random, placed: dict[str, list[int]], everyone: list[int], owner: Any,
                now: datetime) -> int:
    for name, description, keys in LISTS:
        lst = lists.create_list(lists.ListData(name, description), actor=owner, now=now)
        members = [pid for key in keys for pid in placed.get(key, [])] if keys else rng.sample(everyone, 15)
        lists.add_members(lst, members, actor=owner, now=now)
    return len(LISTS)
