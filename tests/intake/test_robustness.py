"""Robots, loops, duplicates and broken mail never make requests, and nothing is lost."""

from __future__ import annotations

import io

import pytest

from school.extensions import db
from school.intake import services
from school.intake.models import IntakeOutcome
from school.intake.services import ingest, ingest_stream, raw_file, read_raw
from school.mail.services import send_committed
from tests.intake.conftest import build, intake_rows, privacy_requests

BOUNCE = (
    b"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
    b"To: school@lingua.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
    b"Message-ID: <bounce1@mx.example.org>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/plain\r\n\r\nPersonal Data Update could not be delivered.\r\n"
    b"--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n"
)


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Out of office"},
        {"Precedence": "bulk"},
        {"Precedence": "list"},
        {"Precedence": "junk"},
    ],
)
def test_auto_replies_are_ignored_and_answered_by_nothing(app, smtp, student, headers):
    ingest(build("Re: Personal Data Update", sender=student.email, headers=headers), source="pipe")
    send_committed()
    (row,) = intake_rows()
    assert row.outcome is IntakeOutcome.IGNORED
    assert privacy_requests() == []
    assert smtp.messages == []


def test_auto_submitted_no_is_a_person(app, student):
    ingest(build(sender=student.email, headers={"Auto-Submitted": "no"}), source="pipe")
    assert len(privacy_requests()) == 1


@pytest.mark.parametrize(
    "raw",
    [
        BOUNCE,
        build("Personal Data Update", sender="MAILER-DAEMON@mx.example.org"),
        build("Personal Data Update", sender="someone@example.org", headers={"Return-Path": "<>"}),
    ],
    ids=["multipart-report", "mailer-daemon", "empty-return-path"],
)
def test_bounces_are_ignored(app, smtp, raw):
    result = ingest(raw, source="pipe")
    send_committed()
    assert result.outcome is IntakeOutcome.IGNORED
    assert "bounce" in result.message.reason
    assert privacy_requests() == []
    assert smtp.messages == []


def test_our_own_confirmation_coming_back_is_not_answered(app, smtp, student):
    """A loop: our confirmation email is forwarded back to the privacy address."""
    ingest(build("Access to Personal Data", sender=student.email), source="pipe")
    send_committed()
    ours = smtp.last_to(student.email)
    smtp.clear()
    result = ingest(ours.as_bytes(), source="pipe")
    send_committed()
    assert result.outcome is IntakeOutcome.IGNORED
    assert "own" in result.message.reason
    assert len(privacy_requests()) == 1
    assert smtp.messages == []


def test_mail_from_our_sender_address_is_ignored(app, smtp):
    result = ingest(build("Personal Data Update", sender="school@lingua.example"), source="pipe")
    assert result.outcome is IntakeOutcome.IGNORED
    assert privacy_requests() == []


def test_the_same_message_id_twice_makes_one_request(app, smtp, student):
    raw = build("Personal Data Update", sender=student.email, message_id="<same@example.com>")
    first = ingest(raw, source="pipe")
    send_committed()
    second = ingest(raw.replace(b"Please update", b"Please, update"), source="imap")
    send_committed()
    assert not first.duplicate and second.duplicate
    assert len(intake_rows()) == 1
    assert len(privacy_requests()) == 1
    assert len(smtp.to(student.email)) == 1


def test_a_second_request_of_the_same_kind_joins_the_open_one(app, smtp, student):
    ingest(build("Personal Data Update", sender=student.email), source="pipe")
    second = ingest(build("Re: Personal Data Update", sender=student.email), source="pipe")
    send_committed()
    assert second.outcome is IntakeOutcome.REQUEST
    assert "joined" in second.message.reason
    assert len(privacy_requests()) == 1
    assert len(smtp.to(student.email)) == 1


