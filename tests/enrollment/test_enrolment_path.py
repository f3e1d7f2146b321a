"""The whole enrolment path through HTTP, with the emails it sends."""

import html
import re

import pytest
from sqlalchemy import func, select

from school.courses.models import Course
from school.enrollment.models import Certificate, Enrollment, EnrollmentStatus, LessonProgress
from school.extensions import db
from tests.conftest import AuthActions, text_of

E = EnrollmentStatus


def enrol(client, course, follow_redirects=False, **changes):
    data = {
        "preferred_schedule": "evenings",
        "self_assessed_level": "A1",
        "message": "I lived in Berlin for a year.",
        "contract_consent": "y",
        **changes,
    }
    return client.submit(f"/courses/{course.slug}/enrol", data, follow_redirects=follow_redirects)


def only_enrollment() -> Enrollment:
    db.session.expire_all()
    return db.session.scalars(select(Enrollment)).one()


def staff_act(staff_client, enrollment, action):
    return staff_client.submit(
        f"/admin/enrolments/{enrollment.public_id}/act", {"action": action}, follow_redirects=True
    )


def seats_taken(course) -> int:
    db.session.expire_all()
    return db.session.get(Course, course.id).seats_taken


def test_request_approve_start_progress_complete_certificate(
    student_client, staff_client, student, make_course, smtp
):
    course = make_course("German for Beginners", lessons=4)

    response = enrol(student_client, course)
    assert response.status_code == 302
    enrollment = only_enrollment()
    assert enrollment.status is E.REQUESTED
    assert enrollment.message == "I lived in Berlin for a year."
    assert "to teach me this course" in enrollment.contract_wording
    assert "We received your enrolment request" in smtp.last_to(student.email)["Subject"]

    queue = staff_client.get("/admin/enrolments/")
    assert "Sam Student" in queue.text and "German for Beginners" in queue.text

    page = staff_act(staff_client, enrollment, "approve")
    assert "Approved" in page.text
    assert only_enrollment().status is E.APPROVED
    assert seats_taken(course) == 1
    approved = smtp.last_to(student.email)
    assert approved["Subject"] == "You have a place on the course"
    assert "German for Beginners" in text_of(approved)

    staff_act(staff_client, enrollment, "start")
    assert only_enrollment().status is E.ACTIVE
    assert smtp.last_to(student.email)["Subject"] == "Your course has started"

    lessons = db.session.get(Course, course.id).lessons
    for lesson in lessons[:3]:
        student_client.submit(
            f"/dashboard/{enrollment.public_id}/lessons/{lesson.id}", {"done": "1"}
        )
    dashboard = html.unescape(student_client.get("/dashboard").text)
    assert "75% complete (3 of 4 lessons)" in dashboard
    student_client.submit(
        f"/dashboard/{enrollment.public_id}/lessons/{lessons[0].id}", {"done": "0"}
    )
    assert "50% complete (2 of 4 lessons)" in html.unescape(student_client.get("/dashboard").text)

    staff_act(staff_client, enrollment, "complete")
    enrollment = only_enrollment()
    assert enrollment.status is E.COMPLETED
    certificate = db.session.scalars(select(Certificate)).one()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", certificate.code)
    done_mail = smtp.last_to(student.email)
    assert done_mail["Subject"] == "Course completed: your certificate"
    assert f"/certificates/{certificate.code}" in text_of(done_mail)

    dashboard = student_client.get("/dashboard").text
    assert certificate.code in dashboard


def test_every_email_has_text_and_html_in_the_students_language(
    app, staff_client, make_user, make_course, smtp
):
    ivan = make_user("ivan@example.com", full_name="Иван", locale="ru")
    client = app.test_client()
    AuthActions(client).login(ivan.email)
    course = make_course()
    enrol(client, course)
    message = smtp.last_to(ivan.email)
    assert message["Subject"] == "Мы получили вашу заявку на курс"
    assert message.is_multipart()
    types = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html"} <= types


def test_decline_sends_the_reason(student_client, staff_client, student, make_course, smtp):
    course = make_course()
    enrol(student_client, course)
    enrollment = only_enrollment()
    missing = staff_client.submit(
        f"/admin/enrolments/{enrollment.public_id}/decline", {"reason": ""}
    )
    assert missing.status_code == 400
    assert only_enrollment().status is E.REQUESTED

    staff_client.submit(
        f"/admin/enrolments/{enrollment.public_id}/decline",
        {"reason": "This group is for complete beginners; try the B1 course."},
    )
    enrollment = only_enrollment()
    assert enrollment.status is E.DECLINED
    assert enrollment.open_key is None
    message = smtp.last_to(student.email)
    assert message["Subject"] == "About your enrolment request"
    assert "try the B1 course" in text_of(message)
    # Declined, the student may ask again.
    assert enrol(student_client, course).status_code == 302
    assert db.session.scalar(select(func.count(Enrollment.id))) == 2


