"""No non-essential cookie before consent, checked in a real browser."""

import pytest

pytestmark = pytest.mark.browser


def cookie_names(page):
    return {cookie["name"] for cookie in page.context.cookies()}


def test_no_functional_cookie_before_consent_then_only_what_was_allowed(
    page, live_server, axe_check
):
    base = live_server.url
    page.goto(f"{base}/")
    page.goto(f"{base}/courses")
    assert cookie_names(page) <= {"session"}
    assert page.get_by_role("heading", name="Cookies on this site").is_visible()
    axe_check(page)

    page.get_by_role("button", name="Русский").click()
    page.wait_for_load_state()
    assert "lang" not in cookie_names(page)

    page.locator("#cookie-refuse_all").click()
    page.wait_for_load_state()
    assert cookie_names(page) <= {"session", "cookie_consent"}
    assert page.locator("#cookie-banner-heading").count() == 0

    page.goto(f"{base}/cookies")
    axe_check(page)
    page.locator("#choices-functional").check()
    page.locator("#choices-save").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert "lang" in cookie_names(page)
