"""Someone without an account exercises their rights by email, as an account holder does.

Vera never signed up. She subscribed to the newsletter (a sign-up, a consent in the ledger,
emails we sent her), a message to her once bounced (a suppression), and she wrote to the
privacy mailbox. Her emailed requests act only once she confirms them from her mailbox; then
the access report, the export (its link mailed to her address) and erasure act on everything
tied to that address, through the same registry code that serves account holders, and blocking
holds the newsletter to her address, keeping her data, until she asks to unblock it.
"""

from __future__ import annotations

import email
import email.policy
import html
import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from school.accounts.models import Role, User
from school.backups import reapply_erasures
from school.database import utcnow
from school.extensions import db
from school.intake.models import IntakeMessage
from school.intake.services import ingest
from school.mail.models import OutboxMessage, SuppressedAddress
from school.mail.services import deliver, send_committed, suppress
from school.newsletter.models import Subscriber
from school.newsletter.services import queue_campaign, save_campaign, withdraw_address
from school.privacy.consent.models import ConsentRecord
from school.privacy.data import retention
from school.privacy.data.personal_data import fingerprint
from school.privacy.requests.lifecycle import expire_unconfirmed
from school.privacy.requests.models import PrivacyRequest, RequestStatus
from school.profile.models import StaffAccess
from tests.conftest import AuthActions, create_user, link_in, path_of, text_of
from tests.intake.conftest import build
from tests.privacy.helpers import ask, decide, latest
from tests.privacy.scanner import scan_folder

NAME = "Вера Почтовая"
EMAIL = "vera.pochtovaya@example.net"
SENDER = f"{NAME} <{EMAIL}>"
WROTE = "Sometimes the lilac newsletter reaches me twice"
BOUNCE = "550 mailbox of the lilac reader is full"


def values() -> list[str]:
    """What Vera gave us; erasure keeps none of it readable."""
    return [EMAIL, NAME, WROTE]


def write(subject: str, body: str = "Please.") -> PrivacyRequest:
    """Vera writes to the privacy mailbox; the confirmation goes out."""
    ingest(build(subject, sender=SENDER, body=body), source="pipe")
    send_committed()
    return latest()


def confirm(client, smtp) -> PrivacyRequest:
    """Vera opens the link in her mailbox (nothing happens) and presses its button."""
    path = path_of(link_in(smtp.last_to(EMAIL), "/privacy/requests/confirm/"))
    page = client.get(path)
    assert page.status_code == 200 and "Confirm my request" in page.text
    assert latest().status is RequestStatus.AWAITING_CONFIRMATION
    client.submit(path)
    confirmed = latest()
    assert confirmed.status is RequestStatus.AWAITING_REVIEW and confirmed.user_id is None
    return confirmed


@pytest.fixture
def vera(app, client, smtp):
    """A newsletter subscriber without an account who has also written to us."""
    client.submit("/newsletter", {"email": EMAIL, "language": "en"})
    client.submit(path_of(link_in(smtp.last_to(EMAIL), "/newsletter/confirm/")))
    suppress(EMAIL, BOUNCE)
    db.session.commit()
    write("A question about my data", body=WROTE)
    db.session.expire_all()
    assert db.session.scalar(select(Subscriber).where(Subscriber.email == EMAIL)).is_active
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == EMAIL)) == 0
    return client


def export_by_email(client, staff_client, smtp) -> dict:
    """Vera asks for her data by email, confirms, staff approve; the tables she downloads."""
    write("Personal Data Export")
    request = confirm(client, smtp)
    assert "Done; the person is told by email." in decide(staff_client, request)
    message = smtp.last_to(EMAIL)
    assert message["Subject"] == "Your data export is ready"
    text = text_of(message)
    assert "Sign in" not in text and "/privacy/centre" not in text  # she has no account
    link = path_of(link_in(message, "/privacy/exports/by-email/"))
    response = client.application.test_client().get(link)  # no session, no account
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Cache-Control"] == "private, no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert EMAIL in archive.read("index.html").decode()
    return json.loads(archive.read("data.json"))["tables"]


