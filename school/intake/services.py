"""Turning one emailed message into a privacy request, or an ignored or quarantined record.

Every way mail comes in (the MTA pipe, IMAP, a maildir) hands raw bytes to :func:`ingest`.
The raw message is written to disk before anything is decided, each message is one
transaction, and whatever goes wrong inside ends as a quarantined row with the error as its
reason: only a database that cannot be written at all (:class:`TemporaryFailure`) makes the
caller keep the message and try again later.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from school.accounts.services import find_user_by_email
from school.database import utcnow
from school.extensions import db
from school.files import open_private, private_folder
from school.intake import parsing
from school.intake.models import IntakeMessage, IntakeOutcome
from school.privacy.data.personal_data import Subject, fingerprint
from school.privacy.data.retention import count_where
from school.privacy.requests import lifecycle as privacy_requests
from school.privacy.requests.models import PrivacyRequest, RequestChannel, RequestType
from school.privacy.requests.retention_rules import closed_before

CHUNK = 1024 * 1024
DETAILS_MAX_CHARS = 20_000
OUTBOX_HEADER = "X-School-Outbox"  # added by school.mail to everything we send


class TemporaryFailure(Exception):
    """The message could not be recorded now (e.g. the database is locked); try again later."""


@dataclass
class IntakeResult:
    """What became of one message.

    ``outcome`` is kept as it was decided: the commit expires the row, and reading it there
    would load the whole row again for every message a source counts and files away.
    """

    message: IntakeMessage
    outcome: IntakeOutcome
    duplicate: bool = False


def intake_dir() -> Path:
    return Path(current_app.config["INTAKE_DIR"])


def raw_file(message: IntakeMessage) -> Path:
    return intake_dir() / message.raw_path


def read_raw(message: IntakeMessage, limit: int | None = None) -> bytes:
    with open(raw_file(message), "rb") as handle:
        return handle.read(limit if limit is not None else -1)


# --- the entry points -------------------------------------------------------------------------


def ingest(raw: bytes, *, source: str) -> IntakeResult:
    """Take one message given as bytes."""
    return ingest_stream(io.BytesIO(raw), source=source)


def ingest_stream(stream: BinaryIO, *, source: str) -> IntakeResult:
    """Take one message from a stream, reading at most the size limit plus one byte into memory.

    What lies beyond the limit is copied to disk in chunks, so an oversized message is kept
    whole for staff without ever being held in memory.
    """
    limit = current_app.config["INTAKE_MAX_BYTES"]
    head = stream.read(limit + 1)
    oversized = len(head) > limit
    public_id = secrets.token_urlsafe(16)
    relative, size, digest = _store_raw(public_id, head, stream if oversized else None)
    try:
        return _record(public_id, relative, size, digest, head, oversized, source)
    except TemporaryFailure:
        (intake_dir() / relative).unlink(missing_ok=True)
        raise


# --- storing ----------------------------------------------------------------------------------


def _store_raw(public_id: str, head: bytes, rest: BinaryIO | None) -> tuple[str, int, str]:
    """Write the raw message (atomically) before anything else happens to it."""
    month = utcnow().strftime("%Y-%m")
    relative = f"raw/{month}/{public_id}.eml"
    target = intake_dir() / relative
    private_folder(target.parent)
    temporary = target.with_name(f".{target.name}.tmp")
    digest = hashlib.sha256(head)
    size = len(head)
    with open_private(temporary) as handle:
        handle.write(head)
        while rest is not None:
            chunk = rest.read(CHUNK)
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
            handle.write(chunk)
    os.replace(temporary, target)
    return relative, size, digest.hexdigest()


def _store_attachments(public_id: str, attachments: list[parsing.Attachment]) -> list[dict]:
    """Keep attachments as opaque files, up to the configured total; never open them."""
    budget = current_app.config["INTAKE_ATTACHMENTS_MAX_BYTES"]
    folder = intake_dir() / "attachments" / public_id
    kept = []
    for number, attachment in enumerate(attachments, start=1):
        size = len(attachment.payload)
        entry = {
            "filename": attachment.filename,
            "content_type": attachment.content_type[:100],
            "size": size,
            "stored": None,
        }
        if size <= budget:
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{number:03d}.bin"
            (folder / name).write_bytes(attachment.payload)
            entry["stored"] = f"attachments/{public_id}/{name}"
            budget -= size
        kept.append(entry)
    return kept


# --- deciding ---------------------------------------------------------------------------------


def _dedupe_key(message_id: str | None, digest: str) -> str:
    if message_id:
        return "m:" + hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()
    return "h:" + digest


def _safe_header(message, name: str) -> str:
    """A header for display even when it cannot be decoded properly."""
    try:
        return parsing.header_text(message, name)[:1000]
    except parsing.Unreadable:
        raw = str(message.get(name, ""))
        return raw.encode("ascii", "backslashreplace").decode("ascii")[:1000]
    except Exception:  # noqa: BLE001 (a header we cannot even print must not stop us)
        return ""


def _our_addresses() -> set[str]:
    config = current_app.config
    addresses = {parsing.address_of(config["MAIL_DEFAULT_SENDER"])}
    addresses.add(parsing.address_of(config.get("PRIVACY_CONTACT_EMAIL") or ""))
    addresses.update(a.lower() for a in config["INTAKE_OWN_ADDRESSES"])
    return {a for a in addresses if a}


# Built once: made afresh for every message, these cost more to build (and to find in
# SQLAlchemy's cache) than to run.
_BY_DEDUPE_KEY = select(IntakeMessage).where(IntakeMessage.dedupe_key == bindparam("key"))


def _record(public_id, relative, size, digest, head, oversized, source) -> IntakeResult:
    try:
        message = parsing.parse_bytes(head)
        message_id = parsing.message_id(message)
    except Exception:  # noqa: BLE001 (even the headers are unreadable)
        message, message_id = None, None
    key = _dedupe_key(message_id, digest)
    try:
        existing = db.session.scalar(_BY_DEDUPE_KEY, {"key": key})
    except OperationalError as error:
        db.session.rollback()
        raise TemporaryFailure(str(error)) from error
    if existing is not None:
        (intake_dir() / relative).unlink(missing_ok=True)
        return IntakeResult(existing, existing.outcome, duplicate=True)

    row = IntakeMessage(
        public_id=public_id,
        dedupe_key=key,
        message_id=message_id,
        from_address=_safe_header(message, "From") if message is not None else "",
        subject=_safe_header(message, "Subject") if message is not None else "",
        received_at=utcnow(),
        source=source,
        size=size,
        sha256=digest,
        raw_path=relative,
        checks={},
        attachments=[],
    )
    try:
        _decide(row, message, oversized)
        outcome = row.outcome
        db.session.add(row)
        db.session.commit()
    except OperationalError as error:
        db.session.rollback()
        raise TemporaryFailure(str(error)) from error
    except Exception as error:  # noqa: BLE001 (the boundary: keep the message, say why)
        db.session.rollback()
        if isinstance(error, IntegrityError) and _recorded(key):
            return _after_race(key, relative)
        current_app.logger.exception("intake: message %s quarantined after an error", public_id)
        row = _fresh_copy(row)
        outcome = IntakeOutcome.QUARANTINED
        row.outcome = outcome
        row.reason = f"could not be processed: {type(error).__name__}: {error}"[:2000]
        row.request_id = None
        try:
            db.session.add(row)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return _after_race(key, relative)
        except Exception as second:  # noqa: BLE001
            db.session.rollback()
            raise TemporaryFailure(f"{type(second).__name__}: {second}") from second
    return IntakeResult(row, outcome)


def _recorded(key: str) -> bool:
    return (
        db.session.scalar(select(IntakeMessage.id).where(IntakeMessage.dedupe_key == key))
        is not None
    )


def _after_race(key: str, relative: str) -> IntakeResult:
    """Another process recorded the same message first: that one stands."""
    (intake_dir() / relative).unlink(missing_ok=True)
    existing = db.session.scalar(_BY_DEDUPE_KEY, {"key": key})
    if existing is None:
        raise TemporaryFailure("a conflicting message row vanished")
    return IntakeResult(existing, existing.outcome, duplicate=True)


def _fresh_copy(row: IntakeMessage) -> IntakeMessage:
    return IntakeMessage(
        public_id=row.public_id,
        dedupe_key=row.dedupe_key,
        message_id=row.message_id,
        from_address=row.from_address,
        subject=row.subject,
        received_at=row.received_at,
        source=row.source,
        size=row.size,
        sha256=row.sha256,
        raw_path=row.raw_path,
        checks=dict(row.checks or {}),
        attachments=list(row.attachments or []),
        dkim=row.dkim,
        dmarc=row.dmarc,
    )


def _quarantine(row: IntakeMessage, reason: str) -> None:
    row.outcome = IntakeOutcome.QUARANTINED
    row.reason = reason[:2000]


def _ignore(row: IntakeMessage, reason: str) -> None:
    row.outcome = IntakeOutcome.IGNORED
    row.reason = reason[:2000]


def _decide(row: IntakeMessage, message, oversized: bool) -> None:
    """Fill in the outcome; makes the privacy request (and queues its email) when there is one."""
    limit = current_app.config["INTAKE_MAX_BYTES"]
    if oversized:
        return _quarantine(row, f"larger than the {limit} byte limit ({row.size} bytes)")
    if message is None:
        return _quarantine(row, "not a readable email message")
    if not row.message_id:
        row.checks["message_id"] = "missing: duplicates recognised by content only"

    verdicts = parsing.authentication_verdicts(message, current_app.config["INTAKE_AUTHSERV_ID"])
    row.dkim = verdicts.get("dkim")
    row.dmarc = verdicts.get("dmarc")
    if verdicts:
        row.checks["authentication"] = verdicts

    try:
        sender = parsing.sender_address(message)
    except parsing.Unreadable:
        sender = None
    if message.get(OUTBOX_HEADER) is not None or (sender and sender in _our_addresses()):
        return _ignore(row, "our own outgoing mail")
    reason = parsing.bounce_reason(message, sender) or parsing.automatic_reason(message)
    if reason:
        return _ignore(row, reason)

    try:
        parsed = parsing.read_message(message)
    except parsing.Unreadable as error:
        return _quarantine(row, str(error))
    row.attachments = _store_attachments(row.public_id, parsed.attachments)
    _make_request(row, parsed)


def _language(parsed: parsing.Parsed) -> str:
    """The language the person wrote in: the confirmation answers in it whether or not the
    address has an account, so nothing in it tells whether we know the address."""
    if re.search(r"[А-Яа-яЁё]", parsed.subject + parsed.text[:2000]):
        return "ru"
    return "en"


def _make_request(row: IntakeMessage, parsed: parsing.Parsed) -> None:
    kind = parsing.classify(parsed.subject)
    user = find_user_by_email(parsed.sender)
    row.checks["account"] = "matches an account" if user is not None else "no account"
    details = parsed.text[:DETAILS_MAX_CHARS]
    changes = parsing.requested_changes(parsed.text) if kind is RequestType.CORRECTION else {}
    if changes:
        row.checks["requested_changes"] = len(changes)
    try:
        request = privacy_requests.submit_request(
            kind,
            channel=RequestChannel.EMAIL,
            language=_language(parsed),
            user=user,
            email=parsed.sender,
            details=details,
            requested_changes=changes,
        )
    except privacy_requests.RequestError as error:
        # Another message made the same kind of request for this person first (perhaps at
        # this very moment, in which case the lifecycle rolled back and names no request).
        existing = error.request or privacy_requests.find_open_request(kind, parsed.sender)
        if existing is None:
            raise
        row.outcome = IntakeOutcome.REQUEST
        row.request_id = existing.id
        row.reason = f"joined the open {kind.value} request; no new confirmation sent"
        row.checks["confirmation"] = "already requested for the open request"
        return
    row.outcome = IntakeOutcome.REQUEST
    row.request = request
    row.reason = f"{kind.value} request, awaiting confirmation"
    row.checks["confirmation"] = "link sent to the address on file"


# --- erasure ----------------------------------------------------------------------------------


def forget_emailed_messages(subject: Subject, result) -> None:
    """Erasure hook: the person's emailed messages (an account's, or an address's alone)
    leave the disk (raw file and attachments); their rows keep, as evidence, only the SHA-256
    of the bytes, what was checked and a keyed fingerprint of the sender's address."""
    address = subject.email.lower()
    theirs = PrivacyRequest.subject_email == address
    if subject.user_id is not None:
        theirs = theirs | (PrivacyRequest.user_id == subject.user_id)
    their_requests = select(PrivacyRequest.id).where(theirs)
    rows = db.session.scalars(
        select(IntakeMessage).where(
            IntakeMessage.request_id.in_(their_requests)
            | (func.lower(IntakeMessage.from_address) == address)
            | func.lower(IntakeMessage.from_address).contains(f"<{address}>", autoescape=True)
        )
    ).all()
    for row in rows:
        if row.raw_path:
            result.remove_file("intake_raw", intake_dir() / row.raw_path)
        for attachment in row.attachments or []:
            if attachment.get("stored"):
                result.remove_file("intake_attachments", intake_dir() / attachment["stored"])
        sender = parsing.address_of(row.from_address) or row.from_address
        row.from_address = fingerprint(sender) if sender else ""
        row.subject = ""
        row.message_id = None
        row.raw_path = ""
        row.attachments = []
    db.session.flush()


