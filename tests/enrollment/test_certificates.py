"""Public verification of certificates."""

import html

from school.database import utcnow
from school.enrollment.models import Certificate, Enrollment, EnrollmentStatus
from school.extensions import db


def issue(student, course) -> Certificate:
    enrollment = Enrollment(user=student, course=course, status=EnrollmentStatus.COMPLETED)
    certificate = Certificate(
        enrollment=enrollment,
        course_title=course.title,
        language=course.language,
        level=course.level,
    )
    db.session.add_all([enrollment, certificate])
    db.session.commit()
    return certificate


def test_a_certificate_verifies_publicly_with_the_holders_name(client, student, make_course):
    certificate = issue(student, make_course("German for Beginners"))
    page = client.get(f"/certificates/{certificate.code}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "German for Beginners" in text and "A1" in text and "Sam Student" in text
    assert client.get(f"/certificates/{certificate.code.lower()}").status_code == 200


def test_after_erasure_the_certificate_still_verifies_without_a_name(client, student, make_course):
    certificate = issue(student, make_course("German for Beginners"))
    student.erased_at = utcnow()
    db.session.commit()
    text = html.unescape(client.get(f"/certificates/{certificate.code}").text)
    assert "German for Beginners" in text
    assert "Sam Student" not in text
    assert "no longer has an account" in text


def test_an_unknown_code_is_a_clear_404(client):
    page = client.get("/certificates/AAAA-BBBB-CCCC")
    assert page.status_code == 404
    assert "We issued no certificate" in html.unescape(page.text)