def test_the_export_holds_everything_tied_to_the_address(vera, staff_client, smtp):
    data = export_by_email(vera, staff_client, smtp)

    assert "user" not in data and "profile" not in data  # there is no account
    assert [row["email"] for row in data["newsletter_subscriber"]] == [EMAIL]
    assert data["newsletter_subscriber"][0]["confirmed_at"]
    assert [(c["email"], c["purpose"], c["action"]) for c in data["consent_record"]] == [
        (EMAIL, "marketing", "given")
    ]
    assert [row["email"] for row in data["mail_suppression"]] == [EMAIL]
    assert {r["type"] for r in data["privacy_request"]} == {"inquiry", "export"}
    assert {r["subject_email"] for r in data["privacy_request"]} == {EMAIL}
    assert WROTE in {r["details"] for r in data["privacy_request"]}
    assert data["privacy_request_event"]  # each request's history, under it
    assert {m["subject"] for m in data["intake_message"]} == {
        "A question about my data",
        "Personal Data Export",
    }
    assert all(EMAIL in m["from_address"] for m in data["intake_message"])
    subjects = {m["subject"] for m in data["outbox_message"]}
    assert {"Confirm your newsletter subscription", "Please confirm your privacy request"} <= (
        subjects
    )
    assert {m["recipient"] for m in data["outbox_message"]} == {EMAIL}
    # The staff member who decided looked at her data, and she is told so.
    assert {a["subject_email"] for a in data["staff_access"]} == {EMAIL}
    assert "privacy_request" in {a["page"] for a in data["staff_access"]}


def test_staff_see_an_address_only_request_and_their_look_is_logged(
    vera, staff_client, staff, smtp
):
    write("Personal Data Export")
    request = confirm(vera, smtp)
    queue = staff_client.get("/admin/privacy/")
    assert queue.status_code == 200 and request.public_id in queue.text
    assert EMAIL not in queue.text and "an address, no account" in queue.text
    detail = html.unescape(staff_client.get(f"/admin/privacy/{request.public_id}").text)
    assert "no account" in detail and "Access, export and erasure act on everything" in detail

    emailed = db.session.scalar(select(IntakeMessage).where(IntakeMessage.request_id == request.id))
    assert staff_client.get(f"/admin/intake/{emailed.public_id}").status_code == 200

    looks = db.session.scalars(
        select(StaffAccess).where(StaffAccess.subject_email == EMAIL).order_by(StaffAccess.id)
    ).all()
    assert [(look.staff_id, look.subject_id, look.page) for look in looks] == [
        (staff.id, None, "privacy_request"),
        (staff.id, None, "intake_message"),
    ]


def test_the_access_report_is_about_what_is_held_for_the_address(vera, staff_client, smtp):
    write("Access to Personal Data")
    request = confirm(vera, smtp)
    decide(staff_client, request)
    report = text_of(smtp.last_to(EMAIL))
    assert "Here is how we process the data we hold tied to this address." in report
    for held in ("Newsletter sign-ups", "Consents given and withdrawn", "Emails we sent you",
                 "Addresses we stopped mailing", "Privacy requests"):  # fmt: skip
        assert f"- {held}:" in report, held
    assert "Your account" not in report and "/privacy/centre" not in report


def erase_by_email(client, staff_client, smtp, subject) -> PrivacyRequest:
    write(subject)
    request = confirm(client, smtp)
    decide(staff_client, request)
    return request


