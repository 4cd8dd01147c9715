"""Demo meetings: ~300 interactions over the past 18 months and the next 2, with commitments in every
status and follow-ups (some overdue), across whatever targets, partners and staff the demo has.

Runs through the services, like a coordinator would. When the directory is empty (this branch
before the contacts demo lands) a small one is created so that the story still reads.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from outreach.contacts.models import Contact, Organisation, Position
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.permissions import Role
from outreach.meetings import services
from outreach.meetings.attendees import contact_token, user_token
from outreach.meetings.models import Meeting

TOPICS = [
    ("Mandate renewal: protection of civilians language", "mandate_language",
     "Supports adding explicit language on women protection advisers in the next renewal."),
    ("Budget for women's participation in the peace process", "funding",
     "Open to ring-fencing a share of the programme budget for women-led organisations."),
    ("Appointment of women to senior mission posts", "appointment_of_women",
     "Acknowledged the gap at D-1 and above; will review the shortlist before it goes out."),
    ("National Action Plan on UNSCR 1325: monitoring framework", "policy",
     "Agreed the plan needs indicators with baselines and a yearly public report."),
    ("Sex- and age-disaggregated casualty data", "data",
     "Will ask the JMAC to publish disaggregated figures in the quarterly report."),
    ("Access for women human rights defenders to the Council", "access",
     "Offered to host a closed briefing with grassroots women leaders before the open debate."),
    ("Gender-responsive DDR programming", "policy",
     "Interested in the coalition's paper on women associated with armed groups."),
]
PLACES = [("Africa/Addis_Ababa", "AU Commission, Addis Ababa"), ("America/New_York", "UN Headquarters, New York"),
          ("Africa/Bangui", "MINUSCA HQ, Bangui"), ("Africa/Lagos", "ECOWAS Commission, Abuja"),
          ("Asia/Jakarta", "ASEAN Secretariat, Jakarta"), ("Europe/Brussels", "EEAS, Brussels"),
          ("Africa/Juba", "UNMISS, Juba"), ("Europe/Oslo", "Ministry of Foreign Affairs, Oslo")]
OUTCOMES = ["Positive: clear next step agreed.", "Cautious: wants to see the coalition's evidence first.",
            "Mixed: supportive in principle, no resources yet.", "Follow-up meeting requested with the team."]
NOTES = [
    "Met with the chief of staff present. {name} listened carefully and asked for our two-page brief. "
    "Concern about capacity in the field offices; suggested we talk to the gender unit first.",
    "Call was short but useful. {name} confirmed the draft is with the penholder and that there is "
    "space for one more paragraph. We should send language by Friday.",
    "{name} opened with the budget pressures. When we showed the data from the women's situation room, "
    "the tone changed. Asked us to keep the grassroots voices in the room next time.",
    "Side event on the margins of the open debate. {name} spoke on the panel and repeated our ask "
    "publicly — worth quoting in the newsletter.",
]
FOLLOW_UPS = ["Send the two-page brief", "Share draft mandate language", "Introduce the activist network lead",
              "Ask for the disaggregated figures", "Confirm the date of the closed briefing",
              "Thank-you note with the action points", "Check the budget line in the draft plan"]
DEMO_STATUS_NOTES = {
    "kept": ["Language is in the adopted resolution, operative paragraph 12.", "Budget line approved; see the report."],
    "partly_kept": [
        "One of two posts filled; the second is advertised.",
        "Figures published, not disaggregated by age.",
    ],
    "broken": ["Dropped in the final negotiations.", "Budget line removed in the revised plan."],
    "withdrawn": ["The office was restructured; the promise lapsed.", "Superseded by the new national plan."],
    "overdue": ["Chased twice; no answer yet.", "Promised again for next quarter."],
    "on_track": ["Draft seen; moving in the right direction.", "Confirmed in a call with the chief of staff."],
}
_DIRECTORY = [
    ("United Nations", "UN", None, [("Rosemary", "DiCarlo", "Under-Secretary-General")]),
    ("Department of Peace Operations", "DPO", "UN", [("Jean-Pierre", "Lacroix", "Under-Secretary-General")]),
    ("MINUSCA", "MINUSCA", "DPO", [("Valentine", "Rugwabiza", "Special Representative"),
                                   ("Humphrey", "Nyone", "Force Commander")]),
    ("African Union Commission", "AUC", None, [("Bineta", "Diop", "Special Envoy on Women, Peace and Security")]),
    ("ECOWAS Commission", "ECOWAS", None, [("Fatou", "Sow Sarr", "Commissioner for Human Development")]),
    ("ASEAN Secretariat", "ASEAN", None, [("Nguyen", "Thi Minh", "Director, Political-Security")]),
    ("Norwegian Ministry of Foreign Affairs", "MFA Norway", None, [("Kari", "Nordmann", "Special Envoy")]),
]


def _ensure_directory(now: datetime) -> None:
    """A handful of organisations and contacts when the directory is empty (on this branch alone)."""
    if (db.session.scalar(select(func.count()).select_from(Contact)) or 0) > 0:
        return
    by_acronym: dict[str, Organisation] = {}
    for name, acronym, parent, people in _DIRECTORY:
        org = Organisation(name=name, acronym=acronym, parent_id=by_acronym[parent].id if parent else None,
                           created_at=now, updated_at=now)
        db.session.add(org)
        db.session.flush()
        by_acronym[acronym] = org
        for first, last, title in people:
            contact = Contact(first_name=first, last_name=last, cadence_days=45, created_at=now, updated_at=now)
            db.session.add(contact)
            db.session.flush()
            db.session.add(Position(contact_id=contact.id, organisation_id=org.id, title=title, created_at=now))
    db.session.flush()


def seed_meetings_demo(now: datetime, *, meetings: int = 300, seed: int = 1325) -> int:
    """Log the demo meetings; return how many were created (0 if there are meetings already)."""
    if (db.session.scalar(select(func.count()).select_from(Meeting)) or 0) > 0:
        return 0
    rng = random.Random(seed)
    _ensure_directory(now)
    contacts = db.session.scalars(select(Contact).where(Contact.is_archived.is_(False)).order_by(Contact.id)).all()
    users = db.session.scalars(select(User).where(User.is_active_account.is_(True)).order_by(User.id)).all()
    staff = [u for u in users if u.role in (Role.COORDINATOR.value, Role.MANAGER.value)] or users
    partners = [u for u in users if u.role == Role.PARTNER.value] or staff
    activists = [u for u in users if u.role == Role.ACTIVIST.value]
    finders = [u for u in users if u.role == Role.COORDINATOR.value]
    if not contacts or not staff:
        return 0
    created = 0
    for i in range(meetings):
        start = now - timedelta(days=540) + timedelta(days=600 * i / meetings, hours=rng.randint(-12, 12))
        start = start.replace(minute=rng.choice((0, 15, 30, 45)), second=0, microsecond=0)
        zone, place = rng.choice(PLACES)
        title, category, commitment_text = rng.choice(TOPICS)
        targets = rng.sample(contacts, k=min(len(contacts), rng.choice((1, 1, 2))))
        partner = rng.choice(partners)
        organiser = rng.choice([partner, *staff])
        people = [contact_token(c.id) for c in targets] + [user_token(partner.id)]
        if activists and rng.random() < 0.12:
            people.append(user_token(rng.choice(activists).id))
            if finders and organiser.role not in (Role.COORDINATOR.value, Role.ADMIN.value):
                organiser = finders[0]  # only coordinators and admins can pick an activist
        past = start < now
        status = "held" if past and rng.random() > 0.06 else "cancelled" if past else "planned"
        kind = rng.choice(("meeting", "meeting", "call", "call", "event", "email"))
        data = services.MeetingData(
            title=title, kind=kind, start_at=start, end_at=start + timedelta(minutes=rng.choice((30, 45, 60, 90))),
            timezone=zone, location=place if kind in ("meeting", "event") else None,
            online_url="https://meet.example.org/" + str(1000 + i) if kind == "call" else None,
            agenda="1. Where things stand\n2. Our ask\n3. Next steps",
            notes=rng.choice(NOTES).format(name=targets[0].full_name) if status == "held" else None,
            outcome=rng.choice(OUTCOMES) if status == "held" else None, status=status, attendees=people,
            # who asked: recorded for most meetings, one in four at the target's request (no draw: the rest of
            # the demo stays as it was)
            initiated_by=("target", "us", "us", None)[i % 4])
        commitments = []
        if status == "held" and rng.random() < 0.55:
            commitments.append(services.CommitmentData(
                description=commitment_text, contact_id=targets[0].id, category=category,
                indicator=rng.choice(("Language in the adopted text", "Share of women in senior posts",
                                      "Budget line approved", "Report published")),
                target_value=rng.choice(("Yes", "30%", "USD 2 m", "Quarterly")),
                due_date=(start + timedelta(days=rng.randint(30, 200))).date(), accountable_id=partner.id))
        follow_ups = []
        if status != "cancelled" and rng.random() < 0.6:
            follow_ups.append(services.FollowUpData(
                task=rng.choice(FOLLOW_UPS), due_at=start + timedelta(days=rng.randint(2, 14), hours=2),
                assignee_id=rng.choice([partner, organiser]).id))
        meeting = services.log_meeting(data, commitments=commitments, follow_ups=follow_ups, actor=organiser,
                                       now=min(start, now))
        for commitment in meeting.commitments:
            if commitment.due_date and commitment.due_date < (now - timedelta(days=10)).date():
                # past due: mostly settled one way or the other, some still chased (overdue)
                final = rng.choice(("kept", "kept", "partly_kept", "broken", "withdrawn", "overdue"))
                when = datetime.combine(commitment.due_date, datetime.min.time(), tzinfo=now.tzinfo) + timedelta(
                    days=rng.randint(1, 9))
            elif rng.random() < 0.4:
                final, when = "on_track", min(now, start + timedelta(days=rng.randint(5, 20)))
            else:
                continue
            services.change_commitment_status(commitment, final, note=rng.choice(DEMO_STATUS_NOTES[final]),
                                              actor=partner, now=min(when, now))
        for follow_up in meeting.follow_ups:
            if follow_up.due_at < now - timedelta(days=7) and rng.random() < 0.85:
                services.complete_follow_up(follow_up, actor=organiser, now=follow_up.due_at)
        created += 1
        if created % 50 == 0:
            db.session.commit()
    db.session.commit()
    return created