MALFORMED = {
    "no-from": b"To: privacy@lingua.example\r\nSubject: Personal Data Update\r\n\r\nhello\r\n",
    "two-froms": b"From: a@example.org, b@example.org\r\nSubject: Unsubscribe\r\n\r\nx\r\n",
    "broken-mime": (
        b"From: a@example.org\r\nSubject: Personal Data Update\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="zzz"\r\n\r\nno boundary ever appears\r\n'
    ),
    "unknown-charset": (
        b"From: a@example.org\r\nSubject: Personal Data Update\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="x-no-such-charset"\r\n\r\nhello\r\n'
    ),
    "bad-utf8-body": (
        b"From: a@example.org\r\nSubject: Personal Data Update\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="utf-8"\r\n\r\n\xff\xfe\xfa broken\r\n'
    ),
    "unknown-header-encoding": (
        b"From: a@example.org\r\nSubject: =?x-bogus?Q?Personal_Data?=\r\n\r\nhello\r\n"
    ),
    "8bit-latin1-header": b"From: a@example.org\r\nSubject: Caf\xe9 donn\xe9es\r\n\r\nhello\r\n",
    "not-an-email": b"\x00\x01\x02 this is not a message at all \xff",
    "empty": b"",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_messages_are_quarantined_with_the_raw_bytes(app, smtp, name):
    raw = MALFORMED[name]
    result = ingest(raw, source="pipe")
    send_committed()
    assert result.outcome is IntakeOutcome.QUARANTINED, result.message.reason
    assert result.message.reason
    assert read_raw(result.message) == raw
    assert privacy_requests() == []
    assert smtp.messages == []


def test_raw_utf8_headers_from_modern_clients_are_read(app):
    raw = (
        "From: Иван <ivan@example.ru>\r\nSubject: Отзыв согласия на обработку персональных "
        "данных\r\nMessage-ID: <u8@example.ru>\r\n\r\nПрошу прекратить.\r\n"
    ).encode()
    result = ingest(raw, source="pipe")
    assert result.outcome is IntakeOutcome.REQUEST
    assert result.message.subject.startswith("Отзыв согласия")


def test_nul_characters_are_left_out_of_what_is_stored_but_kept_in_the_raw_bytes(app):
    """PostgreSQL refuses NUL in text; a message carrying one is still taken."""
    raw = (
        b"From: a@example.org\r\nSubject: Personal Data\x00 Update\r\n"
        b"Message-ID: \x00nul@example.org>\r\n\r\nPhone: 1\x00\r\n"
    )
    result = ingest(raw, source="pipe")
    assert result.outcome is IntakeOutcome.REQUEST
    assert result.message.subject == "Personal Data Update"
    assert result.message.message_id == "nul@example.org>"
    assert read_raw(result.message) == raw


class CountingStream(io.RawIOBase):
    """A 30 MB message produced on demand, remembering the largest single read."""

    def __init__(self, size: int):
        self.remaining = size
        self.largest = 0
        self.header = build("Personal Data Update", sender="big@example.org")

    def read(self, size=-1):
        assert size is not None and size >= 0, "the whole message must never be read at once"
        chunk = self.header[:size]
        self.header = self.header[len(chunk) :]
        if len(chunk) < size:
            filler = min(size - len(chunk), self.remaining)
            chunk += b"A" * filler
            self.remaining -= filler
        self.largest = max(self.largest, len(chunk))
        return chunk


def test_a_30_mb_message_is_quarantined_without_reading_it_whole(app):
    limit = app.config["INTAKE_MAX_BYTES"]
    stream = CountingStream(30 * 1024 * 1024)
    result = ingest_stream(stream, source="pipe")
    assert result.outcome is IntakeOutcome.QUARANTINED
    assert "limit" in result.message.reason
    assert stream.largest <= limit + 1
    assert raw_file(result.message).stat().st_size == result.message.size > 30 * 1024 * 1024
    assert privacy_requests() == []


def test_an_error_anywhere_quarantines_with_the_error_text(app, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("the requests table is on fire")

    monkeypatch.setattr(services.privacy_requests, "submit_request", explode)
    raw = build("Personal Data Update", sender="someone@example.org")
    result = ingest(raw, source="pipe")
    assert result.outcome is IntakeOutcome.QUARANTINED
    assert "the requests table is on fire" in result.message.reason
    assert read_raw(result.message) == raw


def test_attachments_are_kept_up_to_the_limit_and_never_opened(make_app, smtp):
    app = make_app(INTAKE_ATTACHMENTS_MAX_BYTES=1000)
    with app.app_context():
        raw = build(
            "Personal Data Update",
            sender="someone@example.org",
            attachments=[
                ("passport.pdf", "application/pdf", b"%PDF-1.4 small"),
                ("photo.jpg", "image/jpeg", b"\xff\xd8" + b"x" * 5000),
            ],
        )
        result = ingest(raw, source="pipe")
        small, large = result.message.attachments
        assert small["filename"] == "passport.pdf" and small["stored"]
        stored = services.intake_dir() / small["stored"]
        assert stored.read_bytes() == b"%PDF-1.4 small"
        assert large["filename"] == "photo.jpg" and large["stored"] is None
        assert result.outcome is IntakeOutcome.REQUEST
        db.session.remove()
        db.engine.dispose()