@pytest.mark.parametrize(
    "subject", ["Personal Data Erasure", "Withdrawal of Consent to Personal Data Processing"]
)
def test_erasure_leaves_nothing_of_the_address_in_any_file(app, vera, staff_client, smtp, subject):
    export_by_email(vera, staff_client, smtp)  # an archive waiting in instance/exports
    instance = Path(app.instance_path)
    before = {finding.path for finding in scan_folder(instance, values())}
    assert any(path.startswith("exports/") for path in before)
    assert any(path.startswith("intake/raw/") for path in before)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert any(path.startswith("school.sqlite3") for path in before)

    request = erase_by_email(vera, staff_client, smtp, subject)

    goodbye = smtp.last_to(EMAIL)
    assert goodbye["Subject"] == "Your data has been erased"
    assert "we have erased the data tied to this address" in text_of(goodbye)
    assert "Your account is closed" not in text_of(goodbye)

    # Every file the site wrote, read as raw bytes in every encoding: nothing of her.
    assert scan_folder(instance, values()) == []
    assert not list((instance / "exports").glob("*.zip"))
    assert not list((instance / "intake" / "raw").rglob("*.eml"))

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    # What stays is what the registry keeps, with its reason: keyed fingerprints.
    address = fingerprint(EMAIL)
    visitors = select(ConsentRecord).where(ConsentRecord.user_id.is_(None))
    assert {c.email for c in db.session.scalars(visitors)} == {address}
    assert {m.from_address for m in db.session.scalars(select(IntakeMessage))} == {address}
    assert {r.subject_email for r in db.session.scalars(select(PrivacyRequest))} == {address}
    assert {a.subject_email for a in db.session.scalars(select(StaffAccess))} == {address}
    assert all(EMAIL not in m.recipient for m in db.session.scalars(select(OutboxMessage)))
    for row in db.session.scalars(select(PrivacyRequest)):
        assert not row.is_open and not row.outcome.get("export_file")
    done = db.session.get(PrivacyRequest, request.id)
    assert done.status is RequestStatus.COMPLETED and done.outcome["erased"]
    history = " | ".join(event.note for event in done.events)
    assert "export_archives: 1" in history and "intake_raw: 3" in history

    # Journaled, so a backup restored later erases her again: fingerprints, no value.
    journal = Path(app.config["ERASURE_JOURNAL_FILE"]).read_text().splitlines()
    (entry,) = [json.loads(line) for line in journal]
    assert entry["user"] == "" and entry["address"] == address
    assert entry["rows_deleted"]["newsletter_subscriber"] == 1
    assert entry["rows_deleted"]["mail_suppression"] == 1


def test_the_journal_erases_the_address_again_when_a_restore_brings_it_back(
    app, vera, staff_client, smtp
):
    """As after ``pg_restore`` and ``flask reapply-erasures``: rows of the address that a
    restored copy brought back are found by the address and erased again."""
    erase_by_email(vera, staff_client, smtp, "Personal Data Erasure")
    db.session.add(Subscriber(email=EMAIL, locale="en"))
    suppress(EMAIL, BOUNCE)
    db.session.commit()

    assert reapply_erasures(since=None) == 1
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    assert db.session.scalar(select(func.count()).select_from(SuppressedAddress)) == 0
    assert len(Path(app.config["ERASURE_JOURNAL_FILE"]).read_text().splitlines()) == 1


@pytest.mark.sqlite_only  # flask backup and restore copy the SQLite file
def test_a_restored_backup_erases_the_address_again(app, runner, vera, staff_client, smtp):
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    erase_by_email(vera, staff_client, smtp, "Personal Data Erasure")
    (backup,) = sorted((Path(app.instance_path) / "backups").glob("*.sqlite3"))

    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert "re-applied: 1" in result.output
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    findings = {f.path for f in scan_folder(Path(app.instance_path), values())}
    assert findings and all(path.startswith("backups/") for path in findings)


def test_an_unconfirmed_request_gets_nothing(app, vera, client, staff_client, smtp):
    """A From header proves nothing: until the link is used, no data leaves in any email."""
    smtp.clear()
    request = write("Personal Data Export")
    assert "changed after the page was loaded" in decide(staff_client, request)
    db.session.expire_all()
    assert latest().status is RequestStatus.AWAITING_CONFIRMATION

    (confirmation,) = smtp.to(EMAIL)
    assert confirmation["Subject"] == "Please confirm your privacy request"
    for held in ("newsletter", "lilac", "bounce", "consent"):
        assert held not in text_of(confirmation).lower(), held
    assert not list((Path(app.instance_path) / "exports").glob("*.zip"))

    # The link is never used: the request expires, still without anything sent.
    assert expire_unconfirmed(now=utcnow() + timedelta(hours=73)) == 2
    assert latest().status is RequestStatus.EXPIRED
    assert [m["Subject"] for m in smtp.to(EMAIL)] == ["Please confirm your privacy request"]


