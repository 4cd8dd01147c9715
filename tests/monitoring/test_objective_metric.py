"""A campaign objective read from the assessments (monitoring's "assessment rating", registered through core's
objective-source extension point): "participation rated adequate or better in the renewed mandate"."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.campaigns.conftest import make_campaign  # noqa: F401
from tests.meetings.conftest import NOW
from tests.monitoring.conftest import make_instrument  # noqa: F401


def _objective_form(instrument_id: Any, **params: Any) -> dict[str, Any]:
    prefix = "param-assessment_rating-"
    data = {"metric": "Participation adequate in the renewed MINUSCA mandate", "baseline": "0",
            "target_value": "1", "deadline": "2026-12-01", "source": "assessment_rating",
            f"{prefix}instrument": str(instrument_id), f"{prefix}criterion": "participation",
            f"{prefix}at_least": "2", f"{prefix}version": "next"}
    data.update({prefix + k: v for k, v in params.items()})
    return {k: v for k, v in data.items() if v is not None}


def _add_version(app: Any, instrument_id: int, actor: Any, effective_on: date, participation: int) -> None:
    from outreach.core.db import db
    from outreach.monitoring import services
    from outreach.monitoring.models import Instrument
    with app.app_context():
        instrument = db.session.get(Instrument, instrument_id)
        version = services.add_version(instrument, {"reference": f"S/RES/{effective_on.isoformat()}",
                                                    "effective_on": effective_on}, actor=actor, now=NOW)
        criterion = {c.key: c for c in services.active_criteria()}["participation"]
        services.rate_version(version, [services.Rating(criterion.id, participation)], actor=actor, now=NOW)
        db.session.commit()


@pytest.fixture
def aimed(app: Any, login_as: Any, make_campaign: Any, make_instrument: Any) -> dict[str, Any]:
    client, manager = login_as("manager")
    campaign = make_campaign(manager, name="MINUSCA renewal")  # runs through 2026
    instrument = make_instrument(manager, title="MINUSCA mandate", short_name="MINUSCA",
                                 adopted_on=date(2014, 4, 10))
    # The mandate in force when the campaign began already rates participation adequate: it does not count.
    _add_version(app, instrument.id, manager, date(2025, 11, 14), participation=2)
    return {"client": client, "manager": manager, "campaign": campaign, "instrument": instrument}


def _objective_id(app: Any, campaign_id: int) -> int:
    from outreach.campaigns.models import Objective
    from outreach.core.db import db
    with app.app_context():
        return db.session.scalar(select(Objective.id).where(Objective.campaign_id == campaign_id))


def test_the_objective_reads_the_renewed_mandates_rating(app, aimed):
    client, campaign, instrument = aimed["client"], aimed["campaign"], aimed["instrument"]
    form = client.get(f"/campaigns/{campaign.id}/objectives/new").text
    assert "assessment rating (1 when met, else 0)" in form, form[form.find('id="source"'):][:1500]
    assert "MINUSCA" in form and "Adequate or better" in form
    created = client.post(f"/campaigns/{campaign.id}/objectives/new", data=_objective_form(instrument.id))
    assert created.status_code == 302, created.text[:2000]
    objective_id = _objective_id(app, campaign.id)
    page = client.get(f"/campaigns/objectives/{objective_id}").text
    assert "participation rated adequate or better in the next version of MINUSCA" in page
    from outreach.campaigns import queries
    from outreach.campaigns.models import Objective
    from outreach.core.db import db

    def value() -> float:
        with app.app_context():
            return queries.objective_progress([db.session.get(Objective, objective_id)], today=NOW.date())[0].current

    assert value() == 0  # the mandate of 2025 came before the campaign
    _add_version(app, instrument.id, aimed["manager"], date(2026, 11, 14), participation=1)
    assert value() == 0  # renewed, but rated weak
    _add_version(app, instrument.id, aimed["manager"], date(2026, 11, 20), participation=3)
    assert value() == 1
    # The dashboard and the campaign page read it like any derived objective.
    assert "Participation adequate in the renewed MINUSCA mandate" in client.get(f"/campaigns/{campaign.id}").text
    assert client.get("/campaigns/dashboard").status_code == 200
    # A derived value cannot be typed in.
    typed = client.post(f"/campaigns/objectives/{objective_id}/values", data={"value": "1", "as_of": "2026-03-01"})
    assert typed.status_code == 409


def test_the_latest_version_counts_whatever_its_date(app, aimed):
    client, campaign, instrument = aimed["client"], aimed["campaign"], aimed["instrument"]
    assert client.post(f"/campaigns/{campaign.id}/objectives/new",
                       data=_objective_form(instrument.id, version="latest")).status_code == 302
    from outreach.campaigns import queries
    from outreach.campaigns.models import Objective
    from outreach.core.db import db
    with app.app_context():
        objective = db.session.get(Objective, _objective_id(app, campaign.id))
        assert objective.source_params == (f"instrument={instrument.id};criterion=participation;at_least=2;"
                                           "version=latest")
        assert queries.objective_progress([objective], today=NOW.date())[0].current == 1


@pytest.mark.parametrize("params", [
    {"instrument": "999999"}, {"instrument": "２"}, {"instrument": None}, {"criterion": "nope"},
    {"criterion": "partici\x00pation"}, {"at_least": "0"}, {"at_least": "9" * 400}, {"version": "someday"},
])
def test_hostile_or_missing_settings_are_refused_and_nothing_is_written(app, aimed, params):
    client, campaign, instrument = aimed["client"], aimed["campaign"], aimed["instrument"]
    response = client.post(f"/campaigns/{campaign.id}/objectives/new", data=_objective_form(instrument.id, **params))
    assert response.status_code == 422 and "settings from its list" in response.text
    from outreach.campaigns.models import Objective
    from outreach.core.db import db
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Objective)) == 0


def test_editing_keeps_and_shows_the_chosen_settings(app, aimed):
    client, campaign, instrument = aimed["client"], aimed["campaign"], aimed["instrument"]
    client.post(f"/campaigns/{campaign.id}/objectives/new", data=_objective_form(instrument.id))
    objective_id = _objective_id(app, campaign.id)
    edit = client.get(f"/campaigns/objectives/{objective_id}/edit").text
    assert f'<option value="{instrument.id}" selected>' in edit and '<option value="2" selected>' in edit
    to_manual = client.post(f"/campaigns/objectives/{objective_id}/edit",
                            data={**_objective_form(instrument.id), "source": "manual"})
    assert to_manual.status_code == 302
    from outreach.campaigns.models import Objective
    from outreach.core.db import db
    with app.app_context():
        assert db.session.get(Objective, objective_id).source_params is None


def test_the_campaign_page_reads_every_such_objective_in_a_fixed_number_of_queries(app, aimed, count_queries):
    client, campaign, instrument = aimed["client"], aimed["campaign"], aimed["instrument"]
    assert client.post(f"/campaigns/{campaign.id}/objectives/new",
                       data=_objective_form(instrument.id)).status_code == 302
    with count_queries() as one:
        assert client.get(f"/campaigns/{campaign.id}").status_code == 200
    for criterion in ("protection", "empowerment", "resources"):
        assert client.post(f"/campaigns/{campaign.id}/objectives/new", data=_objective_form(
            instrument.id, criterion=criterion)).status_code == 302
    with count_queries() as four:
        page = client.get(f"/campaigns/{campaign.id}").text
    assert "resources rated adequate or better in the next version of MINUSCA" in page
    assert four.count == one.count
