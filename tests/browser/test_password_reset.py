"""Forgot password, in a real browser: ask for a link on the sign-in page, read the e-mail from the
outbox, choose a new password, and sign in with it."""
from __future__ import annotations

import email
import email.policy
import re

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

#: A demo account no other browser journey signs in as: its password changes here.
WHO = "partner5@outreach.example"
NEW_PASSWORD = "a fresh passphrase from the browser"


def _reset_link(tmp_path_factory, address):
    """The link in the newest e-mail to *address* in the live server's outbox (no mail server is configured)."""
    base = tmp_path_factory.getbasetemp()
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted(base.glob("live*/mail-outbox/*.eml"))]
    mine = [m for m in messages if m["To"] == address]
    assert mine, f"no e-mail to {address} in the outbox"
    return re.search(r"(http://\S+/reset-password/\S+)", mine[-1].get_body(("plain",)).get_content()).group(1)


def test_forgot_password_then_sign_in_with_the_new_one(page_factory, live_server, tmp_path_factory):
    page = page_factory(width=390)
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail address").fill(WHO)
    page.get_by_role("button", name="E-mail me a reset link").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    assert "a link to choose a new password is on its way" in page.locator("main").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "forgot-password-sent-390.png"), full_page=True)

    link = _reset_link(tmp_path_factory, WHO)
    page.goto(link)
    page.get_by_role("heading", name="Choose a new password").wait_for()
    page.get_by_label("New password").fill("too short")
    page.get_by_label("Repeat the password").fill("too short")
    page.get_by_role("button", name="Save my new password").click()
    assert page.get_by_text("Use between 12 and 256 characters").count() == 1
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    page.screenshot(path=str(ARTIFACTS / "reset-password-390.png"), full_page=True)
    page.get_by_role("button", name="Save my new password").click()
    page.wait_for_url(f"{live_server}/")
    assert "every other device has been signed out" in page.locator(".flash-stack").inner_text()
    assert [p for p in page.problems if "422 (UNPROCESSABLE ENTITY)" not in p] == []  # the too-short try

    # on another device: the link is spent, and the new password signs her in
    other = page_factory(width=1366)
    other.goto(link)
    other.get_by_role("heading", name="This password-reset link is not valid").wait_for()
    other.get_by_role("link", name="Go to sign in").click()
    other.get_by_label("E-mail address").fill(WHO)
    other.get_by_label("Password").fill(NEW_PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    other.wait_for_url(f"{live_server}/")
    assert "Sarah" in other.locator("main").inner_text()
    assert [p for p in other.problems if "404 (NOT FOUND)" not in p] == []  # the spent link
