"""Demo practice hub: topics, audiences, 40 resources in several languages, three collections, some shares
and a month of reach. Every resource and collection is marked as demonstration data: titles are
realistic, the documents and figures behind them are invented."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from outreach.contacts.models import Organisation
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.permissions import Role
from outreach.meetings.models import Attendee, Commitment, CommitmentStatus, Meeting, MeetingStatus
from outreach.resources import services
from outreach.resources.models import Audience, ReachCount, Resource, Topic

TOPICS = ["Mediation and peace talks", "Peacekeeping", "National Action Plans", "Budgeting and financing",
          "Protection from sexual violence", "DDR", "Security sector reform", "Women in elections",
          "Climate and security", "Humanitarian response"]
AUDIENCES = ["Ministry staff", "Diplomats", "Mission planners", "Security sector", "Civil society", "Students",
             "Parliamentarians", "Donors"]

# title, kind, publisher acronym or name, languages, places, topics (indexes), audiences (indexes), evidence, year
RESOURCES: list[tuple[str, str, str, str, str, tuple[int, ...], tuple[int, ...], str, int]] = [
    ("Designing a National Action Plan on UNSCR 1325: a step-by-step toolkit", "toolkit", "UN Women", "en", "Global",
     (2,), (0, 4), "practice_based", 2024),
    ("Élaborer un Plan d'action national 1325 : guide pratique pour les ministères", "toolkit", "UN Women", "fr",
     "CF,ML,NE,Sahel", (2,), (0,), "practice_based", 2024),
    ("Costing and budgeting a National Action Plan: worksheets and examples", "data_set", "UN Women", "en,fr",
     "Global", (2, 3), (0, 7), "emerging", 2023),
    ("Chiffrer un PAN 1325 : tableurs commentés", "data_set", "ECOWAS", "fr", "West Africa", (2, 3), (0,),
     "emerging", 2023),
    ("Women in peace talks, 1992–2024: who was at the table", "research", "DPPA", "en", "Global", (0,), (1, 5),
     "strong", 2024),
    ("Gender-responsive mediation: a training module for envoys' teams", "training_module", "FemWise", "en,fr",
     "Africa", (0,), (1,), "practice_based", 2022),
    ("Mediación con perspectiva de género: módulo de formación", "training_module", "DPPA", "es", "Colombia,CO",
     (0,), (1, 4), "practice_based", 2021),
    ("Planning a mission with women's protection in the mandate: a checklist", "toolkit", "DPO", "en", "Global",
     (1, 4), (2,), "practice_based", 2024),
    ("Liste de contrôle : la protection des femmes dans la planification d'une mission", "toolkit", "DPO", "fr",
     "CF,CD", (1, 4), (2,), "practice_based", 2024),
    ("Women Protection Advisers: what two decades of practice show", "research", "UNMISS", "en", "SS,CD,CF",
     (1, 4), (2, 3), "emerging", 2023),
    ("Community alert networks in the Central African Republic", "case_story", "MINUSCA", "en,fr", "CF", (1, 4),
     (2, 4), "anecdotal", 2023),
    ("Réseaux d'alerte communautaire à Bangui : récit de terrain", "case_story", "MINUSCA", "fr", "CF", (1, 4),
     (4,), "anecdotal", 2023),
    ("Female engagement teams: lessons from eastern DRC", "case_story", "MONUSCO", "en,fr", "CD", (1,), (3, 2),
     "anecdotal", 2022),
    ("Gender-responsive budgeting for defence ministries: policy brief", "policy_brief", "AUC", "en,fr,pt",
     "Africa", (3, 6), (0, 3), "emerging", 2024),
    ("Orçamentação sensível ao género no setor da defesa", "policy_brief", "AUC", "pt", "MZ,AO,GW", (3, 6),
     (0, 3), "emerging", 2024),
    ("Women in DDR programmes: eligibility, reinsertion and stigma", "research", "DPO", "en", "Global", (5,),
     (2, 4), "strong", 2021),
    ("DDR and women associated with armed groups: a practitioner's guide", "toolkit", "DPO", "en,fr,ar",
     "Global", (5,), (2, 3), "practice_based", 2022),
    ("دليل نزع السلاح والتسريح وإعادة الإدماج المراعي للنوع الاجتماعي", "toolkit", "DPO", "ar", "SD,LY,YE", (5,),
     (2, 3), "practice_based", 2022),
    ("Recruiting and retaining women in police services", "policy_brief", "AUC", "en,fr", "Africa", (6,), (3, 0),
     "emerging", 2023),
    ("Sexual violence in conflict: a data set of reported incidents, 2015–2024 (demonstration)", "data_set", "UNMISS",
     "en", "SS", (4,), (2, 4, 5), "emerging", 2025),
    ("Survivor-centred referral pathways: a field card", "toolkit", "UN Women", "en,fr,sw", "East Africa", (4, 9),
     (4, 3), "practice_based", 2024),
    ("Njia za rufaa zinazomlenga manusura: kadi ya uwandani", "toolkit", "UN Women", "sw", "KE,TZ,UG,SS", (4, 9),
     (4,), "practice_based", 2024),
    ("Women candidates and electoral violence in West Africa", "research", "ECOWAS", "en,fr", "West Africa", (7,),
     (6, 4, 5), "emerging", 2023),
    ("Violence contre les candidates : note d'orientation", "policy_brief", "ECOWAS", "fr", "SN,CI,BF,ML", (7,),
     (6, 0), "emerging", 2023),
    ("Climate, displacement and women's security in the Sahel", "research", "ECOWAS", "en,fr", "Sahel", (8, 9),
     (1, 7, 5), "emerging", 2024),
    ("Women, peace and security in ASEAN: regional plan of action explained", "policy_brief", "ASEAN", "en",
     "Southeast Asia", (2,), (1, 0), "practice_based", 2023),
    ("Rencana Aksi Nasional Perempuan, Perdamaian dan Keamanan: panduan", "toolkit", "ASEAN", "id", "ID",
     (2,), (0, 4), "practice_based", 2023),
    ("Women mediators in Mindanao: the insider role", "case_story", "ASEAN", "en", "PH", (0,), (1, 4), "anecdotal",
     2022),
    ("Parliamentary oversight of National Action Plans: a handbook", "toolkit", "UN Women", "en,fr,es", "Global",
     (2,), (6,), "practice_based", 2022),
    ("Tracking donor funding for women's organisations in conflict settings", "data_set", "UN Women", "en",
     "Global", (3,), (7, 4), "emerging", 2025),
    ("Financing grassroots women peacebuilders: what donors can change now", "policy_brief", "UN Women", "en,fr",
     "Global", (3,), (7, 1), "emerging", 2024),
    ("Humanitarian coordination with women-led organisations: a checklist", "toolkit", "UN Women", "en,ar",
     "Global", (9,), (4, 7), "practice_based", 2023),
    ("Women in ceasefire monitoring: lessons from South Sudan", "case_story", "UNMISS", "en,ar", "SS", (0, 1),
     (2, 1), "anecdotal", 2021),
    ("Integrating gender into security sector reform assessments", "training_module", "AUC", "en,fr", "Africa",
     (6,), (3, 0), "practice_based", 2022),
    ("Module de formation : genre et réforme du secteur de la sécurité", "training_module", "AUC", "fr", "CF,CD,ML",
     (6,), (3,), "practice_based", 2022),
    ("Measuring women's meaningful participation: indicators that work", "research", "DPPA", "en", "Global",
     (0, 2), (0, 1, 5), "strong", 2024),
    ("Youth, women and peace: an introduction for students", "training_module", "UN Women", "en,es,pt", "Global",
     (0, 2), (5,), "practice_based", 2021),
    ("Mandate language on women's protection: a comparison across missions", "data_set", "DPO", "en", "Global",
     (1, 4), (1, 2), "emerging", 2025),
    ("Gender advisers in peace operations: staffing and budget, 2018–2025", "data_set", "DPO", "en", "Global",
     (1, 3), (2, 7), "emerging", 2025),
    ("Story from the ground: women negotiating safe passage to markets", "case_story", "", "fr,en", "CF",
     (0, 4), (4, 2), "anecdotal", 2025),
]

COLLECTIONS = [
    ("pan-fr", "Concevoir un Plan d'action national, en français",
     "Les outils, tableurs et récits pour préparer, chiffrer et suivre un PAN 1325.", (1, 3, 8, 11, 34)),
    ("planners", "Briefing pack for mission planners",
     "What a planning team needs before drafting a mandate: protection checklists, adviser staffing, mandate "
     "language across missions and lessons from the field.", (7, 9, 10, 37, 38, 32)),
    ("wps-money", "Following the money: budgeting for women, peace and security",
     "Costing plans, defence budgets and donor funding, with data sets to start from.", (2, 3, 13, 29, 30, 38)),
]


#: What each kind of demo resource says about itself (the figures behind them are invented).
_SUMMARIES = {
    "toolkit": "Step by step, with templates to adapt: who to involve, what to ask for, and how to check it happened. "
               "Field-tested with ministry and mission staff.",
    "training_module": "A half-day module with slides, exercises and a facilitator's guide, for teams that will "
                       "carry the work forward.",
    "research": "What the evidence shows, where it is thin, and what follows for policy. Methods and sources are "
                "listed at the end.",
    "data_set": "A spreadsheet with definitions, sources and a short guide to reading it, updated once a year.",
    "case_story": "Told by the women who did it: what they faced, what changed, and what they would do differently.",
    "policy_brief": "Four pages for busy readers: the problem, the options, and three recommendations with costs.",
}


def _term(model: Any, name: str) -> Any:
    term = model(slug=services.slugify(name), name=name)
    db.session.add(term)
    return term


def seed_resources_demo(now: datetime) -> int:
    """Add the demo hub once (nothing if resources exist); return how many resources were added."""
    if (db.session.scalar(select(func.count()).select_from(Resource)) or 0) > 0:
        return 0
    rng = random.Random(1325)
    topics = [_term(Topic, name) for name in TOPICS]
    audiences = [_term(Audience, name) for name in AUDIENCES]
    db.session.flush()
    orgs = {o.acronym or o.name: o.id for o in db.session.scalars(select(Organisation))}
    users = {u.role: u for u in db.session.scalars(select(User).order_by(User.id.desc()))}
    coordinator, manager = users.get(Role.COORDINATOR.value), users.get(Role.MANAGER.value)
    activist = users.get(Role.ACTIVIST.value)
    if coordinator is None or manager is None:
        return 0
    made: list[Resource] = []
    for i, (title, kind, publisher, langs, places, t_idx, a_idx, evidence, year) in enumerate(RESOURCES):
        data = services.ResourceData(
            title=title, kind=kind, publisher_id=orgs.get(publisher), evidence=evidence,
            summary=(f"{_SUMMARIES[kind]}\n\nDemonstration entry: the document and its figures are invented to show "
                     "how the practice hub works."),
            url=f"https://example.org/wps-hub/{i + 1}", issued_on=date(year, rng.randint(1, 12), rng.randint(1, 28)),
            topic_ids=[topics[t].id for t in t_idx], audience_ids=[audiences[a].id for a in a_idx],
            languages=langs.split(","), places=places.split(","),
            internal_notes="Demo: check the final version with the publisher before sending it to a ministry.")
        resource = services.create_resource(data, actor=coordinator, now=now - timedelta(days=200 - i * 4))
        resource.is_demo = True
        made.append(resource)
    for resource in made[:36]:
        services.submit_for_review(resource, actor=coordinator, now=now)
        services.publish(resource, actor=manager, now=now)
    services.submit_for_review(made[36], actor=coordinator, now=now)
    services.submit_for_review(made[37], actor=coordinator, now=now)
    services.send_back(made[37], "Demo: the data set needs its sources listed.", actor=manager, now=now)
    # made[38] stays a draft; made[39] is an activist's story, published with her label only.
    story = made[39]
    story.status, story.suggested_by_label = "in_review", services.ACTIVIST_LABEL
    if activist is not None:
        story.suggested_by_id = activist.id
    services.publish(story, actor=manager, now=now)
    services.retire(made[35], "Demo: replaced by a newer edition.", actor=manager, now=now)
    for slug, title, description, indexes in COLLECTIONS:
        collection = services.create_collection(title, description, slug=slug, actor=manager, now=now, is_demo=True)
        services.set_collection_items(collection, [made[i].id for i in indexes], actor=manager, now=now)
    _demo_shares(made[:30], rng, now)
    _demo_evidence(made[:30], rng, now)
    _demo_reach(made[:36], rng, now)
    db.session.flush()
    return len(made)


def _demo_shares(published: list[Resource], rng: random.Random, now: datetime) -> None:
    meetings = db.session.scalars(select(Meeting).where(Meeting.status == MeetingStatus.HELD.value)
                                  .order_by(Meeting.start_at.desc()).limit(25)).all()
    for meeting in meetings:
        contact_ids = list(db.session.scalars(select(Attendee.contact_id).where(
            Attendee.meeting_id == meeting.id, Attendee.contact_id.is_not(None))))
        organiser = db.session.get(User, meeting.organiser_id) if meeting.organiser_id else None
        if not contact_ids or organiser is None:
            continue
        services.share(meeting, rng.choice(published), contact_ids, actor=organiser,
                       now=max(meeting.start_at, now - timedelta(days=400)))


#: What a cited resource shows, as a note beside it on the commitment.
EVIDENCE_NOTES = ["Annex 2 lists the budget line.", "Table 3: the figures for this year.", None,
                  "Section 4 quotes the adopted language.", "The case story from the province concerned."]


def _demo_evidence(published: list[Resource], rng: random.Random, now: datetime) -> None:
    """Kept and partly kept commitments cite a resource of the hub as their evidence."""
    settled = db.session.scalars(select(Commitment).where(Commitment.status.in_(
        (CommitmentStatus.KEPT.value, CommitmentStatus.PARTLY_KEPT.value))).order_by(Commitment.id).limit(12)).all()
    for commitment in settled:
        actor = db.session.get(User, commitment.accountable_id or commitment.created_by_id or 0)
        if actor is not None:
            services.cite_as_evidence(commitment, rng.choice(published), rng.choice(EVIDENCE_NOTES), actor=actor,
                                      now=max(commitment.status_changed_at, now - timedelta(days=30)))


def _demo_reach(published: list[Resource], rng: random.Random, now: datetime) -> None:
    for days_ago in range(30):
        day = now.date() - timedelta(days=days_ago)
        for resource in rng.sample(published, k=8):
            db.session.add(ReachCount(subject="resource", subject_id=resource.id, day=day, opens=rng.randint(1, 40)))
