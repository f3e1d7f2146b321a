"""Staff open a student's profile only with a reason, and the student sees that they did."""

from __future__ import annotations

import io

from sqlalchemy import select

from school.accounts.models import Role
from school.extensions import db
from school.profile.models import StaffAccess
from school.profile.services import log_staff_access
from tests.conftest import AuthActions
from tests.profile.helpers import FULL_PROFILE, png


def _with_profile(student_client):
    student_client.submit("/profile", FULL_PROFILE)
    student_client.submit(
        "/profile/photo",
        {"photo": (io.BytesIO(png()), "me.png", "image/png")},
        content_type="multipart/form-data",
    )


def test_every_user_gets_a_random_public_id(make_user):
    first, second = make_user(), make_user()
    assert first.public_id and second.public_id and first.public_id != second.public_id
    assert len(first.public_id) >= 16
    assert str(first.id) != first.public_id


def test_staff_search_students_by_name_or_email(staff_client, make_user):
    make_user("olga@example.com", full_name="Olga Orlova")
    make_user("piotr@example.com", full_name="Piotr Nowak")
    make_user("colleague@example.com", full_name="Olga Staff", role=Role.STAFF)

    page = staff_client.get("/admin/students?q=olga").text
    assert "Olga Orlova" in page
    assert "Piotr Nowak" not in page
    assert "Olga Staff" not in page  # staff are not students
    assert "Piotr Nowak" in staff_client.get("/admin/students?q=PIOTR@").text
    assert "No student matches." in staff_client.get("/admin/students?q=%25").text


def test_the_profile_is_shown_only_after_a_reason_and_the_opening_is_logged(
    staff_client, staff, student, student_client
):
    _with_profile(student_client)
    url = f"/admin/students/{student.public_id}"

    reason_page = staff_client.get(url)
    assert reason_page.status_code == 200
    assert "Why are you opening this profile?" in reason_page.text
    assert "Acme Translation Bureau" not in reason_page.text
    # The reason page shows the student's name only, and says so in the log.
    assert [e.page for e in db.session.scalars(select(StaffAccess))] == ["profile_reason"]

    shown = staff_client.submit(url, {"reason": "support", "note": "Asked about her invoice"})
    assert shown.status_code == 200
    assert "Acme Translation Bureau" in shown.text
    assert "+375 29 123 45 67" in shown.text

    entry = db.session.scalars(select(StaffAccess).where(StaffAccess.page == "profile")).one()
    assert (entry.staff_id, entry.subject_id, entry.page, entry.reason) == (
        staff.id,
        student.id,
        "profile",
        "support",
    )
    assert entry.note == "Asked about her invoice"
    assert entry.at is not None

    photo = staff_client.get(f"{url}/photo")
    assert photo.status_code == 200
    assert "no-store" in photo.headers["Cache-Control"]


def test_the_student_sees_who_looked_on_my_data(staff_client, staff, student, student_client):
    staff_client.submit(
        f"/admin/students/{student.public_id}", {"reason": "enrolment", "note": "Group B2"}
    )
    page = student_client.get("/profile/my-data").text
    assert "Who looked at my data" in page
    assert "Sofia Staff" in page
    assert "Handling an enrolment" in page
    assert "Group B2" in page
    assert "Your profile" in page


def test_an_unknown_reason_shows_only_the_name_and_logs_only_that(staff_client, student):
    response = staff_client.submit(f"/admin/students/{student.public_id}", {"reason": "curiosity"})
    assert response.status_code == 400
    looks = db.session.scalars(select(StaffAccess)).all()
    assert [(look.page, look.reason) for look in looks] == [("profile_reason", "")]


def test_other_domains_log_access_through_the_service(staff, student, student_client):
    log_staff_access(staff, student, "privacy_request", "privacy_request", "Request R-1")
    page = student_client.get("/profile/my-data").text
    assert "A privacy request of yours" in page
    assert "Answering a privacy request" in page


def test_profiles_are_not_reachable_by_integer_id(staff_client, student):
    assert staff_client.get(f"/admin/students/{student.id}").status_code == 404
    assert staff_client.get("/admin/students/nonexistent-id").status_code == 404


def test_a_student_cannot_open_another_students_profile_or_photo(
    app, make_user, student, student_client
):
    _with_profile(student_client)
    other = make_user("other@example.com", full_name="Other Student")
    other_client = app.test_client()
    AuthActions(other_client).login(other.email)

    for path in (
        "/admin/students",
        f"/admin/students/{student.public_id}",
        f"/admin/students/{student.public_id}/photo",
    ):
        assert other_client.get(path).status_code == 403, path
    refused = other_client.submit(f"/admin/students/{student.public_id}", {"reason": "support"})
    assert refused.status_code == 403
    # Their own photo address serves only their own photo, which they do not have.
    assert other_client.get("/profile/photo").status_code == 404
    assert db.session.scalars(select(StaffAccess)).all() == []


def test_visitors_are_sent_to_log_in(client, student):
    response = client.get(f"/admin/students/{student.public_id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