def test_the_confirmation_does_not_tell_whether_the_address_is_known(app, vera, make_user, smtp):
    """The same words, in the language the message was written in, whether the address has
    an account (whose own language is Russian), data without an account, or nothing."""
    make_user("student@example.com", locale="ru")
    smtp.clear()
    for sender in (EMAIL, "student@example.com", "nobody@example.org"):
        ingest(build("Personal Data Export", sender=sender), source="pipe")
    send_committed()

    def shape(address):
        message = smtp.last_to(address)
        text = re.sub(r"https?://\S+", "LINK", text_of(message))
        return message["Subject"], re.sub(r"(eference: )\S+", r"\1REF", text)

    assert shape(EMAIL) == shape("student@example.com") == shape("nobody@example.org")


def test_an_address_export_link_opens_that_export_only(
    app, vera, staff_client, student, student_client, smtp
):
    data = export_by_email(vera, staff_client, smtp)
    assert data
    link = path_of(link_in(smtp.last_to(EMAIL), "/privacy/exports/by-email/"))
    stranger = app.test_client()
    tampered = link[:-3] + ("abc" if not link.endswith("abc") else "xyz")
    assert stranger.get(tampered).status_code == 404

    # An account's export link is of another kind: it opens nothing without its owner.
    ask(student_client, "export")
    decide(staff_client, latest("export"))
    account_link = path_of(link_in(smtp.last_to(student.email), "/privacy/exports/"))
    token = account_link.rsplit("/", 1)[1]
    assert stranger.get(f"/privacy/exports/by-email/{token}").status_code == 404
    assert stranger.get(account_link).status_code == 302  # asked to sign in
    AuthActions(stranger).login(student.email)
    assert stranger.get(account_link).status_code == 200


def test_an_account_made_since_the_request_is_not_half_erased(vera, staff_client, make_user, smtp):
    """Vera signs up after writing: erasing by the address alone would erase part of her
    account, so staff are told to ask her again and nothing changes."""
    write("Personal Data Erasure")
    request = confirm(vera, smtp)
    make_user(EMAIL, full_name=NAME)
    page = decide(staff_client, request)
    assert "An account now uses this address" in page
    db.session.expire_all()
    assert latest().status is RequestStatus.AWAITING_REVIEW
    assert db.session.scalar(select(Subscriber).where(Subscriber.email == EMAIL)) is not None
    assert smtp.last_to(EMAIL)["Subject"] != "Your data has been erased"


