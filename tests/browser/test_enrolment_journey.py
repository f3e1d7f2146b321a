"""Browse, filter, enrol; staff approve; the student sees the course on the dashboard."""

from datetime import timedelta

import pytest

from school.accounts.models import Role
from school.courses.models import Course, Format, Lesson, Level
from school.database import utcnow
from school.extensions import db
from tests.browser.helpers import add_person, log_in, log_out
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def seed(live_server) -> None:
    add_person(live_server, "kate@example.com", "Kate Learner")
    add_person(live_server, "boss@example.com", "Boris Staff", Role.STAFF)
    with live_server.app.app_context():
        start = utcnow().date() + timedelta(days=10)
        for title, language, level in (
            ("German from Scratch", "de", Level.A1),
            ("Business German", "de", Level.B2),
            ("French for Travellers", "fr", Level.A2),
        ):
            db.session.add(
                Course(
                    slug=title.lower().replace(" ", "-"),
                    title=title,
                    language=language,
                    level=level,
                    format=Format.GROUP,
                    schedule="Mon 18:00",
                    starts_on=start,
                    ends_on=start + timedelta(weeks=8),
                    teacher_name="Lena Vogel",
                    price_minor=20000,
                    currency="EUR",
                    seats=5,
                    seats_taken=0,
                    lessons=[Lesson(position=1, title="Hello", summary="greetings")],
                )  # fmt: skip
            )
        db.session.commit()


def test_enrol_and_get_approved(page, live_server, smtp, axe_check):
    base = live_server.url
    seed(live_server)

    page.goto(f"{base}/courses")
    axe_check(page)
    page.get_by_label("Language taught").select_option(label="German")
    page.get_by_role("button", name="Show courses").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="German from Scratch").is_visible()
    assert page.get_by_role("link", name="French for Travellers").count() == 0
    page.get_by_role("link", name="German from Scratch").click()
    page.wait_for_load_state()
    axe_check(page)

    page.locator("#enrol").get_by_role("link", name="Log in").click()
    page.get_by_label("Email address").fill("kate@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/courses/german-from-scratch#enrol")
    axe_check(page)

    page.get_by_label("Preferred days and times").fill("weekday evenings")
    page.get_by_label("I agree that the school processes the details").check()
    page.get_by_role("button", name="Ask to enrol").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your request is sent").is_visible()
    axe_check(page)
    log_out(page, base)

    log_in(page, base, "boss@example.com")
    page.goto(f"{base}/admin/enrolments/")
    axe_check(page)
    page.locator("table a").first.click()
    page.wait_for_load_state()
    axe_check(page)
    page.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    assert page.get_by_text("Approved: the student has a seat").is_visible()
    log_out(page, base)

    log_in(page, base, "kate@example.com")
    page.goto(f"{base}/dashboard")
    assert page.get_by_role("link", name="German from Scratch").is_visible()
    assert page.get_by_text("Approved").first.is_visible()
    axe_check(page)
    assert smtp.last_to("kate@example.com")["Subject"] == "You have a place on the course"
