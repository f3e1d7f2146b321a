"""An erasure deferred by a place on a course goes ahead by itself when the place ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from school.accounts.models import User
from school.database import utcnow
from school.enrollment import services as enrolment
from school.enrollment.models import Certificate, Enrollment, EnrollmentStatus
from school.extensions import db
from school.mail.services import send_committed
from school.privacy.requests.models import RequestStatus
from tests.privacy.helpers import ask, decide, latest


@pytest.fixture
def deferred(student_client, staff_client, student, make_course, smtp):
    """The student has a place on a running course and asked to be erased: it must wait."""

    def make(status: EnrollmentStatus) -> Enrollment:
        course = make_course("Spanish Basics")
        course.seats_taken = 1
        enrollment = Enrollment(user=student, course=course, status=status)
        db.session.add(enrollment)
        db.session.commit()
        ask(student_client, "erasure")
        assert "Erasure must wait" in decide(staff_client, latest("erasure"))
        assert latest("erasure").status is RequestStatus.APPROVED
        smtp.clear()
        return enrollment

    return make


def assert_erased_and_told(student_id: int, address: str, smtp) -> None:
    db.session.expire_all()
    assert db.session.get(User, student_id).erased_at is not None
    request = latest("erasure")
    assert request.status is RequestStatus.COMPLETED
    assert "erased once what deferred it had ended" in [e.note for e in request.events]
    assert smtp.last_to(address)["Subject"] == "Your data has been erased"


def test_cancelling_the_place_completes_the_erasure_without_staff(
    deferred, student, student_client, smtp
):
    enrollment = deferred(EnrollmentStatus.APPROVED)
    student_id, address = student.id, student.email
    student_client.submit(f"/dashboard/{enrollment.public_id}/cancel")
    assert_erased_and_told(student_id, address, smtp)
    assert db.session.scalars(select(Enrollment)).all() == []


def test_completing_the_course_completes_the_erasure_and_keeps_the_certificate(
    deferred, student, staff, smtp
):
    enrollment = deferred(EnrollmentStatus.ACTIVE)
    student_id, address = student.id, student.email
    enrolment.complete(enrollment, staff)
    send_committed()
    assert_erased_and_told(student_id, address, smtp)
    assert db.session.scalar(select(Certificate)) is not None


def test_the_retention_run_erases_once_the_course_is_over(deferred, student, runner, smtp):
    enrollment = deferred(EnrollmentStatus.ACTIVE)
    student_id, address = student.id, student.email
    result = runner.invoke(args=["privacy", "retention"])
    assert "deferred erasures carried out now nothing blocks them: 0" in result.output
    enrollment.course.ends_on = utcnow().date() - timedelta(days=1)
    db.session.commit()
    result = runner.invoke(args=["privacy", "retention"])
    assert "deferred erasures carried out now nothing blocks them: 1" in result.output
    send_committed()  # the command shares the test's app context, whose end would send it
    assert_erased_and_told(student_id, address, smtp)
