"""The access report is about the person who asked: what we hold for them, not the registry."""

from __future__ import annotations

import html
import io
from datetime import timedelta

from flask_babel import format_date
from sqlalchemy import select

from school.demo import seed_processors
from school.extensions import db
from school.mail.models import OutboxMessage
from school.privacy.data.personal_data import subject_of
from school.privacy.requests.report import processing_report
from tests.conftest import AuthActions, text_of
from tests.enrollment.test_enrolment_path import enrol
from tests.privacy.helpers import ask, decide, latest
from tests.profile.helpers import FULL_PROFILE, png


def report_page(app, staff_client, user) -> str:
    client = app.test_client()
    AuthActions(client).login(user.email)
    ask(client, "access")
    request = latest()
    decide(staff_client, request)
    return html.unescape(client.get(f"/privacy/centre/{request.public_id}/report").text)


def test_two_students_get_reports_about_themselves(app, staff_client, make_user, make_course, smtp):
    seed_processors()
    busy = make_user("busy@example.com", full_name="Bea Busy")
    quiet = make_user("quiet@example.com", full_name="Quentin Quiet")
    client = app.test_client()
    AuthActions(client).login(busy.email)
    client.submit("/profile", {**FULL_PROFILE, "locale": "en"})
    client.submit(
        "/profile/photo",
        {"photo": (io.BytesIO(png()), "me.png", "image/png")},
        content_type="multipart/form-data",
    )
    enrol(client, make_course())
    client.submit("/logout")

    busy_page = report_page(app, staff_client, busy)
    quiet_page = report_page(app, staff_client, quiet)

    # Categories actually held: the profile and the enrolment are only the busy student's.
    for held_by_busy_only in ("Your learning profile", "Photograph", "Phone"):
        assert held_by_busy_only in busy_page, held_by_busy_only
        assert held_by_busy_only not in quiet_page, held_by_busy_only
    for both in ("Identity", "Contact details", "Full name", "Legal basis"):
        assert both in busy_page and both in quiet_page

    # Processors are listed with the categories they receive of this person's data.
    assert "MailRelay BY" in busy_page and "MailRelay BY" in quiet_page
    assert "EuroHost GmbH" in quiet_page
    hosting = next(line for line in quiet_page.splitlines() if "EuroHost GmbH (DE):" in line)
    assert "Photograph" not in hosting  # the categories received are the ones held for her
    # Transfers abroad, with their legal ground.
    assert "Transfers abroad" in quiet_page
    assert "standard data-protection clauses" in quiet_page

    # Retention counted for their records: mail kept 90 days from the newest message to them.
    with app.test_request_context():
        newest = db.session.scalars(
            select(OutboxMessage.created_at)
            .where(OutboxMessage.user_id == quiet.id)
            .order_by(OutboxMessage.created_at.desc())
        ).first()
        until = format_date((newest + timedelta(days=90)).date(), "long")
    assert f"what we hold about you now is kept until {until}" in quiet_page


def test_the_emailed_report_is_the_persons_own(app, staff_client, make_user, smtp):
    seed_processors()
    person = make_user("reader@example.com", full_name="Rita Reader")
    report_page(app, staff_client, person)
    body = text_of(smtp.last_to(person.email))
    assert "Your learning profile" not in body  # nothing of a profile is held for her
    assert "Contact details" in body
    assert "Transfers abroad" in body and "EuroHost GmbH (DE)" in body


def test_a_report_for_an_address_without_an_account_reads_by_that_address(app, make_user):
    person = make_user("held@example.com")
    by_account = processing_report(subject_of(person, None))
    by_address = processing_report(subject_of(None, "nobody@example.com"))
    assert {s.category.key for s in by_account.sections} >= {"identity", "contact"}
    assert by_address.sections == []
