"""Bad input in every form: a message next to the field, a 4xx, and nothing written."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from outreach.core.auth.models import Invitation, User
from outreach.core.auth.services import invite_user
from outreach.core.db import db
from outreach.core.time import now_utc
from tests.conftest import PASSWORD

GOOD = "a perfectly good passphrase"


def _rows(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _assert_field_error(response, field_id, text, status=422):
    assert response.status_code == status, response.status_code
    assert f'id="{field_id}-error"' in response.text, f"no message next to {field_id}"
    assert text in response.text
    assert 'aria-invalid="true"' in response.text


@pytest.mark.parametrize("data,field,message", [
    ({"email": "", "password": "x"}, "email", "Enter your e-mail address."),
    ({"email": "a@example.org", "password": ""}, "password", "Enter your password."),
    ({"email": "a" * 300 + "@example.org", "password": "x"}, "email", "Field cannot be longer than 254 characters."),
    ({"email": "a@example.org", "password": "p" * 1000}, "password", "Field cannot be longer than 256 characters."),
])
def test_login_form(client, data, field, message):
    _assert_field_error(client.post("/login", data=data), field, message)


@pytest.mark.parametrize("data,field,message", [
    ({"email": "not-an-address", "name": "X", "role": "partner"}, "email", "Enter a valid e-mail address"),
    ({"email": "", "name": "X", "role": "partner"}, "email", "Enter an e-mail address."),
    ({"email": "ok@example.org", "name": "", "role": "partner"}, "name", "Enter the person&#39;s name."),
    ({"email": "ok@example.org", "name": "N" * 121, "role": "partner"}, "name", "longer than 120"),
    ({"email": "ok@example.org", "name": "Bad\x07Name", "role": "partner"}, "name", "control characters"),
    ({"email": "ok@example.org", "name": "X", "role": "superuser"}, "role", "Not a valid choice"),
])
def test_invite_form(app, login_as, data, field, message):
    c, _ = login_as("admin")
    before = _rows(app, Invitation)
    _assert_field_error(c.post("/admin/users/invite", data=data), field, message)
    assert _rows(app, Invitation) == before


@pytest.fixture
def invite_link(app, make_user):
    admin = make_user("admin")
    with app.app_context():
        issued = invite_user(email="joiner@example.org", name="Joiner", role="activist", actor=admin,
                             now=now_utc(), ttl_hours=24)
        db.session.commit()
    return f"/invite/{issued.token}"


@pytest.mark.parametrize(
    "data,field,message",
    [
        (
            {"name": "J", "timezone": "Mars/Olympus_Mons", "password": GOOD, "confirm": GOOD},
            "timezone",
            "Choose a time zone",
        ),
        (
            {"name": "J", "timezone": "UTC", "password": "short", "confirm": "short"},
            "password",
            "Use between 12 and 256",
        ),
        (
            {"name": "J", "timezone": "UTC", "password": GOOD, "confirm": GOOD + "!"},
            "confirm",
            "The two passwords differ.",
        ),
        ({"name": "", "timezone": "UTC", "password": GOOD, "confirm": GOOD}, "name", "Enter your name."),
        (
            {"name": "J", "timezone": "UTC", "password": "joiner@example.org", "confirm": "joiner@example.org"},
            "password",
            "must not be your e-mail address",
        ),
    ],
)
def test_accept_invite_form(app, client, invite_link, data, field, message):
    before = _rows(app, User)
    _assert_field_error(client.post(invite_link, data=data), field, message)
    assert _rows(app, User) == before
    assert client.get(invite_link).status_code == 200  # the link still works after a mistake


@pytest.mark.parametrize("data,field,message", [
    ({"name": "Me", "timezone": "Not/AZone", "locale": "en"}, "timezone", "Choose a time zone"),
    ({"name": "Me", "timezone": "UTC", "locale": "xx"}, "locale", "Not a valid choice"),
    ({"name": "", "timezone": "UTC", "locale": "en"}, "name", "Enter your name."),
])
def test_preferences_form(app, login_as, data, field, message):
    c, user = login_as("partner", timezone="Europe/Paris")
    _assert_field_error(c.post("/account/", data=data), field, message)
    with app.app_context():
        assert db.session.get(User, user.id).timezone == "Europe/Paris"


def test_preferences_are_saved(app, login_as):
    c, user = login_as("partner")
    response = c.post("/account/", data={"name": "New Name", "timezone": "America/New_York", "locale": "en"})
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert (saved.name, saved.timezone) == ("New Name", "America/New_York")
    assert "Times shown in America/New York" in c.get("/").text


@pytest.mark.parametrize("data,field,message", [
    ({"current_password": "wrong password", "password": GOOD, "confirm": GOOD}, "current_password",
     "That is not your current password."),
    ({"current_password": PASSWORD, "password": "tiny", "confirm": "tiny"}, "password", "Use between 12 and 256"),
    ({"current_password": PASSWORD, "password": GOOD, "confirm": "different"}, "confirm", "The two passwords differ."),
])
def test_password_form(app, login_as, data, field, message):
    c, user = login_as("coordinator")
    _assert_field_error(c.post("/account/password", data=data), field, message)
    assert c.get("/").status_code == 200  # still signed in, nothing changed


def test_role_form_rejects_unknown_role(app, login_as, make_user):
    c, _ = login_as("admin")
    user = make_user("partner")
    response = c.post(f"/admin/users/{user.id}/role", data={"role": "overlord"})
    _assert_field_error(response, "role", "Not a valid choice")
    with app.app_context():
        assert db.session.get(User, user.id).role == "partner"


@pytest.mark.parametrize("query,message", [
    ("since=2026-05-02&until=2026-05-01", "The end date is before the start date."),
    ("since=yesterday", "Not a valid date value."),
    ("action=" + "a" * 100, "longer than 64"),
])
def test_audit_filter_form(login_as, query, message):
    c, _ = login_as("manager")
    response = c.get(f"/audit/?{query}")
    assert response.status_code == 400
    assert message in response.text


def test_user_filter_form(login_as):
    c, _ = login_as("admin")
    response = c.get("/admin/users?role=overlord")
    assert response.status_code == 400
    assert "Not a valid choice" in response.text


def test_garbage_cursors_and_pages_are_ignored(login_as):
    c, _ = login_as("admin")
    assert c.get("/audit/?after=abc&before=-4").status_code == 200
    assert c.get("/admin/users?page=zzz").status_code == 200
    assert c.get("/admin/users?page=99999999999999999999").status_code == 200


def test_user_input_in_messages_is_escaped(login_as):
    c, _ = login_as("admin")
    response = c.post("/admin/users/invite", data={"email": "<b>bold</b>@example.org", "name": "<i>x</i>",
                                                   "role": "partner"})
    assert response.status_code == 422
    assert "<b>bold</b>" not in response.text and "<i>x</i>" not in response.text


def test_fields_carry_no_empty_aria_attributes(login_as):
    c, _ = login_as("admin")
    page = c.get("/admin/users/invite").text
    assert 'aria-describedby="None"' not in page and 'aria-invalid="None"' not in page
    assert 'aria-describedby="' not in page.split('id="email"')[1].split(">")[0]  # no help, no error: none at all


def test_a_fixed_select_list_renders_and_validates_as_the_stock_widget(app):
    """The country list is rendered once and only marks the chosen option: the markup and the verdict are WTForms'."""
    from types import SimpleNamespace

    import wtforms.widgets
    from flask_babel import lazy_gettext
    from werkzeug.datastructures import MultiDict

    from outreach.contacts.forms import ContactFilterForm, OrganisationFilterForm
    from outreach.core.forms import LeanSelect, _FixedOptions, choices

    with app.test_request_context("/"):
        for value, valid in (("", True), ("FR", True), ("CF", True), ("ZZ", False), ("fr", False), ("F\x00R", False)):
            for form_class in (ContactFilterForm, OrganisationFilterForm):
                form = form_class(MultiDict({"country": value}))
                assert form.validate() is valid, (value, form.errors)
                stock = str(wtforms.widgets.Select.__call__(LeanSelect(), form.country, **{"class": "form-select"}))
                assert str(form.country(**{"class": "form-select"})) == stock, value
                assert stock.count(" selected ") == (1 if valid else 0)
        assert _FixedOptions.of(ContactFilterForm().country) is not None  # the fast path is the one compared
        # a list that may change (not a tuple) or has lazy (translated) labels is never frozen
        assert _FixedOptions.of(ContactFilterForm().stance) is None
        lazy = SimpleNamespace(choices=tuple(choices([("", lazy_gettext("Any")), ("a", "A")])), coerce=str)
        assert _FixedOptions.of(lazy) is None
        plain = SimpleNamespace(choices=tuple(choices([("", "Any"), ("a", "A")])), coerce=str)
        expected = '<option value="">Any</option><option selected value="a">A</option>'
        assert _FixedOptions.of(plain).render("a") == expected
        assert _FixedOptions.of(plain).render(["a"]) == '<option value="">Any</option><option value="a">A</option>'
