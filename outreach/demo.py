"""Demo data that tells the coalition's story. Loaded once, into an empty database."""
from __future__ import annotations

from sqlalchemy import func, select

from outreach.core.auth.models import User
from outreach.core.auth.services import create_user
from outreach.core.db import db
from outreach.core.permissions import Role
from outreach.core.time import now_utc

#: Shown on the console and in the README; demo instances only.
DEMO_PASSWORD = "outreach-demo-2026"

DEMO_USERS: list[tuple[str, str, Role, str]] = [
    # email, name, role, display time zone
    ("admin@outreach.example", "Amara Okafor", Role.ADMIN, "Europe/London"),
    ("manager@outreach.example", "Ingrid Solberg", Role.MANAGER, "Europe/Oslo"),
    ("coordinator@outreach.example", "Leila Haddad", Role.COORDINATOR, "Africa/Addis_Ababa"),
    ("partner@outreach.example", "Gen. (ret.) Margaret Kiplagat", Role.PARTNER, "Africa/Nairobi"),
    ("activist@outreach.example", "Sahel Rose", Role.ACTIVIST, "Africa/Bangui"),
    # a fuller team
    ("coordinator2@outreach.example", "Tomás Ferreira", Role.COORDINATOR, "America/New_York"),
    ("partner2@outreach.example", "Amb. Hélène Marchand", Role.PARTNER, "Europe/Paris"),
    ("partner3@outreach.example", "Dr. Nguyen Thi Lan", Role.PARTNER, "Asia/Jakarta"),
    ("partner4@outreach.example", "Kwame Mensah-Bonsu", Role.PARTNER, "Africa/Accra"),
    ("partner5@outreach.example", "Sarah Whitfield", Role.PARTNER, "America/New_York"),
    ("activist2@outreach.example", "Blue River", Role.ACTIVIST, "Africa/Juba"),
    ("activist3@outreach.example", "Morning Star", Role.ACTIVIST, "Africa/Lubumbashi"),
]


def demo_logins() -> list[tuple[str, str]]:
    """One login per role, for the console and the README."""
    seen: dict[str, str] = {}
    for email, _name, role, _zone in DEMO_USERS:
        seen.setdefault(role.value, email)
    return list(seen.items())


#: The demo calendar feeds' (owner, name, token) made by the last seed_demo() in this process: their
#: addresses are shown once, like any feed's, by `outreach seed-demo`.
demo_feeds: list[tuple[str, str, str]] = []


def seed_demo() -> tuple[bool, list[tuple[str, str]]]:
    """Load the demo data if the database has no users; return (created, logins)."""
    if (db.session.scalar(select(func.count()).select_from(User)) or 0) > 0:
        return False, demo_logins()
    now = now_utc()
    for email, name, role, zone in DEMO_USERS:
        create_user(email=email, name=name, role=role, password=DEMO_PASSWORD, actor=None, now=now, timezone=zone)
    db.session.flush()

    from outreach.campaigns.demo import seed_campaigns_demo, settle_campaigns_demo
    from outreach.contacts.demo import seed_directory_demo
    from outreach.meetings.demo import seed_meetings_demo
    from outreach.resources.demo import seed_resources_demo

    seed_directory_demo(now)
    db.session.flush()
    # Campaigns and their targets first: the demo meetings then move the targets' stages as real ones would.
    seed_campaigns_demo(now)
    seed_meetings_demo(now)
    settle_campaigns_demo(now)
    db.session.flush()
    from outreach.monitoring.demo import seed_monitoring_demo

    seed_monitoring_demo(now)
    db.session.flush()
    from outreach.campaigns.demo import seed_registered_objectives_demo

    seed_registered_objectives_demo(now)  # read from the assessments: needs monitoring's instruments
    db.session.flush()
    from outreach.calendars.demo import seed_calendars_demo

    demo_feeds[:] = seed_calendars_demo(now)
    db.session.flush()
    from outreach.introductions.demo import seed_introductions_demo

    seed_introductions_demo(now)
    db.session.flush()
    seed_resources_demo(now)
    db.session.commit()
    return True, demo_logins()
