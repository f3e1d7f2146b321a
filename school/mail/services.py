"""Queueing and delivering email through the transactional outbox.

``queue_email`` only adds a row to the caller's transaction: if the change that causes a
message is rolled back, so is the message, and a message is never sent for a change that did
not happen. Delivery runs after the commit (right after the web request, or from
``flask mail send``) and survives an SMTP outage: what cannot be sent stays queued and is
retried with backoff.
"""

from __future__ import annotations

import base64
import email.policy
import functools
import re
import secrets
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.headerregistry import (
    Address,
    HeaderRegistry,
    UniqueUnstructuredHeader,
    UnstructuredHeader,
)
from email.message import EmailMessage, MIMEPart
from email.utils import make_msgid, parseaddr
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Connection
from sqlalchemy import (
    String,
    bindparam,
    cast,
    delete,
    event,
    func,
    inspect,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from school.database import Prebuilt, forget_overwritten_values, utcnow
from school.extensions import db
from school.files import private_folder, write_private
from school.mail.models import OutboxMessage, OutboxStatus, SuppressedAddress
from school.text import one_line
from school.web_urls import site_url

_PENDING = "outbox_pending"
_COMMITTED = "outbox_committed_ids"
MAX_BACKOFF = timedelta(hours=6)


def queue_email(
    recipient: str,
    *,
    subject,
    template: str,
    locale: str,
    user=None,
    headers: dict | None = None,
    **context,
) -> OutboxMessage:
    """Render ``templates/email/<template>.txt`` and ``.html`` in ``locale`` and queue them.

    ``subject`` may be a lazy string: it is resolved in the recipient's language.
    """
    with force_locale(locale):
        context.setdefault("recipient_user", user)
        subject_text = str(subject)
        text_body = render_template(f"email/{template}.txt", subject=subject_text, **context)
        html_body = render_template(f"email/{template}.html", subject=subject_text, **context)
    return queue_rendered(
        recipient,
        subject=subject_text,
        text_body=text_body,
        html_body=html_body,
        template=template,
        user=user,
        headers=headers,
    )


def queue_rendered(
    recipient: str,
    *,
    subject: str,
    text_body: str,
    html_body: str,
    template: str,
    user=None,
    headers: dict | None = None,
) -> OutboxMessage:
    """Queue a message whose bodies are already rendered, in the caller's transaction."""
    message = OutboxMessage(
        user_id=user.id if user is not None else None,
        recipient=recipient,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        headers=dict(headers or {}),
        template=template,
        message_id=make_msgid(domain=_sender_domain()),
    )
    # No flush of its own: the commit inserts the message together with the change that
    # caused it, and its id is read then (see _promote_committed).
    db.session.add(message)
    db.session.info.setdefault(_PENDING, []).append(message)
    return message


def _sender_domain() -> str:
    address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    return address.rpartition("@")[2] or "localhost"


@event.listens_for(Session, "after_commit")
def _promote_committed(session):
    """The messages queued in the transaction just committed become ids to send.

    Each id is read from the row's identity, which the commit keeps: its attributes, which
    the commit expired, would be loaded again one statement each. A message taken back out
    of the session before the commit was never inserted, and has no identity to read.
    """
    pending = session.info.pop(_PENDING, None)
    if pending:
        identities = (inspect(message).identity for message in pending)
        session.info.setdefault(_COMMITTED, []).extend(
            identity[0] for identity in identities if identity is not None
        )


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session):
    session.info.pop(_PENDING, None)


def take_committed_ids() -> list[int]:
    """The ids of messages queued and committed in this app context, not yet handed on."""
    return db.session.info.pop(_COMMITTED, [])


