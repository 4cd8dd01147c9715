"""A small world for introductions: an activist with a protected identity, staff, partners, a target."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, UTC
from typing import Any
from collections.abc import Callable

import pytest

from tests.conftest import unique

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
#: Planted in every protected field: it must never appear where it may not.
MARKER = "ZQXMARKER"


def identity(marker: str = MARKER) -> dict[str, str]:
    return {"legal_name": f"{marker} Legal Name", "email": f"{marker.lower()}@private.example",
            "phone": f"+236 70 {marker} 99", "city": f"{marker} City"}


@pytest.fixture
def make_profile(app: Any, make_user: Callable[..., Any]) -> Callable[..., Any]:
    from outreach.core.db import db
    from outreach.introductions import profiles

    def factory(user: Any = None, *, codename: str | None = None, marker: str = MARKER, **kw: Any) -> Any:
        user = user or make_user("activist")
        with app.app_context():
            data = profiles.ProfileData(codename=codename or unique("Sahel Rose "), country=kw.pop("country", "CF"),
                                        languages=kw.pop("languages", ["fr", "sg"]), **identity(marker), **kw)
            profile = profiles.create_profile(data, user=db.session.merge(user), actor=user, now=NOW)
            db.session.commit()
            return profile

    return factory


@dataclass
class Triangle:
    activist: Any
    profile: Any
    coordinator: Any
    partner: Any
    other_partner: Any
    target: Any
    office: Any


@pytest.fixture
def triangle(app: Any, make_user: Callable[..., Any], make_profile: Callable[..., Any]) -> Triangle:
    """An activist (with her profile), a coordinator, two partners and a target in an office."""
    from outreach.contacts.models import Contact, Organisation, Position
    from outreach.core.db import db

    activist = make_user("activist", name="Real Name Should Not Show")
    profile = make_profile(activist, codename=unique("Sahel Rose "))
    coordinator = make_user("coordinator")
    partner = make_user("partner", name=unique("Partner Amina "))
    other = make_user("partner", name=unique("Partner Zed "))
    with app.app_context():
        office = Organisation(name=unique("MINUSCA Office "), country="CF", created_at=NOW, updated_at=NOW)
        db.session.add(office)
        db.session.flush()
        target = Contact(first_name="Valentine", last_name=unique("Rugwabiza"), country="RW", created_at=NOW,
                         updated_at=NOW)
        db.session.add(target)
        db.session.flush()
        db.session.add(Position(contact_id=target.id, organisation_id=office.id, title="SRSG", created_at=NOW))
        db.session.commit()
        return Triangle(activist, profile, coordinator, partner, other, target, office)


@pytest.fixture
def submit(app: Any) -> Callable[..., Any]:
    from outreach.core.db import db
    from outreach.introductions import services

    def factory(world: Triangle, **kw: Any) -> Any:
        with app.app_context():
            data = services.RequestData(purpose=kw.pop("purpose", "Raise the safety of women at the IDP site"),
                                        ask=kw.pop("ask", "A meeting before the mandate renewal"),
                                        contact_id=kw.pop("contact_id", world.target.id), **kw)
            profile = db.session.get(type(world.profile), world.profile.id)
            activist = db.session.get(type(world.activist), world.activist.id)
            req = services.submit_request(profile, data, actor=activist, now=NOW)
            db.session.commit()
            return req

    return factory