# --- retention --------------------------------------------------------------------------------


def _evidence_past(cutoff: datetime):
    """Messages received before the cutoff whose request (if any) closed before it too."""
    return (
        IntakeMessage.received_at < cutoff,
        IntakeMessage.request_id.is_(None) | IntakeMessage.request_id.in_(closed_before(cutoff)),
    )


def count_old_messages(cutoff: datetime) -> int:
    return count_where(IntakeMessage, *_evidence_past(cutoff))


def delete_old_messages(cutoff: datetime) -> int:
    """Emailed messages kept as evidence of a request closed more than REQUEST_EVIDENCE's
    period ago (or that made no request): their rows, raw files and attachments go."""
    rows = db.session.scalars(select(IntakeMessage).where(*_evidence_past(cutoff))).all()
    files = [row.raw_path for row in rows if row.raw_path] + [
        attachment["stored"]
        for row in rows
        for attachment in row.attachments or []
        if attachment.get("stored")
    ]
    for row in rows:
        db.session.delete(row)
    db.session.commit()
    folder = intake_dir()
    for relative in files:  # after the commit: a failed commit leaves the evidence whole
        (folder / relative).unlink(missing_ok=True)
    for row in rows:
        with suppress(OSError):  # the message's attachment folder, once empty
            (folder / "attachments" / row.public_id).rmdir()
    return len(rows)