def send_committed() -> DeliveryReport | None:
    """Try to deliver what this request or command just committed; leave failures queued."""
    ids = take_committed_ids()
    if not ids:
        return None
    return deliver(ids=ids)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class _SmtpConnection(Connection):
    """Flask-Mail's connection (its settings, its login) with a socket timeout, so a hung
    server cannot hang us, sending the standard library's messages."""

    def configure_host(self):
        timeout = current_app.config["MAIL_TIMEOUT"]
        state = self.mail
        if state.use_ssl:
            host = smtplib.SMTP_SSL(state.server, state.port, timeout=timeout)
        else:
            host = smtplib.SMTP(state.server, state.port, timeout=timeout)
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host

    def send(self, message: EmailMessage, outbox_id: int) -> None:
        if self.host is None:  # MAIL_SUPPRESS_SEND
            return
        # The envelope names the one recipient the outbox row is for, whatever the headers
        # say; ``send_message`` switches to SMTPUTF8 for an address that needs it.
        self.host.send_message(
            message,
            from_addr=message["From"].addresses[0].addr_spec,
            to_addrs=[message["To"].addresses[0].addr_spec],
        )


SPOOL_STAMP = "%Y%m%dT%H%M%S"  # a spooled message's name starts with when it was sent


class _SpoolConnection:
    """Writes each message as an ``.eml`` file: the delivery used when no server is set."""

    def __init__(self, directory: Path):
        self.directory = directory

    def __enter__(self):
        private_folder(self.directory)
        return self

    def __exit__(self, *exc_info):
        return False

    def send(self, message: EmailMessage, outbox_id: int) -> None:
        stamp = utcnow().strftime(SPOOL_STAMP)
        name = f"{stamp}-{outbox_id:08d}.eml"
        temporary = self.directory / f".{name}.tmp"
        write_private(temporary, as_wire_bytes(message))
        temporary.replace(self.directory / name)


def open_connection():
    """A connection to the configured SMTP server, or to the local spool."""
    if current_app.config.get("MAIL_SERVER"):
        return _SmtpConnection(current_app.extensions["mail"])
    return _SpoolConnection(Path(current_app.config["MAIL_SPOOL_DIR"]))


# Template name -> function(row) returning (text_body, html_body, headers) for that row.
# Bulk mail is queued with one body for everyone; what differs per person (an unsubscribe
# link) is filled in here, at sending time, by the domain that owns the template.
_PERSONALISERS: dict[str, Callable[[OutboxMessage], tuple[str, str, dict]]] = {}


def register_personaliser(template: str, personalise) -> None:
    _PERSONALISERS[template] = personalise


class _ListHeader(UnstructuredHeader):
    """RFC 2369 list headers (``List-Unsubscribe``): a list of ``<URL>``s.

    The generic folder splits a word longer than a line into encoded-words, which turns a
    long unsubscribe URL into something no mail client can follow; a list is folded only
    between its URLs instead (a line may hold 998 characters).
    """

    def fold(self, *, policy):
        value = str(self)
        urls = re.findall(r"<[^<>\s]*>", value)
        if not value.isascii() or ", ".join(urls) != value:
            return super().fold(policy=policy)
        return f"{self.name}: " + ("," + policy.linesep + " ").join(urls) + policy.linesep