def spooled(app, address: str) -> list[tuple[Path, email.message.EmailMessage]]:
    """The messages to ``address`` in the mail spool, oldest first."""
    found = []
    for path in sorted(Path(app.config["MAIL_SPOOL_DIR"]).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address in str(message["To"]):
            found.append((path, message))
    return found


def test_with_no_mail_server_only_the_goodbye_stays_in_the_spool(make_app, smtp):
    """Without a mail server the spool is the delivery: every message to Vera leaves it, but
    the one telling her she was erased, which the spool's declaration keeps."""
    app = make_app(MAIL_SERVER="")
    with app.app_context():
        staff = create_user("staff@example.com", full_name="Sofia Staff", role=Role.STAFF)
        client, staff_client = app.test_client(), app.test_client()
        AuthActions(staff_client).login(staff.email)
        client.submit("/newsletter", {"email": EMAIL, "language": "en"})
        (_, confirmation), *_ = spooled(app, EMAIL)
        client.submit(path_of(link_in(confirmation, "/newsletter/confirm/")))
        ingest(build("Personal Data Erasure", sender=SENDER, body=WROTE), source="pipe")
        send_committed()
        _, confirmation = spooled(app, EMAIL)[-1]
        client.submit(path_of(link_in(confirmation, "/privacy/requests/confirm/")))
        assert len(spooled(app, EMAIL)) == 2

        decide(staff_client, latest("erasure"))

        ((path, goodbye),) = spooled(app, EMAIL)
        assert goodbye["Subject"] == "Your data has been erased"
        instance = Path(app.instance_path)
        findings = {finding.path for finding in scan_folder(instance, values())}
        assert findings == {path.relative_to(instance).as_posix()}
        db.session.remove()
        db.engine.dispose()


def test_a_sign_up_kept_only_as_a_fingerprint_is_still_hers(app, vera, staff_client, smtp):
    """Long after she unsubscribed, the sign-up keeps only a fingerprint of her address: her
    export still shows it, and her erasure still reaches it."""
    withdraw_address(EMAIL, method="unsubscribe link")
    db.session.execute(
        Subscriber.__table__.update().values(unsubscribed_at=utcnow() - timedelta(days=31))
    )
    db.session.commit()
    retention.run()
    stored = db.session.execute(select(Subscriber.__table__.c.email)).scalars().all()
    assert stored == [fingerprint(EMAIL)]

    data = export_by_email(vera, staff_client, smtp)
    assert [row["email"] for row in data["newsletter_subscriber"]] == [fingerprint(EMAIL)]

    erase_by_email(vera, staff_client, smtp, "Personal Data Erasure")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0


FRIEND = "lilac.friend@example.org"


def newsletter(staff, subject: str) -> str:
    """Staff queue a newsletter to everyone in its audience (it waits in the outbox)."""
    campaign = save_campaign(None, subject=subject, body="Lilac news.", language="en", author=staff)
    assert queue_campaign(campaign, staff)
    return subject


def newsletters_to(smtp, address: str) -> list[str]:
    return [m["Subject"] for m in smtp.to(address) if m["Subject"].startswith("Lilac")]


def test_blocking_holds_the_newsletter_to_the_address_until_unblocked(
    client, staff, staff_client, smtp
):
    """Vera, a subscriber whose mail server never refused us, blocks her data by email: no
    newsletter reaches her (not even one queued before), her sign-up stays as it was, and the
    emails about her requests still come. Unblocking brings the newsletter back."""
    client.submit("/newsletter", {"email": EMAIL, "language": "en"})
    client.submit(path_of(link_in(smtp.last_to(EMAIL), "/newsletter/confirm/")))
    db.session.add(Subscriber(email=FRIEND, locale="en", confirmed_at=utcnow()))
    db.session.commit()
    queued_before = newsletter(staff, "Lilac news queued before the block")

    write("Blocking of Personal Data")
    blocking = confirm(client, smtp)
    assert "Done; the person is told by email." in decide(staff_client, blocking)
    assert smtp.last_to(EMAIL)["Subject"] == "Your privacy request is done"
    during = newsletter(staff, "Lilac news during the block")
    deliver()

    assert newsletters_to(smtp, FRIEND) == [queued_before, during]
    assert newsletters_to(smtp, EMAIL) == []
    db.session.expire_all()
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == EMAIL))
    assert subscriber.is_active and subscriber.restricted_at is not None  # kept, held
    marketing = select(ConsentRecord).where(ConsentRecord.email == EMAIL)
    assert [c.action.value for c in db.session.scalars(marketing)] == ["given"]
    done = db.session.get(PrivacyRequest, blocking.id)
    assert done.status is RequestStatus.COMPLETED and done.outcome["address_restricted"]

    data = export_by_email(client, staff_client, smtp)  # the block is in her export
    (sign_up,) = data["newsletter_subscriber"]
    assert sign_up["restricted_at"] and sign_up["confirmed_at"]
    assert {"blocking", "export"} <= {r["type"] for r in data["privacy_request"]}

    write("Unblocking of Personal Data")
    unblocking = confirm(client, smtp)
    assert "Done; the person is told by email." in decide(staff_client, unblocking)
    assert smtp.last_to(EMAIL)["Subject"] == "Your privacy request is done"
    after = newsletter(staff, "Lilac news after the block")
    deliver()

    assert newsletters_to(smtp, EMAIL) == [after]
    assert newsletters_to(smtp, FRIEND) == [queued_before, during, after]
    db.session.expire_all()
    assert (
        db.session.scalar(select(Subscriber.restricted_at).where(Subscriber.email == EMAIL)) is None
    )


def test_an_account_made_since_a_blocking_request_is_asked_again(
    vera, staff_client, make_user, smtp
):
    """Blocking the address alone would leave her new account unblocked: staff ask again."""
    write("Blocking of Personal Data")
    request = confirm(vera, smtp)
    make_user(EMAIL, full_name=NAME)
    assert "An account now uses this address" in decide(staff_client, request)
    db.session.expire_all()
    assert latest().status is RequestStatus.AWAITING_REVIEW
    assert (
        db.session.scalar(select(Subscriber.restricted_at).where(Subscriber.email == EMAIL)) is None
    )
