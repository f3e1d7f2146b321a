"""Export and erasure of one person's data, read from the registry, checked in the files."""

import csv
import html
import io
import json
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from school.accounts.models import User
from school.database import utcnow
from school.enrollment.models import Certificate, Enrollment, EnrollmentStatus, LessonProgress
from school.extensions import db
from school.privacy.data import registry
from school.privacy.requests.models import RequestStatus
from school.profile.services import log_staff_access
from tests.conftest import AuthActions, link_in, path_of
from tests.privacy.helpers import ask, decide, latest
from tests.profile.helpers import FULL_PROFILE, jpeg_with_exif

PHONE = "+375 29 765 43 21"


@pytest.fixture
def rich_student(app, student, student_client, staff, make_course):
    """A student with something in every table that can hold their data."""
    student_client.submit("/profile", {**FULL_PROFILE, "locale": "en", "phone": PHONE,
                                      "full_name": "Sam Student"})  # fmt: skip
    student_client.submit("/profile/languages", {"level-language": "de", "level-level": "A2"})
    student_client.submit(
        "/profile/photo",
        {"photo": (io.BytesIO(jpeg_with_exif((300, 200))), "me.jpg", "image/jpeg")},
        content_type="multipart/form-data",
    )
    course = make_course("German for Beginners", lessons=3)
    done = Enrollment(user=student, course=course, status=EnrollmentStatus.COMPLETED,
                      message="I love German", completed_at=utcnow())  # fmt: skip
    db.session.add(done)
    db.session.flush()
    db.session.add(LessonProgress(enrollment_id=done.id, lesson_id=course.lessons[0].id))
    db.session.add(Certificate(enrollment=done, course_title=course.title,
                               language=course.language, level=course.level))  # fmt: skip
    cancelled = Enrollment(user=student, course=make_course(), status=EnrollmentStatus.CANCELLED,
                           message="Maybe later")  # fmt: skip
    db.session.add(cancelled)
    db.session.commit()
    log_staff_access(staff, student, "profile", "support", note="helping with a login")
    return student


def download(client, smtp, address):
    message = smtp.last_to(address)
    assert message["Subject"] == "Your data export is ready"
    return client.get(path_of(link_in(message, "/privacy/exports/")))


def test_export_contains_every_exported_registry_field(
    rich_student, student_client, staff_client, smtp
):
    ask(student_client, "export")
    decide(staff_client, latest())
    assert latest().status is RequestStatus.COMPLETED
    response = download(student_client, smtp, rich_student.email)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {"index.html", "data.json", "photo.jpg"} <= names
    data = json.loads(archive.read("data.json"))["tables"]

    # Every exported field of every table where the person has rows is there.
    for ownership in registry.ownerships():
        exported = {e.column for e in registry.fields_of(ownership.table) if e.export}
        if ownership.table in data:
            assert f"csv/{ownership.table}.csv" in names
            for row in data[ownership.table]:
                assert exported <= set(row), ownership.table
    for table in ("user", "profile", "language_level", "enrollment", "lesson_progress",
                  "certificate", "consent_record", "privacy_request", "staff_access"):  # fmt: skip
        assert table in data, table

    assert data["user"][0]["email"] == rich_student.email
    assert data["user"][0]["full_name"] == "Sam Student"
    assert data["profile"][0]["phone"] == PHONE
    assert data["profile"][0]["learning_goals"] == FULL_PROFILE["learning_goals"]
    assert data["language_level"][0] == {"language": "de", "level": "A2"}
    assert {e["message"] for e in data["enrollment"]} == {"I love German", "Maybe later"}
    code = db.session.scalar(select(Certificate.code))
    assert data["certificate"][0]["code"] == code
    assert "helping with a login" in {access["note"] for access in data["staff_access"]}
    assert "password_hash" not in data["user"][0]
    index = archive.read("index.html").decode()
    assert PHONE in index and "photo.jpg" in index
    assert "@media print" in index  # prints as a document: table headers repeat, rows whole
    assert b"SecretCam" not in archive.read("photo.jpg")


def test_each_csv_file_holds_its_tables_rows_as_data_json_does(
    rich_student, student_client, staff_client, smtp
):
    """The CSV files are data.json table by table: same columns in the same order, same
    values (an empty cell where JSON has null), in an ordinary deflated ZIP."""
    ask(student_client, "export")
    decide(staff_client, latest())
    archive = zipfile.ZipFile(io.BytesIO(download(student_client, smtp, rich_student.email).data))
    assert archive.testzip() is None
    assert {member.compress_type for member in archive.infolist()} == {zipfile.ZIP_DEFLATED}
    data = json.loads(archive.read("data.json"))["tables"]
    for table, rows in data.items():
        reader = csv.DictReader(io.StringIO(archive.read(f"csv/{table}.csv").decode()))
        read = list(reader)
        assert reader.fieldnames == list(rows[0]), table
        assert read == [
            {column: "" if value is None else str(value) for column, value in row.items()}
            for row in rows
        ], table