class _TypedSubject(UniqueUnstructuredHeader):
    """A subject is text someone typed, taken literally.

    The email package reads "=?...?=" in a value as an RFC 2047 encoded-word, decodes it on
    the way in and writes the decoded text back raw, so a reader would see something other
    than what was typed. Kept as typed instead, and a subject holding "=?" is sent entirely
    as encoded-words, which decode to exactly that text. So is any subject beyond ASCII: the
    generic folder may end one encoded-word before a run of spaces and start the next after
    it, and a reader drops whitespace between encoded-words, so the spaces would be lost.
    """

    @classmethod
    def parse(cls, value, kwds):
        super().parse(value, kwds)
        kwds["decoded"] = value

    def fold(self, *, policy):
        if "=?" not in self and self.isascii():
            return super().fold(policy=policy)
        encoded = Header(str(self), "utf-8", header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


class _HeaderClasses(HeaderRegistry):
    """The standard header classes, with our Subject and list headers, each made once.

    The standard registry builds a new class on every lookup, and the email package looks
    one up for every header set: most of the cost of setting a header.
    """

    def __init__(self):
        super().__init__()
        self.map_to_type("list-unsubscribe", _ListHeader)
        self.map_to_type("subject", _TypedSubject)
        self._made: dict[str, type] = {}

    def __getitem__(self, name):
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(key)
        return made


# RFC 5322 for SMTP (CRLF, lines folded at 78); refuses a header value with a line break.
POLICY = email.policy.SMTP.clone(header_factory=_HeaderClasses())


def as_wire_bytes(message: EmailMessage) -> bytes:
    """The message as sent: an address that needs UTF-8 is written as UTF-8 (SMTPUTF8)."""
    international = not all(str(message[name]).isascii() for name in ("From", "To"))
    return message.as_bytes(policy=POLICY.clone(utf8=True) if international else POLICY)


def _address(address: str) -> Address:
    """An address typed by a person (checked by the form), as an Address object."""
    if address.isascii():
        return Address(addr_spec=address)
    # The header parser refuses a non-ASCII local part; SMTPUTF8 carries it as it is.
    username, _, domain = address.rpartition("@")
    return Address(username=username, domain=domain)


def _sender_address(sender: str) -> Address:
    """``MAIL_DEFAULT_SENDER`` ("Name <address>") as an Address object."""
    name, address = parseaddr(sender)
    return Address(display_name=name, addr_spec=address)


@dataclass(frozen=True)
class _Letterhead:
    """What every copy of one message shares, parsed once: its headers (Subject, From, the
    robot markers, the MIME structure) and the headers of its text and HTML parts.

    A newsletter sends the same subject to thousands; building these once per campaign
    instead of once per copy is what lets the standard library keep the newsletter's pace.
    """

    headers: tuple
    part_headers: tuple


@functools.lru_cache(maxsize=64)
def _letterhead(subject: str, sender: str) -> _Letterhead:
    prototype = EmailMessage(policy=POLICY)
    prototype["Subject"] = one_line(subject)
    prototype["From"] = _sender_address(sender)
    # Marks our own mail, so the email intake never answers it (no loops), and tells other
    # robots not to auto-reply (RFC 3834).
    prototype["X-School-Outbox"] = "1"
    prototype["Auto-Submitted"] = "auto-generated"
    prototype.set_content("", cte="base64")
    prototype.add_alternative("", subtype="html", cte="base64")
    # Base64 lines never start with "--", so one boundary serves every copy.
    prototype.set_boundary(f"=_{secrets.token_hex(16)}")
    return _Letterhead(
        headers=tuple(prototype.items()),
        part_headers=tuple(tuple(part.items()) for part in prototype.iter_parts()),
    )


def compose(
    *,
    subject: str,
    recipient: str,
    message_id: str,
    text_body: str,
    html_body: str,
    headers: dict | None = None,
) -> EmailMessage:
    """One outgoing message, built with the ``email`` API: a header value holding a line
    break is refused by it, so nothing a person typed can add a header or replace a body.

    What the copies of one message share comes parsed from :func:`_letterhead`; this sets
    only what is this copy's own: recipient, date, Message-ID, extra headers, bodies.
    """
    letterhead = _letterhead(subject, current_app.config["MAIL_DEFAULT_SENDER"])
    message = EmailMessage(policy=POLICY)
    for name, value in letterhead.headers:
        message[name] = value  # an already parsed header object: stored as it is
    message["To"] = _address(recipient)
    message["Date"] = datetime.now(UTC)
    message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    parts = []
    for part_headers, body in zip(letterhead.part_headers, (text_body, html_body), strict=True):
        part = MIMEPart(policy=POLICY)
        for name, value in part_headers:
            part[name] = value
        # Encoded as the shared Content-Transfer-Encoding header says.
        part.set_payload(base64.encodebytes(body.encode("utf-8")).decode("ascii"))
        parts.append(part)
    message.set_payload(parts)
    return message


def build_message(row: OutboxMessage) -> EmailMessage:
    personalise = _PERSONALISERS.get(row.template)
    if personalise is not None:
        text_body, html_body, headers = personalise(row)
    else:
        text_body, html_body, headers = row.text_body, row.html_body, dict(row.headers or {})
    return compose(
        subject=row.subject,
        recipient=row.recipient,
        message_id=row.message_id,
        text_body=text_body,
        html_body=html_body,
        headers=headers,
    )


def due_ids(limit: int) -> list[int]:
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == OutboxStatus.QUEUED,
                OutboxMessage.next_attempt_at <= utcnow(),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def _queued_snapshots(message_ids: list[int]) -> list:
    """The queued messages among ``message_ids``, in that order, as plain read-only rows.

    Plain rows, not ORM objects: the per-message commits below would expire ORM objects and
    reload each of them, which is most of the cost of a large send.
    """
    table = OutboxMessage.__table__
    rows = db.session.execute(
        select(table).where(table.c.id.in_(message_ids), table.c.status == OutboxStatus.QUEUED)
    ).all()
    order = {message_id: index for index, message_id in enumerate(message_ids)}
    return sorted(rows, key=lambda row: order[row.id])


# Core, not the ORM: no identity map to synchronise, a fraction of the overhead. Built once,
# as each runs once for every message sent.
_outbox = OutboxMessage.__table__
_CLAIM = Prebuilt(
    _outbox.update()
    .where(_outbox.c.id == bindparam("outbox_id"), _outbox.c.status == OutboxStatus.QUEUED)
    .values(
        status=OutboxStatus.SENDING,
        attempts=_outbox.c.attempts + 1,
        # While sending, the time of the claim.
        next_attempt_at=bindparam("now", type_=_outbox.c.next_attempt_at.type),
    )
)


def _record_sent_statement(scrub: bool) -> Prebuilt:
    values = {
        "status": OutboxStatus.SENT,
        "sent_at": bindparam("now", type_=_outbox.c.sent_at.type),
        "last_error": None,
    }
    if scrub:
        values.update(recipient="erased", text_body="", html_body="", headers={})
    return Prebuilt(_outbox.update().where(_outbox.c.id == bindparam("outbox_id")).values(**values))


_RECORD_SENT = {scrub: _record_sent_statement(scrub) for scrub in (False, True)}


def _claim(message_id: int) -> bool:
    """Mark one queued message as ours, so no other sender can send it too."""
    result = _CLAIM.execute(db.session.connection(), {"outbox_id": message_id, "now": utcnow()})
    db.session.commit()
    return result.rowcount == 1


def _record_sent(message_id: int, scrub: bool = False) -> None:
    _RECORD_SENT[scrub].execute(db.session.connection(), {"outbox_id": message_id, "now": utcnow()})
    db.session.commit()
    if scrub:
        # The unscrubbed copy still sits in SQLite's log or PostgreSQL's dead rows.
        forget_overwritten_values(db.engine, {OutboxMessage.__tablename__})


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


# Permanent answers about the mailbox itself (RFC 5321 4.2.3: mailbox unavailable, user not
# local, mailbox name not allowed). Others, like 552 (message too large), say nothing against
# the address, so they fail the message without suppressing the address.
HARD_BOUNCE_CODES = frozenset({550, 551, 553})


def _is_hard_bounce(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code in HARD_BOUNCE_CODES
    return False


# Anything shaped like an address in a server's answer ("<ann@example.com>: no such user").
_ADDRESS_IN_ERROR = re.compile(r"[^\s<>()\[\]{}\"',;:]+@[^\s<>()\[\]{}\"',;:]+")


def delivery_error(error: Exception) -> str:
    """What went wrong with a delivery, as kept with the message and any suppression: the
    server's answer without the addresses in it (smtplib names the refused recipient, and
    mail servers repeat it), so the registry can declare it as holding nobody's data and an
    erasure leaves none behind in it."""
    return _ADDRESS_IN_ERROR.sub("<address>", f"{type(error).__name__}: {error}")[:1000]


def _schedule_retry(row: OutboxMessage, error: Exception) -> bool:
    """Put a message back in the queue with backoff; False once it is out of attempts."""
    row.last_error = delivery_error(error)
    if row.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        row.status = OutboxStatus.FAILED
        return False
    row.status = OutboxStatus.QUEUED
    row.next_attempt_at = utcnow() + min(timedelta(minutes=2 ** (row.attempts - 1)), MAX_BACKOFF)
    return True


# Messages to a person whose data was just erased: once delivered, only the fact is kept.
SCRUB_AFTER_SENDING = {"privacy/erasure_done"}


def deliver(
    ids: list[int] | None = None,
    limit: int | None = None,
    stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Send the given queued messages, or every due one, over one connection.

    Each message is claimed, sent and recorded in its own short transaction, so a crash in
    the middle never makes a message go out twice: a message left claimed by a dead sender
    is shown to staff (see :func:`release_stale_claims`) rather than sent again blindly.
    At most ``MAIL_RATE_PER_SECOND`` messages leave per second (0: no limit); the pause
    comes before a claim, never between the SMTP answer and the record of it. ``stop`` is
    asked between messages, so a worker told to stop finishes the message in hand first.
    """
    report = DeliveryReport()
    site_url()  # in production with no SITE_URL, nothing leaves (SiteURLMissing)
    limit = limit or current_app.config["MAIL_BATCH_SIZE"]
    candidates = ids if ids is not None else due_ids(limit)
    if not candidates:
        return report
    pace = _Pace(current_app.config.get("MAIL_RATE_PER_SECOND") or 0)
    connection = open_connection()
    try:
        with connection as conn:
            for snapshot in _queued_snapshots(candidates):
                if stop is not None and stop():
                    break
                pace.wait()
                if not _claim(snapshot.id):
                    continue
                try:
                    conn.send(build_message(snapshot), snapshot.id)
                except (smtplib.SMTPException, OSError) as error:
                    row = db.session.get(OutboxMessage, snapshot.id, populate_existing=True)
                    if _is_permanent(error):
                        row.status = OutboxStatus.FAILED
                        row.last_error = delivery_error(error)
                        if _is_hard_bounce(error):
                            suppress(row.recipient, row.last_error)
                        report.failed += 1
                    elif _schedule_retry(row, error):
                        report.retrying += 1
                    else:
                        report.failed += 1
                    report.errors.append(row.last_error)
                    db.session.commit()
                    # SMTPException is an OSError too: only a lost connection ends the batch;
                    # after a refused recipient the same connection serves the next message.
                    lost = isinstance(error, smtplib.SMTPServerDisconnected) or not isinstance(
                        error, smtplib.SMTPException
                    )
                    if lost:
                        break
                    continue
                _record_sent(snapshot.id, scrub=snapshot.template in SCRUB_AFTER_SENDING)
                report.sent += 1
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        # The server could not be reached at all: what was due waits, with backoff.
        db.session.rollback()
        report.errors.append(f"{type(error).__name__}: {error}")
        report.retrying += _defer_unreachable(candidates, error)
    return report


class _Pace:
    """Spaces messages evenly so that no more than ``rate`` leave in any second."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
        self.next_at = max(self.next_at, now) + self.interval


def suppress(address: str, reason: str) -> None:
    """Remember a hard-bouncing address (in the caller's transaction), once."""
    address = address.strip().lower()
    existing = db.session.scalar(
        select(SuppressedAddress).where(SuppressedAddress.email == address)
    )
    if existing is None:
        db.session.add(SuppressedAddress(email=address, reason=reason[:1000]))
    else:  # refused again: the stop's period counts from the latest refusal
        existing.reason, existing.created_at = reason[:1000], utcnow()


def _defer_unreachable(message_ids: list[int], error: Exception) -> int:
    """Count an attempt for each still-queued message and schedule its retry."""
    rows = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.id.in_(message_ids), OutboxMessage.status == OutboxStatus.QUEUED
        )
    ).all()
    waiting = 0
    for row in rows:
        row.attempts += 1
        waiting += _schedule_retry(row, error)
    db.session.commit()
    return waiting


def release_stale_claims(older_than: timedelta = timedelta(minutes=30)) -> int:
    """Mark messages claimed by a sender that died as failed, for staff to look at.

    Whether such a message reached the server is unknown; sending it again could deliver it
    twice, so a person decides (``requeue``).
    """
    cutoff = utcnow() - older_than
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.next_attempt_at < cutoff,
        )
        .values(
            status=OutboxStatus.FAILED,
            last_error="interrupted while sending: delivery unknown; requeue to send again",
        )
    )
    db.session.commit()
    return result.rowcount


