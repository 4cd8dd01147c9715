"""The daily pages as the roles that use them: Today's one-click follow-ups, the audit log read as
sentences. axe-core checks every page visited (conftest.py)."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def test_a_partner_finishes_a_follow_up_from_today(page_factory, live_server):
    page = page_factory()
    sign_in(page, live_server, "partner@outreach.example")
    first = page.locator(".today-follow-ups .follow-up").first
    task = first.locator(".follow-up-text > div").first.inner_text()
    first.get_by_role("button", name="Done").click()
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("alert").filter(has_text=f"Done: {task}").count() == 1
    page.get_by_role("link", name=re.compile(r"^\d+ Overdue$")).click()  # the count, not the register's link
    page.wait_for_url(f"{live_server}/follow-ups#follow-ups-overdue")
    assert page.problems == []


@pytest.mark.parametrize("width", [1366, 390])
def test_a_manager_reads_the_audit_log_as_sentences_and_filters_by_name(page_factory, live_server, width):
    page = page_factory(width, 900)
    sign_in(page, live_server, "manager@outreach.example")
    page.goto(f"{live_server}/audit/")
    page.get_by_label("Who").fill("ingrid")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/audit/?actor=ingrid*")
    rows = page.locator("tbody tr")
    assert rows.count() > 0
    assert all(text.startswith("Ingrid Solberg") for text in rows.locator("td:nth-child(2)").all_inner_texts())
    assert page.locator("a[href^='/admin/users/']").count() == 0  # a manager may not open user pages
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"audit-{width}.png"), full_page=True)
    assert page.problems == []


def test_a_coordinator_merges_the_imported_namesake_the_duplicates_page_proposes(page_factory, live_server):
    page = page_factory()
    sign_in(page, live_server, "coordinator@outreach.example")
    page.goto(f"{live_server}/directory/duplicates")
    pair = page.locator("li.list-group-item").filter(has_text="Dr. Ngozi N'Diaye")
    assert pair.count() == 1 and "Dr. Ngozi Ndiaye" in pair.inner_text()
    assert page.locator("li.list-group-item").filter(has_text="same phone number").count() == 0
    pair.get_by_role("link", name="Compare and merge").click()
    page.get_by_role("button", name="Merge").click()
    page.wait_for_url("**/directory/contacts/*")
    assert "is merged into" in page.get_by_role("alert").first.inner_text()
    page.goto(f"{live_server}/directory/duplicates")
    assert page.locator("li.list-group-item").filter(has_text="N'Diaye").count() == 0
    assert page.problems == []
