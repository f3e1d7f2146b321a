"""A person signs up, confirms from the email, logs in and switches to Russian, in Chromium."""

from datetime import date

import pytest

from tests.conftest import link_in

pytestmark = pytest.mark.browser


def test_sign_up_confirm_log_in_and_switch_language(page, live_server, smtp, axe_check):
    base = live_server.url

    page.goto(f"{base}/signup")
    axe_check(page)
    page.get_by_label("Full name").fill("Lena Browser")
    page.get_by_label("Email address").fill("lena@example.com")
    page.get_by_label("Password").fill("browser password 123")
    page.get_by_label("Date of birth").fill("1994-08-21")
    assert page.locator("#guardian").is_hidden()  # an adult: no parent or guardian asked
    page.get_by_label("I agree that the school processes my personal data").check()
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{base}/signup/check-email")
    assert page.get_by_role("heading", name="Check your email").is_visible()
    axe_check(page)

    link = link_in(smtp.last_to("lena@example.com"), "/confirm/")
    assert link.startswith(base)
    page.goto(link)
    axe_check(page)
    page.get_by_role("button", name="Confirm my address").click()
    page.wait_for_url(f"{base}/login")
    assert page.get_by_text("your address is confirmed").is_visible()
    axe_check(page)

    page.get_by_label("Email address").fill("lena@example.com")
    page.get_by_label("Password").fill("browser password 123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    axe_check(page)

    page.goto(f"{base}/account")
    assert page.get_by_text("lena@example.com").is_visible()
    axe_check(page)

    page.get_by_role("button", name="Русский").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("heading", level=1).inner_text() != "My account"
    axe_check(page)


def test_a_minor_signs_up_and_a_guardian_consents(page, live_server, smtp, axe_check):
    """The guardian fields appear for a minor's date; the guardian consents from the email."""
    base = live_server.url
    today = date.today()
    twelve = today.replace(year=today.year - 12, day=min(today.day, 28)).isoformat()

    page.goto(f"{base}/signup")
    page.get_by_label("Full name").fill("Mila Young")
    page.get_by_label("Email address").fill("mila@example.com")
    page.get_by_label("Password").fill("browser password 123")
    page.get_by_label("Date of birth").fill("1980-01-01")
    assert page.locator("#guardian").is_hidden()
    page.get_by_label("Date of birth").fill(twelve)
    assert page.locator("#guardian").is_visible()
    axe_check(page)
    page.get_by_label("Parent or guardian's name").fill("Pavel Young")
    page.get_by_label("Parent or guardian's email").fill("pavel@example.com")
    page.get_by_label("I agree that the school processes my personal data").check()
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{base}/signup/check-email")

    page.goto(link_in(smtp.last_to("pavel@example.com"), "/signup/guardian/"))
    assert page.get_by_text("Mila Young is signing up").is_visible()
    axe_check(page)
    page.get_by_role("button", name="I give consent on their behalf").click()
    assert page.get_by_text("Your consent for Mila Young is recorded").is_visible()
    axe_check(page)


def test_the_guardian_fields_are_there_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/signup")
    assert page.get_by_label("Parent or guardian's email").is_visible()
    context.close()


def test_pages_work_without_javascript(browser, live_server, axe_check):
    """Every public page is usable with JavaScript switched off."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    for path in ("/", "/courses", "/login", "/signup", "/privacy"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200
        assert page.locator("main h1").count() >= 1
    context.close()
