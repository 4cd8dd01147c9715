"""Demo calendar feeds: the manager's organisation-wide calendar and her MINUSCA campaign's, a coordinator's
African Union feed and her own with the decision dates of the instruments she follows, a partner's own. Their
secret addresses are printed once by `outreach seed-demo`."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from outreach.calendars import services
from outreach.calendars.models import CalendarFeed
from outreach.contacts.models import Organisation
from outreach.core.auth.models import User
from outreach.core.calendar import calendar_scope
from outreach.core.db import db

DEMO_FEEDS = [
    # owner, name, settings
    ("manager@outreach.example", "Coalition calendar (everything)", dict(scope="organisation")),
    (
        "coordinator@outreach.example",
        "African Union Commission and its offices",
        dict(scope="subtree", org_acronym="AUC"),
    ),
    ("partner@outreach.example", "My Outreach meetings (titles only)", dict(scope="mine", privacy="titles")),
    (
        "coordinator@outreach.example",
        "My meetings and follow-ups with the decision dates I follow",
        dict(scope="mine", includes=("meetings", "follow_ups", "decisions")),
    ),
    ("manager@outreach.example", "MINUSCA mandate renewal campaign", dict(scope="campaign", record_named="MINUSCA")),
]


def seed_calendars_demo(now: datetime) -> list[tuple[str, str, str]]:
    """Create the demo feeds once; return (owner e-mail, feed name, token) for each created."""
    if (db.session.scalar(select(func.count()).select_from(CalendarFeed)) or 0) > 0:
        return []
    created = []
    for email, name, options in DEMO_FEEDS:
        owner = db.session.scalar(select(User).where(User.email == email))
        if owner is None:
            continue
        options = dict(options)
        acronym = options.pop("org_acronym", None)
        named = options.pop("record_named", None)
        if named:  # a scope another feature registered (a campaign): its record, by name
            scope = calendar_scope(options["scope"])
            found = [i for i, label in scope.choices(owner) if named in label] if scope else []
            if not found:
                continue
            options["scope_record_id"] = found[0]
        organisation_id = None
        if acronym:
            organisation_id = db.session.scalar(select(Organisation.id).where(
                Organisation.acronym == acronym, Organisation.parent_id.is_(None)).order_by(Organisation.id).limit(1))
            if organisation_id is None:
                continue
        feed, token = services.create_feed(services.FeedSettings(name=name, organisation_id=organisation_id,
                                                                 **options), actor=owner, now=now)
        created.append((email, feed.name, token))
    return created
