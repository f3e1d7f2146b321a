"""Two staff members approving different requests for the last seat at the same moment."""

import html
import threading

from sqlalchemy import select

from school.accounts.models import Role
from school.courses.models import Course
from school.enrollment.models import Enrollment, EnrollmentStatus
from school.extensions import db
from tests.conftest import AuthActions
from tests.enrollment.test_enrolment_path import enrol


def test_racing_approvals_never_exceed_the_seats(app, make_user, make_course):
    course = make_course(seats=1)
    for n in range(2):
        person = make_user(f"racer{n}@example.com")
        client = app.test_client()
        AuthActions(client).login(person.email)
        enrol(client, course)
    public_ids = list(db.session.scalars(select(Enrollment.public_id).order_by(Enrollment.id)))

    staff_clients = []
    for n in range(2):
        member = make_user(f"staff{n}@example.com", role=Role.STAFF)
        client = app.test_client()
        AuthActions(client).login(member.email)
        staff_clients.append((client, client.csrf_token()))

    barrier = threading.Barrier(2)
    pages: list[str] = [""] * 2

    def approve(index: int) -> None:
        client, token = staff_clients[index]
        barrier.wait()
        response = client.post(
            f"/admin/enrolments/{public_ids[index]}/act",
            data={"action": "approve", "csrf_token": token},
            follow_redirects=True,
        )
        pages[index] = html.unescape(response.text)

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    db.session.expire_all()
    statuses = sorted(e.status.value for e in db.session.scalars(select(Enrollment)))
    assert statuses == ["approved", "requested"]
    assert db.session.get(Course, course.id).seats_taken == 1
    assert sum("The course is full" in page for page in pages) == 1
    assert sum("Approved: the student has a seat" in page for page in pages) == 1


def test_the_same_request_approved_twice_at_once_takes_one_seat(app, make_user, make_course):
    course = make_course(seats=5)
    person = make_user("one@example.com")
    client = app.test_client()
    AuthActions(client).login(person.email)
    enrol(client, course)
    request = db.session.scalars(select(Enrollment)).one()
    request_id, public_id = request.id, request.public_id
    member = make_user("staff@example.com", role=Role.STAFF)
    staff = app.test_client()
    AuthActions(staff).login(member.email)
    token = staff.csrf_token()

    barrier = threading.Barrier(2)

    def approve() -> None:
        barrier.wait()
        staff.post(
            f"/admin/enrolments/{public_id}/act",
            data={"action": "approve", "csrf_token": token},
        )

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.session.expire_all()
    assert db.session.get(Enrollment, request_id).status is EnrollmentStatus.APPROVED
    assert db.session.get(Course, course.id).seats_taken == 1