def run_worker(
    interval: float = 5.0,
    stop: Callable[[], bool] = lambda: False,
    idle_exit: bool = False,
    on_batch: Callable[[DeliveryReport], None] | None = None,
) -> None:
    """Deliver due mail in batches until ``stop()`` says so (or, with ``idle_exit``, until
    nothing is due). Each batch reuses one SMTP connection."""
    while not stop():
        release_stale_claims()
        report = deliver(stop=stop)
        if on_batch is not None and (report.sent or report.failed or report.retrying):
            on_batch(report)
        db.session.remove()  # a long-lived loop must not keep a growing identity map
        if report.sent == 0 and report.failed == 0 and not due_ids(1):
            if idle_exit:
                return
            deadline = time.monotonic() + interval
            while not stop() and time.monotonic() < deadline:
                time.sleep(min(0.2, interval))


def requeue(message: OutboxMessage) -> None:
    """Staff decision to try a failed message again."""
    message.status = OutboxStatus.QUEUED
    message.next_attempt_at = utcnow()
    message.attempts = 0
    db.session.commit()


def spool_files(limit: int = 200) -> list[Path]:
    directory = Path(current_app.config["MAIL_SPOOL_DIR"])
    if not directory.is_dir():
        return []
    files = sorted(directory.glob("*.eml"), reverse=True)
    return files[:limit]