def test_the_download_link_is_for_its_owner_and_its_days_only(
    app, rich_student, student_client, staff_client, smtp, make_user, monkeypatch
):
    ask(student_client, "export")
    decide(staff_client, latest())
    link = path_of(link_in(smtp.last_to(rich_student.email), "/privacy/exports/"))

    other = make_user("other@example.com")
    intruder = app.test_client()
    AuthActions(intruder).login(other.email)
    assert intruder.get(link).status_code == 404
    assert app.test_client().get(link).status_code == 302  # asked to sign in first

    tampered = link[:-3] + ("abc" if not link.endswith("abc") else "xyz")
    assert student_client.get(tampered).status_code == 404

    assert student_client.get(link).status_code == 200
    eight_days_later = int(time.time()) + 8 * 24 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: eight_days_later)
    expired = student_client.get(link)
    assert expired.status_code == 410
    assert "expired" in html.unescape(expired.text)


def test_retention_deletes_old_exports(
    app, rich_student, student_client, staff_client, smtp, runner
):
    ask(student_client, "export")
    decide(staff_client, latest())
    request = latest()
    name = request.outcome["export_file"]
    path = Path(app.instance_path) / "exports" / name
    assert path.exists()
    request.completed_at = utcnow() - timedelta(days=8)  # the registry's EXPORT_LINK is 7 days
    db.session.commit()
    result = runner.invoke(args=["privacy", "retention"])
    assert "data export archives whose link expired, deleted: 1" in result.output
    assert not path.exists()
    assert latest().status is RequestStatus.EXPIRED


def test_auto_approval_of_exports(app, rich_student, student_client, smtp):
    app.config["PRIVACY_AUTO_APPROVE_EXPORTS"] = True
    ask(student_client, "export")
    assert latest().status is RequestStatus.COMPLETED
    assert download(student_client, smtp, rich_student.email).status_code == 200


def raw_database(app) -> bytes:
    folder = Path(app.instance_path)
    return b"".join(path.read_bytes() for path in folder.glob("school.sqlite3*") if path.is_file())


@pytest.mark.sqlite_only
def test_erasure_leaves_no_trace_in_the_database_file(
    app, rich_student, student_client, staff_client, smtp
):
    email, name = rich_student.email, "Sam Student"
    photo = db.session.scalar(select(db.metadata.tables["profile"].c.photo_file))
    ask(student_client, "erasure")
    assert "Done; the person is told by email." in decide(staff_client, latest())

    raw = raw_database(app)
    # What the registry says to delete or anonymise, nowhere in the file or its log; the
    # staff access log is kept (with its stated reason) and so is not searched for.
    for value in (email, name, PHONE, FULL_PROFILE["address"], FULL_PROFILE["learning_goals"],
                  "I love German", "Maybe later"):  # fmt: skip
        assert value.encode() not in raw, value
    assert not list((Path(app.instance_path) / "photos").glob(photo or "nothing"))


def test_erasure_keeps_the_certificate_of_a_nameless_account(
    app, rich_student, student_client, staff_client, smtp, client
):
    email, name = rich_student.email, "Sam Student"
    ask(student_client, "erasure")
    text = decide(staff_client, latest())
    assert "Done; the person is told by email." in text
    goodbye = smtp.last_to(email)
    assert goodbye["Subject"] == "Your data has been erased"

    db.session.expire_all()
    erased = db.session.get(User, rich_student.id)
    assert erased.erased_at is not None and erased.password_hash is None
    assert erased.email.endswith("@erased.invalid")
    statuses = db.session.scalars(select(Enrollment.status)).all()
    assert statuses == [EnrollmentStatus.COMPLETED]

    code = db.session.scalar(select(Certificate.code))
    page = html.unescape(client.get(f"/certificates/{code}").text)
    assert "German for Beginners" in page and name not in page

    assert student_client.get("/privacy/centre").status_code == 302
    assert AuthActions(app.test_client()).login(email).status_code == 401
    request = latest()
    assert request.status is RequestStatus.COMPLETED
    assert request.subject_email.startswith("fp:")


def test_an_active_enrolment_defers_erasure(
    student_client, staff_client, student, make_course, smtp
):
    course = make_course("Spanish Basics")
    db.session.add(Enrollment(user=student, course=course, status=EnrollmentStatus.ACTIVE))
    db.session.commit()
    ask(student_client, "erasure")
    text = decide(staff_client, latest())
    assert "Erasure must wait" in text
    request = latest()
    assert request.status is RequestStatus.APPROVED
    assert "Spanish Basics" in request.outcome["deferred"][0]
    assert db.session.get(User, student.id).erased_at is None
    message = smtp.last_to(student.email)
    assert message["Subject"] == "Your erasure request has to wait"

    enrollment = db.session.scalars(select(Enrollment)).one()
    enrollment.status = EnrollmentStatus.COMPLETED
    db.session.commit()
    text = decide(staff_client, request)
    assert "Done" in text
    db.session.expire_all()
    assert db.session.get(User, student.id).erased_at is not None
