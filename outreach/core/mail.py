"""Sending e-mail: SMTP when configured, otherwise a file outbox under instance/."""
from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from collections.abc import Mapping

log = logging.getLogger(__name__)


def one_line(text: str, limit: int = 250) -> str:
    """*text* as one line (every run of whitespace and control characters one space), cut to *limit*."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def build_message(config: Mapping[str, Any], *, to: str, subject: str, text: str, html: str | None,
                  now: datetime, message_id: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = config["MAIL_FROM"]
    msg["To"] = to
    # A header refuses line breaks: a subject built from what someone typed (a task) is made one line here.
    msg["Subject"] = one_line(subject)
    msg["Date"] = format_datetime(now)
    #: A stable Message-ID lets receivers drop a duplicate if a send is retried.
    msg["Message-ID"] = message_id or make_msgid(domain="outreach.local")
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


def send_mail(config: Mapping[str, Any], *, to: str, subject: str, text: str, html: str | None = None,
              now: datetime, message_id: str | None = None) -> str:
    """Deliver one message; return where it went ("smtp" or the outbox file path)."""
    msg = build_message(config, to=to, subject=subject, text=text, html=html, now=now, message_id=message_id)
    if not config.get("MAIL_SERVER"):
        outbox = Path(config["MAIL_OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        path = outbox / f"{now:%Y%m%dT%H%M%S%f}-{abs(hash(msg['Message-ID'])) % 10**8:08d}.eml"
        path.write_bytes(bytes(msg))
        log.debug("No mail server configured; message to %s written to %s", to, path)
        return str(path)
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    context = ssl.create_default_context()
    smtp_cls = smtplib.SMTP_SSL if config.get("MAIL_SSL") else smtplib.SMTP
    kwargs: dict[str, Any] = {"timeout": 20}
    if config.get("MAIL_SSL"):
        kwargs["context"] = context
    with smtp_cls(host, port, **kwargs) as smtp:
        if config.get("MAIL_STARTTLS") and not config.get("MAIL_SSL"):
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(msg)
    return "smtp"