# --- retention (the periods are the privacy registry's; its rules pass the cutoff) -------


def _old_mail(cutoff: datetime):
    return OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]) & (
        OutboxMessage.created_at < cutoff
    )


def count_old_mail(cutoff: datetime) -> int:
    """Messages sent or failed before the cutoff still holding something about a person."""
    still_held = OutboxMessage.campaign_id.is_(None) | ~OutboxMessage.recipient.startswith(
        "purged-"
    )
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(_old_mail(cutoff), still_held)
    )


def purge_mail_log(cutoff: datetime) -> int:
    """Messages sent or failed before the cutoff: deleted; a newsletter's rows keep only
    their state, so the campaign's history still counts them. Returns the rows touched."""
    old = _old_mail(cutoff)
    deleted = db.session.execute(
        delete(OutboxMessage).where(old, OutboxMessage.campaign_id.is_(None))
    ).rowcount
    scrubbed = db.session.execute(
        update(OutboxMessage)
        .where(
            old,
            OutboxMessage.campaign_id.is_not(None),
            ~OutboxMessage.recipient.startswith("purged-"),
        )
        # Unique per campaign, so each row gets its own placeholder.
        .values(
            recipient=literal("purged-") + cast(OutboxMessage.id, String),
            text_body="",
            html_body="",
            headers={},
        )
    ).rowcount
    db.session.commit()
    return deleted + scrubbed


