"""After an erasure, nothing under the instance folder still says anything about the person.

A person with a Cyrillic name does what a new user does: fills the profile with a photo,
enrols, downloads a data export, writes to the privacy mailbox. Then they are erased, by each
road that leads there, and every file under the instance folder is read as raw bytes and
searched for each of their values in every encoding (``tests.privacy.scanner``).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from school.accounts.models import Role, User
from school.enrollment.models import Enrollment, EnrollmentStatus
from school.extensions import db
from school.intake.models import IntakeMessage
from school.intake.services import ingest
from school.mail.models import OutboxMessage, OutboxStatus
from school.mail.services import send_committed
from school.privacy.data import stores
from school.privacy.requests.models import PrivacyRequest, RequestStatus, RequestType
from tests.conftest import AuthActions, create_user, link_in, path_of
from tests.intake.conftest import build
from tests.privacy.helpers import ask, decide, latest
from tests.privacy.scanner import scan_bytes, scan_folder
from tests.profile.helpers import jpeg_with_exif

NAME = "Алёна Сидоренко"
EMAIL = "alyona.sidorenko@example.org"
PROFILE = {
    "full_name": NAME,
    "display_name": "Алёнка",
    "locale": "ru",
    "phone": "+375 29 765 43 21",
    "address": "ул. Сиреневая, д. 12, кв. 4, Минск",
    "postal_code": "220030",
    "date_of_birth": "1991-03-08",
    "workplace": "Бюро переводов «Акме»",
    "position": "Младший редактор",
    "education": "Минский государственный лингвистический университет",
    "interests": "Поэзия Рильке, юридический перевод",
    "learning_goals": "Сдать экзамен Гёте B2 следующим летом",
}
MESSAGE = "Мечтаю читать Рильке в оригинале"
EMAILED = "Пожалуйста, исправьте мой номер телефона на +375 33 111 22 33"


def values() -> list[str]:
    """Everything the person told us; none of it is declared kept after erasure."""
    kept_fields = {"locale", "date_of_birth", "postal_code"}  # too short to be telling alone
    return [EMAIL, MESSAGE, EMAILED, *(v for k, v in PROFILE.items() if k not in kept_fields)]


@pytest.fixture
def person(app, client, staff_client, make_course, smtp):
    """A new user who has left something in every store the site has."""
    create_user(EMAIL, full_name=NAME, locale="ru")
    assert AuthActions(client).login(EMAIL).status_code == 302
    client.submit("/profile", PROFILE)
    photo_upload = (io.BytesIO(jpeg_with_exif((300, 200))), "я.jpg", "image/jpeg")
    client.submit("/profile/photo", {"photo": photo_upload}, content_type="multipart/form-data")
    user = db.session.scalar(select(User).where(User.email == EMAIL))
    db.session.add(
        Enrollment(
            user=user, course=make_course(), status=EnrollmentStatus.REQUESTED, message=MESSAGE
        )  # fmt: skip
    )
    db.session.commit()
    ask(client, "export")
    decide(staff_client, latest("export"))
    ingest(build("Personal Data Update", sender=f"{NAME} <{EMAIL}>", body=EMAILED), source="pipe")
    send_committed()

    instance = Path(app.instance_path)
    before = {finding.path for finding in scan_folder(instance, values())}
    # The scan does see the person everywhere they are before the erasure.
    assert any(path.startswith("exports/") and "!data.json" in path for path in before)
    assert any(path.startswith("intake/raw/") for path in before)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):  # the database is a file here
        assert any(path.startswith("school.sqlite3") for path in before)
    return client


def erase_in_the_privacy_centre(client, staff_client, smtp):
    ask(client, "erasure")
    decide(staff_client, latest("erasure"))


def erase_by_email_and_confirm(client, staff_client, smtp):
    smtp.clear()
    ingest(build("Personal Data Erasure", sender=f"{NAME} <{EMAIL}>", body="Удалите всё."),
           source="pipe")  # fmt: skip
    send_committed()
    client.submit(path_of(link_in(smtp.last_to(EMAIL), "/privacy/requests/confirm/")))
    request = latest("erasure")
    assert request.status is RequestStatus.AWAITING_REVIEW
    decide(staff_client, request)


def withdraw_consent(client, staff_client, smtp):
    ask(client, "withdraw_consent")
    decide(staff_client, latest("withdraw_consent"))


@pytest.mark.parametrize(
    "erase", [erase_in_the_privacy_centre, erase_by_email_and_confirm, withdraw_consent]
)
def test_no_file_under_the_instance_folder_holds_the_person_after_erasure(
    app, person, staff_client, smtp, erase
):
    erase(person, staff_client, smtp)
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.full_name == NAME)) is None

    instance = Path(app.instance_path)
    assert scan_folder(instance, values()) == []
    assert not list((instance / "exports").glob("*.zip"))
    assert not list((instance / "intake" / "raw").rglob("*.eml"))
    assert not list((instance / "photos").glob("*.jpg"))

    # The emailed messages keep only their hash, checks and a fingerprint of the sender.
    for message in db.session.scalars(select(IntakeMessage)):
        assert message.from_address.startswith("fp:")
        assert message.subject == "" and message.raw_path == "" and message.message_id is None
        assert len(message.sha256) == 64 and message.checks
    # Nothing of the person stays open in the staff queue, and no export is pointed at.
    for request in db.session.scalars(select(PrivacyRequest)):
        assert not request.is_open and request.open_key is None
        assert not request.outcome.get("export_file")
    erased = db.session.scalar(
        select(PrivacyRequest).where(
            PrivacyRequest.status == RequestStatus.COMPLETED,
            PrivacyRequest.type.in_([RequestType.ERASURE, RequestType.WITHDRAW_CONSENT]),
        )
    )
    history = " | ".join(event.note for event in erased.events)
    assert "export_archives: 1" in history and "intake_raw: " in history
    assert "photos: 1" in history and "open_requests_closed: 1" in history


def test_the_erasure_journal_holds_fingerprints_only(app, person, staff_client, smtp):
    erase_in_the_privacy_centre(person, staff_client, smtp)
    journal = Path(app.config["ERASURE_JOURNAL_FILE"])
    (entry,) = [json.loads(line) for line in journal.read_text().splitlines()]
    assert entry["user"].startswith("fp:") and entry["address"].startswith("fp:")
    assert entry["stores"]["export_archives"] == 1
    assert scan_bytes("journal", journal.read_bytes(), [*values(), NAME]) == []


def test_messages_to_the_person_leave_the_spool_and_the_outbox_keeps_only_their_state(
    make_app, smtp
):
    app = make_app(MAIL_SERVER="")  # no mail server: every message is written to the spool
    with app.app_context():
        staff = create_user("staff@example.com", full_name="Sofia Staff", role=Role.STAFF)
        create_user(EMAIL, full_name=NAME, locale="ru")
        client, staff_client = app.test_client(), app.test_client()
        AuthActions(client).login(EMAIL)
        AuthActions(staff_client).login(staff.email)
        ask(client, "access")
        decide(staff_client, latest("access"))
        spool = Path(app.config["MAIL_SPOOL_DIR"])
        assert scan_folder(spool, [NAME, EMAIL])

        erase_in_the_privacy_centre(client, staff_client, smtp)
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        goodbye = [row for row in rows if row.template == "privacy/erasure_done"]
        # Left in the spool: only the message that tells the person they were erased,
        # which the spool's declaration keeps (it is the delivery itself).
        assert [path.name for path in spool.glob("*.eml")] == [
            path.name for path in spool.glob(f"*-{goodbye[0].id:08d}.eml")
        ]
        assert stores.MAIL_SPOOL.keep_reason
        for row in rows:
            assert row.status is OutboxStatus.SENT
            assert EMAIL not in row.recipient and not row.text_body and not row.html_body
        db.session.remove()
        db.engine.dispose()


def test_messages_from_someone_else_whose_address_ends_the_same_way_are_kept(
    app, person, staff_client, smtp
):
    """Only the person's own messages go: ``xalyona…`` is somebody else."""
    other = f"x{EMAIL}"
    ingest(build("Re: out of office", sender=f"Other <{other}>",
                 headers={"X-Autoreply": "yes"}), source="pipe")  # fmt: skip
    erase_in_the_privacy_centre(person, staff_client, smtp)
    kept = db.session.scalars(select(IntakeMessage).where(IntakeMessage.raw_path != "")).all()
    assert [message.from_address for message in kept] == [f"Other <{other}>"]
    assert (Path(app.config["INTAKE_DIR"]) / kept[0].raw_path).exists()
