"""From sign-up to "My data" in Chromium, in English and in Russian: the person finds each
thing they gave us as a labelled record, their consents with the policy version and
wording, and every page passes axe."""

import re

import pytest

from school.accounts.models import Role
from tests.browser.helpers import add_person, log_in, log_out
from tests.conftest import link_in

pytestmark = pytest.mark.browser


def sign_up(page, base, smtp, email, name):
    page.goto(f"{base}/signup")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("browser password 123")
    page.get_by_label("Date of birth").fill("1991-03-14")
    page.get_by_label("I agree that the school processes my personal data").check()
    page.get_by_label("Send me the school's news and course offers by email").check()
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{base}/signup/check-email")
    page.goto(link_in(smtp.last_to(email), "/confirm/"))
    page.get_by_role("button", name=re.compile("Confirm my address|Подтвердить адрес")).click()
    page.wait_for_url(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("browser password 123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def record_with(page, label: str):
    """The record (on "My data") in which ``label`` names a value."""
    return page.locator(".record").filter(has=page.get_by_role("term").filter(has_text=label))


def test_from_sign_up_to_my_data_in_english(page, live_server, smtp, axe_check):
    base = live_server.url
    sign_up(page, base, smtp, "vera@example.com", "Vera Browser")

    page.goto(f"{base}/profile/my-data")
    assert page.get_by_role("heading", level=1, name="My data").is_visible()
    axe_check(page)

    account = record_with(page, "Full name")
    assert account.get_by_text("Vera Browser").is_visible()
    assert account.get_by_text("vera@example.com").first.is_visible()

    consents = page.locator("#kind-consent_record")
    assert consents.get_by_role("heading", name="Consents given and withdrawn").is_visible()
    marketing = record_with(page, "What the consent is for").filter(
        has_text="news and course offers by email"
    )
    assert marketing.get_by_text("given", exact=True).is_visible()
    processing = record_with(page, "What the consent is for").filter(
        has_text="processing of your data to run your account and courses"
    )
    assert processing.get_by_text("1.0", exact=True).is_visible()  # the policy version
    assert processing.get_by_text("I agree that the school processes my personal data").count()

    page.get_by_role("link", name="What we hold about everyone, and why").click()
    page.wait_for_url(f"{base}/privacy/data")
    assert page.get_by_role("heading", name="Proof of consent").is_visible()
    axe_check(page)


def test_my_data_in_russian(page, live_server, smtp, axe_check):
    base = live_server.url
    sign_up(page, base, smtp, "oleg@example.com", "Олег Браузеров")

    page.goto(f"{base}/account")
    page.get_by_role("button", name="Русский").click()
    page.wait_for_load_state()

    page.goto(f"{base}/profile/my-data")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("heading", level=1, name="Мои данные").is_visible()
    axe_check(page)
    account = record_with(page, "Полное имя")
    assert account.get_by_text("Олег Браузеров").is_visible()
    assert (
        record_with(page, "На что дано согласие")
        .filter(has_text="новости и предложения курсов по электронной почте")
        .count()
    )
    assert page.get_by_role("heading", name="Данные и отозванные согласия").is_visible()
    # No raw column name reaches the page in either language.
    assert "full_name" not in page.content() and "policy_version_id" not in page.inner_text("main")

    page.goto(f"{base}/privacy/data")
    assert page.get_by_role("heading", name="Доказательство согласия").is_visible()
    assert page.get_by_text("Закон Республики Беларусь № 99-З, ст. 5").first.is_visible()
    axe_check(page)


def test_staff_read_the_consent_ledger(page, live_server, smtp, axe_check):
    """From the student's staff page to their consent history, then the acceptances."""
    base = live_server.url
    sign_up(page, base, smtp, "nina@example.com", "Nina Ledger")
    log_out(page, base)
    log_in(page, base, add_person(live_server, "sofia@example.com", "Sofia Staff", Role.STAFF))

    page.goto(f"{base}/admin/students")
    page.get_by_role("link", name="Nina Ledger").click()
    page.get_by_label("Details (shown to the student)").fill("checking her newsletter consent")
    page.get_by_role("button", name="Open the profile").click()
    page.get_by_role("button", name="Consent history").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="news and course offers by email: given").is_visible()
    axe_check(page)

    page.get_by_role("link", name="Acceptances of each policy version").click()
    page.get_by_label("Given or withdrawn").select_option("given")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert page.get_by_role("cell", name="nina@example.com").first.is_visible()
    axe_check(page)