def test_full_course_refuses_approval_and_waitlist_gets_the_freed_seat(
    app, staff_client, make_user, make_course, smtp
):
    course = make_course(seats=1)
    first, second = make_user("first@example.com"), make_user("second@example.com")
    clients = {}
    for person in (first, second):
        clients[person.email] = app.test_client()
        AuthActions(clients[person.email]).login(person.email)
        enrol(clients[person.email], course)
    a, b = db.session.scalars(select(Enrollment).order_by(Enrollment.id)).all()

    staff_act(staff_client, a, "approve")
    refused = staff_act(staff_client, b, "approve")
    assert "The course is full" in html.unescape(refused.text)
    db.session.expire_all()
    assert db.session.get(Enrollment, b.id).status is E.REQUESTED
    assert seats_taken(course) == 1

    staff_act(staff_client, b, "waitlist")
    assert smtp.last_to(second.email)["Subject"] == "You are on the waiting list"

    clients[first.email].submit(f"/dashboard/{a.public_id}/cancel")
    db.session.expire_all()
    assert db.session.get(Enrollment, a.id).status is E.CANCELLED
    assert db.session.get(Enrollment, b.id).status is E.APPROVED
    assert seats_taken(course) == 1
    promoted = smtp.last_to(second.email)
    assert promoted["Subject"] == "You have a place on the course"
    assert "moved from the waiting list" in text_of(promoted)
    assert smtp.last_to(first.email)["Subject"] == "Your enrolment is cancelled"


def test_double_submit_makes_one_request(student_client, make_course):
    course = make_course()
    assert enrol(student_client, course).status_code == 302
    again = enrol(student_client, course, follow_redirects=True)
    assert "already asked to join this course" in html.unescape(again.text)
    assert db.session.scalar(select(func.count(Enrollment.id))) == 1


def test_enrolment_needs_the_contract_agreement(student_client, make_course):
    course = make_course()
    response = enrol(student_client, course, contract_consent="")
    assert response.status_code == 400
    assert "We need this agreement" in response.text
    assert db.session.scalar(select(func.count(Enrollment.id))) == 0


def test_over_long_message_is_refused_and_kept_in_the_form(student_client, make_course):
    course = make_course()
    response = enrol(student_client, course, message="x" * 2001)
    assert response.status_code == 400
    assert "x" * 2001 in response.text
    assert db.session.scalar(select(func.count(Enrollment.id))) == 0


def test_visitor_cannot_enrol_without_signing_in(client, make_course):
    course = make_course()
    response = enrol(client, course)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_stale_staff_page_changes_nothing(student_client, staff_client, make_course, smtp):
    course = make_course()
    enrol(student_client, course)
    enrollment = only_enrollment()
    student_client.submit(f"/dashboard/{enrollment.public_id}/cancel")
    smtp.clear()
    page = staff_act(staff_client, enrollment, "approve")
    assert "changed after the page was loaded" in html.unescape(page.text)
    assert only_enrollment().status is E.CANCELLED
    assert seats_taken(course) == 0
    assert smtp.messages == []


def test_progress_only_while_the_course_runs(student_client, make_course):
    course = make_course()
    enrol(student_client, course)
    enrollment = only_enrollment()
    lesson_id = db.session.get(Course, course.id).lessons[0].id
    page = student_client.submit(
        f"/dashboard/{enrollment.public_id}/lessons/{lesson_id}",
        {"done": "1"},
        follow_redirects=True,
    )
    assert "while the course is running" in page.text
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 0


def test_payment_reference_and_status_are_recorded_by_staff(
    student_client, staff_client, make_course
):
    course = make_course()
    enrol(student_client, course)
    enrollment = only_enrollment()
    staff_client.submit(
        f"/admin/enrolments/{enrollment.public_id}/payment",
        {"payment_reference": "PG-2026-000123", "payment_status": "paid"},
    )
    enrollment = only_enrollment()
    assert enrollment.payment_reference == "PG-2026-000123"
    assert enrollment.payment_status.value == "paid"
    assert "PG-2026-000123" in student_client.get(f"/dashboard/{enrollment.public_id}").text


@pytest.mark.parametrize("path", ["/admin/enrolments/", "/admin/courses/", "/admin/courses/new"])
def test_staff_pages_refuse_students(student_client, path):
    assert student_client.get(path).status_code == 403