def _spooled_before(cutoff: datetime) -> list[Path]:
    """Spooled messages written before the cutoff, by the time in their names."""
    directory = Path(current_app.config["MAIL_SPOOL_DIR"])
    if not directory.is_dir():
        return []
    old = []
    for path in directory.glob("*.eml"):
        try:
            sent = datetime.strptime(path.name.split("-", 1)[0], SPOOL_STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue  # not a file the spool wrote
        if sent < cutoff:
            old.append(path)
    return old


def count_old_spool_files(cutoff: datetime) -> int:
    return len(_spooled_before(cutoff))


def purge_spool(cutoff: datetime) -> int:
    """The spool stands in for a mail server, and keeps sent mail as long as the outbox."""
    old = _spooled_before(cutoff)
    for path in old:
        path.unlink(missing_ok=True)
    return len(old)


# --- erasure ----------------------------------------------------------------------------------

NOT_SENT_ERASED = "not sent: the recipient's data was erased"


def forget_messages(subject, result) -> None:
    """Erasure hook: the spooled copies of messages to the person (an account, or an address
    alone) leave the disk, and what is still waiting to go is not sent; the registry's walk
    then empties each row but its state."""
    to_them = OutboxMessage.recipient == subject.email
    if subject.user_id is not None:
        to_them = to_them | (OutboxMessage.user_id == subject.user_id)
    ids = db.session.scalars(select(OutboxMessage.id).where(to_them)).all()
    spool = Path(current_app.config["MAIL_SPOOL_DIR"])
    if spool.is_dir():
        for message_id in ids:
            for path in spool.glob(f"*-{message_id:08d}.eml"):
                result.remove_file("mail_spool", path)
    db.session.execute(
        update(OutboxMessage)
        .where(to_them, OutboxMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.SENDING]))
        .values(status=OutboxStatus.FAILED, last_error=NOT_SENT_ERASED)
        .execution_options(synchronize_session=False)
    )
    result.count("outbox_bodies", len(ids))
