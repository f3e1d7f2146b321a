"""A student reaches only their own enrolments, whatever id they type."""

import pytest
from sqlalchemy import select

from school.courses.models import Course
from school.enrollment.models import Enrollment, EnrollmentStatus
from school.extensions import db
from tests.conftest import AuthActions
from tests.enrollment.test_enrolment_path import enrol


@pytest.fixture
def others_enrollment(app, make_user, make_course):
    owner = make_user("owner@example.com")
    client = app.test_client()
    AuthActions(client).login(owner.email)
    course = make_course()
    enrol(client, course)
    enrollment = db.session.scalars(select(Enrollment)).one()
    enrollment.status = EnrollmentStatus.ACTIVE
    db.session.commit()
    return enrollment


def test_another_students_enrolment_is_not_found(student_client, others_enrollment):
    public_id = others_enrollment.public_id
    lesson_id = db.session.get(Course, others_enrollment.course_id).lessons[0].id
    assert student_client.get(f"/dashboard/{public_id}").status_code == 404
    assert student_client.submit(f"/dashboard/{public_id}/cancel").status_code == 404
    assert (
        student_client.submit(
            f"/dashboard/{public_id}/lessons/{lesson_id}", {"done": "1"}
        ).status_code
        == 404
    )
    db.session.expire_all()
    assert db.session.get(Enrollment, others_enrollment.id).status is EnrollmentStatus.ACTIVE
    assert "You have no current courses." in student_client.get("/dashboard").text


def test_a_lesson_of_another_course_cannot_be_marked(
    student_client, student, make_course, others_enrollment
):
    mine = make_course()
    enrol(student_client, mine)
    enrollment = db.session.scalars(
        select(Enrollment).where(Enrollment.user_id == student.id)
    ).one()
    enrollment.status = EnrollmentStatus.ACTIVE
    db.session.commit()
    foreign_lesson = db.session.get(Course, others_enrollment.course_id).lessons[0].id
    page = student_client.submit(
        f"/dashboard/{enrollment.public_id}/lessons/{foreign_lesson}",
        {"done": "1"},
        follow_redirects=True,
    )
    assert "not part of this course" in page.text


def test_staff_enrolment_pages_need_staff(client, student_client, others_enrollment):
    path = f"/admin/enrolments/{others_enrollment.public_id}"
    assert client.get(path).status_code == 302
    assert student_client.get(path).status_code == 403
    assert student_client.submit(path + "/act", {"action": "cancel"}).status_code == 403
