"""The layout as a person sees it: desktop and phone, every role, no script or CSP errors."""
from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", ["admin", "manager", "coordinator", "partner", "activist"])
def test_today_page_for_each_role(page_factory, live_server, role):
    page = page_factory()
    sign_in(page, live_server, f"{role}@outreach.example")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Good to see you")
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.bootstrap") == "object"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"Today scrolls sideways by {overflow}px for {role} at 1366px"
    nav = page.get_by_role("navigation", name="Main")
    nav.locator("#user-menu").click()  # running the instance lives in the user menu
    assert (nav.get_by_role("link", name="Users and invitations").count() == 1) == (role == "admin")
    assert (nav.get_by_role("link", name="Audit log").count() == 1) == (role in {"admin", "manager"})
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"today-{role}-desktop.png"), full_page=True)
    assert page.problems == []


def test_phone_layout_has_no_sideways_scroll(page_factory, live_server):
    page = page_factory(390, 844)
    sign_in(page, live_server, "admin@outreach.example")
    for path in ("/", "/admin/users", "/admin/users/invite", "/audit/", "/account/"):
        page.goto(live_server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    page.get_by_role("button", name="Show navigation").click()
    # Bootstrap animates the collapse; a click on the user menu during the animation can land on
    # a moving target and be lost, so wait until the navigation has finished opening.
    page.locator("#nav-main.collapse.show").wait_for()
    toggle = page.locator("#nav-main #user-menu")
    toggle.click()
    page.locator("#nav-main #user-menu + .dropdown-menu.show").wait_for()
    page.get_by_role("link", name="Users and invitations").click()
    page.wait_for_url(f"{live_server}/admin/users")
    page.screenshot(path=str(ARTIFACTS / "users-admin-phone.png"), full_page=True)
    assert page.problems == []


def _invite(page, base: str, email: str, name: str) -> str:
    """As the admin, invite *email* from the keyboard; the one-time link shown (no mail server here)."""
    sign_in(page, base, "admin@outreach.example")
    page.goto(f"{base}/admin/users/invite")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Role").select_option("partner")
    page.get_by_label("Name").press("Enter")  # submit from the keyboard
    page.wait_for_url(f"{base}/admin/users")
    assert f"Invitation created for {email}" in page.content()
    copy = page.get_by_role("button", name="Copy link")
    link = copy.get_attribute("data-copy")
    assert link and link in page.locator(".alert-warning").inner_text()
    return link


def test_invite_then_sign_out_with_the_keyboard_and_menu(page_factory, live_server):
    page = page_factory()
    link = _invite(page, live_server, "browser.invitee@example.org", "Browser Invitee")
    page.get_by_role("button", name="Amara Okafor").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/login")

    page.goto(link)
    page.get_by_label("Your time zone").select_option("Africa/Juba")
    page.get_by_label("Password", exact=True).fill("browser tested passphrase")
    page.get_by_label("Repeat the password").fill("browser tested passphrase")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(f"{live_server}/")
    assert "Welcome to Outreach, Browser Invitee." in page.content()
    assert page.problems == []


def test_sign_in_error_is_announced_next_to_the_form(page_factory, live_server):
    page = page_factory()
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail address").fill("coordinator@outreach.example")
    page.get_by_label("Password").fill("wrong wrong wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "Wrong e-mail address or password."
    page.screenshot(path=str(ARTIFACTS / "login-error.png"))


def test_a_new_account_starts_in_the_browsers_time_zone(page_factory, live_server):
    link = _invite(page_factory(), live_server, "zone.invitee@example.org", "Zone Invitee")
    invitee = page_factory(timezone_id="Asia/Jakarta")
    invitee.goto(link)
    assert invitee.get_by_label("Your time zone").input_value() == "Asia/Jakarta"
    assert invitee.problems == []
