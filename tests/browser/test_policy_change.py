"""Staff publish a significant policy change; a student is asked to accept it, in Chromium."""

from __future__ import annotations

import pytest

from school.accounts.models import Role
from school.database import utcnow
from tests.browser.helpers import add_person
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _log_in(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def test_staff_publish_a_significant_change_and_a_student_accepts_it(
    page, live_server, axe_check, smtp
):
    base = live_server.url
    staff = add_person(live_server, "sofia@example.com", "Sofia", Role.STAFF)
    student = add_person(live_server, "bea@example.com", "Bea")

    _log_in(page, base, staff)
    page.goto(f"{base}/admin/policies/")
    axe_check(page)
    page.get_by_role("link", name="Publish a new version").click()
    page.wait_for_url(f"{base}/admin/policies/new")
    page.get_by_label("Version label").fill("1.1")
    page.get_by_label("Takes effect on").fill(utcnow().date().isoformat())
    page.get_by_label("Significant: everyone is emailed").check()
    page.get_by_label("What changed (English)").fill("We now keep lesson recordings.")
    page.get_by_label("What changed (Russian)").fill("Теперь мы храним записи уроков.")
    body = page.get_by_label("Policy text (English, Markdown)")
    body.fill(body.input_value() + "\n\n## Recordings\n\nWe keep lesson recordings.\n")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Recordings").is_visible()
    axe_check(page)
    page.get_by_role("button", name="Publish this version").click()
    page.wait_for_url(f"{base}/admin/policies/")
    assert page.get_by_text("Version 1.1 is published.").is_visible()
    assert len(smtp.to(student)) == 1

    page.context.clear_cookies()
    _log_in(page, base, student)
    banner = page.get_by_role("heading", name="Our privacy policy has changed")
    assert banner.is_visible()
    axe_check(page)
    page.get_by_role("link", name="Read the changes and accept").click()
    page.wait_for_url(f"{base}/privacy/accept")
    assert page.get_by_text("We now keep lesson recordings.").first.is_visible()
    axe_check(page)
    page.get_by_role("button", name="I accept").click()
    page.wait_for_url(f"{base}/privacy")
    assert page.get_by_text("You accepted version 1.1").is_visible()
    assert page.locator("#policy-banner-heading").count() == 0
    page.goto(f"{base}/courses")
    assert page.locator("#policy-banner-heading").count() == 0

    page.get_by_role("link", name="Privacy", exact=True).first.click()
    page.get_by_role("link", name="Compare with version 1.0").click()
    page.wait_for_url(f"{base}/privacy/versions/1.0/diff/1.1")
    assert page.locator(".diff-added").first.is_visible()
    axe_check(page)
