"""Helpers for the email intake tests: building messages, reading what became of them."""

from __future__ import annotations

import os
import shutil
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from sqlalchemy import select

from school.database import utcnow
from school.extensions import db
from school.intake.models import IntakeMessage
from school.privacy.requests.models import PrivacyRequest
from tests.intake.dovecot import DOVECOT, Dovecot


def build(
    subject: str = "Personal Data Update",
    *,
    sender: str = "Sam Student <student@example.com>",
    body: str = "Please update my phone.",
    html: str | None = None,
    html_only: bool = False,
    headers: dict | None = None,
    message_id: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> bytes:
    """A message as a mail client would send it to the school."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "privacy@lingua.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id or make_msgid(domain="example.com")
    for name, value in (headers or {}).items():
        message[name] = value
    if html_only:
        message.set_content(html or f"<p>{body}</p>", subtype="html")
    else:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    for filename, content_type, payload in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def intake_rows() -> list[IntakeMessage]:
    return list(db.session.scalars(select(IntakeMessage).order_by(IntakeMessage.id)))


def privacy_requests() -> list[PrivacyRequest]:
    return list(db.session.scalars(select(PrivacyRequest).order_by(PrivacyRequest.id)))


@pytest.fixture
def dovecot():
    """A real Dovecot on a free port. CI installs it; without it these tests cannot run,
    and in CI (``SCHOOL_CI`` set by ``.ci/run``) its absence is a failure, never a skip."""
    if shutil.which(DOVECOT) is None and not os.path.exists(DOVECOT):
        if os.environ.get("SCHOOL_CI"):
            pytest.fail("dovecot-imapd is missing in CI")
        pytest.skip("dovecot-imapd is not installed")
    server = Dovecot().start()
    yield server
    server.stop()


MALFORMED_SAMPLE = (
    b"From: a@example.org\r\nSubject: Personal Data Update\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: text/plain; charset="x-no-such-charset"\r\n\r\nhello\r\n'
)


@pytest.fixture(autouse=True)
def _every_file_is_declared(instance_audit):
    """Every intake test leaves only files a declared store accounts for (``instance_audit``)."""
