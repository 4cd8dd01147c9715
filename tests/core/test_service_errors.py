"""One base class for every feature's service errors, shown on a form one way (core.web.show_error)."""
from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from wtforms import StringField

from outreach.calendars.importer import ImportRefused
from outreach.calendars.services import FeedError
from outreach.campaigns.services import CampaignError
from outreach.contacts.csv_io import CsvError
from outreach.contacts.services import StaleContact
from outreach.core.auth import services as auth_services
from outreach.core.errors import ServiceError
from outreach.core.web import show_error
from outreach.introductions.profiles import IntroductionError
from outreach.meetings.services import MeetingError, StaleCommitment
from outreach.monitoring.services import MonitoringError
from outreach.resources.services import ResourceError
from outreach.resources.uploads import UploadTooLarge


@pytest.mark.parametrize("error", [MeetingError, StaleCommitment, IntroductionError, MonitoringError, ResourceError,
                                   UploadTooLarge, CampaignError, FeedError, ImportRefused, CsvError, StaleContact])
def test_every_features_service_errors_derive_from_the_one_base(error: type) -> None:
    assert issubclass(error, ServiceError)
    assert auth_services.ServiceError is ServiceError  # contacts and accounts raise the base itself


def test_a_service_error_carries_its_message_field_and_status() -> None:
    error = MeetingError("Give the meeting a title.", field="title")
    assert (str(error), error.message, error.field, error.status) == ("Give the meeting a title.",
                                                                       "Give the meeting a title.", "title", 422)
    assert CampaignError("Taken.", status=409).status == 409
    assert ImportRefused("Not a calendar.").status == 400 and ImportRefused("Binary.", 415).status == 415


class _Form(FlaskForm):
    class Meta:
        csrf = False

    title = StringField()
    invite_email = StringField()


def test_show_error_puts_the_message_where_it_belongs(app) -> None:
    with app.test_request_context():
        form = _Form()
        assert show_error(form, MeetingError("Too long.", field="title")) == 422
        assert form.title.errors == ["Too long."] and form.form_errors == []

        assert show_error(form, ServiceError("Taken.", field="email"), fields={"email": "invite_email"}) == 422
        assert form.invite_email.errors == ["Taken."]

        assert show_error(form, CampaignError("Changed meanwhile.", status=409)) == 409
        assert form.form_errors == ["Changed meanwhile."]

        show_error(form, ResourceError("Pick a file.", field="not_on_this_form"), default="title")
        assert form.title.errors == ["Too long.", "Pick a file."]

        show_error(form, ResourceError("Elsewhere.", field="not_on_this_form"))
        assert form.form_errors == ["Changed meanwhile.", "Elsewhere."]
