"""One matching rule for every picker and user lookup: accents and case ignored, by word start."""
from __future__ import annotations

import pytest

from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.text import fold


def test_fold_is_the_directory_searchs_rule():
    from outreach.contacts.search import normalise

    assert fold("  Hélène   DUPONT ") == "helene dupont" == normalise("Hélène Dupont")
    assert fold("N’Diaye Øystein") == normalise("N’Diaye Øystein")


@pytest.mark.parametrize("typed", ["Helene", "hélène", "HELENE", "dupo", "helene dup", "Hélène@"[:-1]])
def test_people_pickers_and_the_users_list_ignore_accents(login_as, make_user, typed):
    c, _ = login_as("admin")
    helene = make_user("partner", name="Hélène Dupont")
    make_user("partner", name="Helena Moreau")
    for url in (f"/meetings/people?q={typed}", f"/meetings/people?q={typed}&role=partner",
                f"/meetings/attendees?q={typed}", f"/admin/users?q={typed}"):
        assert "Hélène Dupont" in c.get(url).text, url
    assert "Hélène Dupont" not in c.get("/meetings/people?q=dupontx").text
    assert helene.id


def test_a_renamed_user_is_found_by_the_new_name(app, login_as, make_user):
    c, _ = login_as("coordinator")
    user = make_user("partner", name="Old Name")
    with app.app_context():
        db.session.get(User, user.id).name = "Åsa Lindqvist"
        db.session.commit()
    assert "Åsa Lindqvist" in c.get("/meetings/people?q=asa").text
    assert "Åsa Lindqvist" not in c.get("/meetings/people?q=old").text
