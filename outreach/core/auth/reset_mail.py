"""E-mailing a password-reset link, shared by the sign-in page and the users page."""
from __future__ import annotations

import logging
import smtplib
from datetime import datetime
from typing import Any, Mapping

from flask import render_template, url_for
from flask_babel import gettext as _

from outreach.core.auth.services import IssuedReset
from outreach.core.mail import send_mail

log = logging.getLogger(__name__)


def reset_link(config: Mapping[str, Any], token: str) -> str:
    """The link as e-mailed: on the instance's public address."""
    return f"{config['BASE_URL']}{url_for('auth.reset_password', token=token)}"


def send_reset_mail(config: Mapping[str, Any], issued: IssuedReset, *, now: datetime, sender: Any = None) -> bool:
    """E-mail *issued*'s link to its user (SMTP or the outbox, as configured); False if the server refused it."""
    user = issued.reset.user
    context = dict(user=user, link=reset_link(config, issued.token), sender=sender,
                   ttl_minutes=config["PASSWORD_RESET_TTL_MINUTES"])
    try:
        send_mail(config, to=user.email, subject=_("Choose a new Outreach password"),
                  text=render_template("auth/reset_email.txt", **context),
                  html=render_template("auth/reset_email.html", **context), now=now)
    except (smtplib.SMTPException, OSError):
        # The link stays valid; the page answers as usual rather than failing (nor hinting the account exists).
        log.exception("Could not send the password-reset e-mail to user %s", user.id)
        return False
    return True
