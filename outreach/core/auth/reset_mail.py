"""E-mailing a password-reset link, shared by the sign-in page and the users page."""
from __future__ import annotations

import logging
import smtplib
from datetime import datetime
from typing import Any
from collections.abc import Mapping

from flask import Response, render_template, url_for
from flask_babel import gettext as _

from outreach.core.auth.services import IssuedReset
from outreach.core.mail import send_mail

log = logging.getLogger(__name__)


def reset_link(config: Mapping[str, Any], token: str) -> str:
    """The link as e-mailed: on the instance's public address."""
    return f"{config['BASE_URL']}{url_for('auth.reset_password', token=token)}"


def send_reset_mail(config: Mapping[str, Any], issued: IssuedReset, *, now: datetime, sender: Any = None,
                    after: Response | None = None) -> bool:
    """E-mail *issued*'s link to its user (SMTP or the outbox, as configured); False if the server refused it.

    With *after*, the message is sent once that response has gone out: how long a mail server takes
    must not tell a stranger on the sign-in page that the address has an account.
    """
    user = issued.reset.user
    context = dict(user=user, link=reset_link(config, issued.token), sender=sender,
                   ttl_minutes=config["PASSWORD_RESET_TTL_MINUTES"])
    message = dict(to=user.email, subject=_("Choose a new Outreach password"),
                   text=render_template("auth/reset_email.txt", **context),
                   html=render_template("auth/reset_email.html", **context), now=now)
    user_id = user.id

    def deliver() -> bool:
        try:
            send_mail(config, **message)
        except (smtplib.SMTPException, OSError):
            # The link stays valid; asking again sends a new one.
            log.exception("Could not send the password-reset e-mail to user %s", user_id)
            return False
        return True

    if after is not None:
        after.call_on_close(deliver)
        return True
    return deliver()
