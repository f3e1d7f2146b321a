"""A newsletter to many recipients through a local aiosmtpd server, against raw smtplib.

The school's path: the audience query and one INSERT ... SELECT into the outbox, then the
mail worker's batches (claim, personalise, send, record, one SMTP connection per batch).
The baseline: raw ``smtplib`` building (``EmailMessage``) and sending the same messages (the
same personalised bodies and headers, prepared beforehand) on one connection, with no
database at all. Both run in this process against the same SMTP server, which runs in a
process of its own so it does not share our interpreter lock. The figure is the school's
messages/s as a ratio of the baseline's (target >= 0.5). The ratio to smtplib sending
pre-serialised bytes (transport alone) is printed too, for information.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECIPIENTS = int(os.environ.get("BENCH_RECIPIENTS", "10000"))
TARGET = 0.5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_smtp_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Sink"],
        cwd=ROOT,
    )  # fmt: skip
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the SMTP server did not start")


def seed(app, count: int) -> None:
    """``count`` students with a standing marketing consent, in bulk, and one staff member."""

    from school.accounts.models import Role, User
    from school.database import utcnow
    from school.extensions import db
    from school.privacy.consent.ledger import current_policy, install_bundled_policy
    from school.privacy.consent.models import ConsentAction, ConsentPurpose, ConsentRecord

    db.create_all()
    install_bundled_policy()
    db.session.commit()
    policy, now = current_policy(), utcnow()
    db.session.execute(
        db.insert(User),
        [
            dict(email=f"reader{i}@bench.example", full_name=f"Reader {i}", role=Role.STUDENT,
                 locale="en", password_hash="x",
                 email_confirmed_at=now, created_at=now, login_count=0)
            for i in range(count)
        ]
        + [dict(email="staff@bench.example", full_name="Staff", role=Role.STAFF, locale="en",
                password_hash="x",
                email_confirmed_at=now, created_at=now, login_count=0)],
    )  # fmt: skip
    ids = db.session.scalars(db.select(User.id).where(User.role == Role.STUDENT)).all()
    db.session.execute(
        db.insert(ConsentRecord),
        [
            dict(user_id=i, purpose=ConsentPurpose.MARKETING, action=ConsentAction.GIVEN,
                 policy_version_id=policy.id, wording="bench", language="en", method="bench",
                 created_at=now)
            for i in ids
        ],
    )  # fmt: skip
    db.session.commit()


def as_email_message(sender: str, prepared: tuple) -> EmailMessage:
    recipient, subject, message_id, headers, text, html = prepared
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = recipient
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def raw_smtplib(prepared: list[tuple], sender: str, port: int) -> float:
    """Seconds for plain smtplib to build and send the messages on one connection."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for item in prepared:
            connection.send_message(as_email_message(sender, item))
    return time.perf_counter() - started


def raw_smtplib_prebuilt(prepared: list[tuple], sender: str, port: int) -> float:
    """Seconds for smtplib to send the same messages already serialised: transport alone."""
    address = sender.rsplit("<", 1)[-1].rstrip(">")
    wire = [(item[0], as_email_message(sender, item).as_bytes(policy=SMTP)) for item in prepared]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for recipient, data in wire:
            connection.sendmail(address, [recipient], data)
    return time.perf_counter() - started


def same_messages() -> list[tuple]:
    """What the school sent to each person (personalised bodies and headers), as data."""
    from sqlalchemy import select

    from school.extensions import db
    from school.mail.models import OutboxMessage
    from school.mail.services import _PERSONALISERS

    personalise = _PERSONALISERS["newsletter/campaign"]
    prepared = []
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.campaign_id.is_not(None)))
    for row in rows:
        text, html, headers = personalise(row)
        prepared.append((row.recipient, row.subject, row.message_id, headers, text, html))
    return prepared


def main() -> bool:
    from school import create_app
    from school.extensions import db
    from school.mail import services as mail_services
    from school.mail.models import OutboxMessage, OutboxStatus
    from school.newsletter import services

    instance = Path(tempfile.mkdtemp(prefix="bench-newsletter-"))
    port = free_port()
    smtp_server = start_smtp_server(port)
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'school.sqlite3'}",
            "SECRET_KEY": "bench",
            "SITE_URL": "https://school.example",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_RATE_PER_SECOND": 0,
        }
    )
    try:
        with app.app_context():
            print(f"seeding {RECIPIENTS} recipients ...")
            seed(app, RECIPIENTS)
            from school.accounts.models import User

            staff = db.session.scalar(db.select(User).where(User.email == "staff@bench.example"))
            campaign = services.save_campaign(
                None,
                subject="Bench news",
                body="# News\n\nA paragraph with a [link](https://school.example/courses).\n\n"
                + "Some more words about the courses. " * 20,
                language="en",
                author=staff,
            )
            started = time.perf_counter()
            count = services.audience_count(services.Audience.of(campaign))
            queued = services.queue_campaign(campaign, staff)
            queue_seconds = time.perf_counter() - started
            assert count == queued == RECIPIENTS, (count, queued)
            print(f"audience counted and {queued} messages queued in {queue_seconds:.2f} s")

            started = time.perf_counter()
            mail_services.run_worker(interval=0.1, idle_exit=True)
            school_seconds = time.perf_counter() - started
            sent = db.session.scalar(
                db.select(db.func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.SENT)
            )
            assert sent == RECIPIENTS, f"only {sent} of {RECIPIENTS} sent"

            prepared = same_messages()
            sender = app.config["MAIL_DEFAULT_SENDER"]
            raw_seconds = raw_smtplib(prepared, sender, port)
            transport_seconds = raw_smtplib_prebuilt(prepared, sender, port)
            db.session.remove()
            db.engine.dispose()
    finally:
        smtp_server.terminate()
        smtp_server.wait(timeout=10)
        shutil.rmtree(instance, ignore_errors=True)

    school_rate = RECIPIENTS / school_seconds
    raw_rate = RECIPIENTS / raw_seconds
    ratio = school_rate / raw_rate
    transport_rate = RECIPIENTS / transport_seconds
    verdict = "ok" if ratio >= TARGET else "BELOW"
    print(f"{'raw smtplib, one connection':40} {raw_rate:8.0f} messages/s")
    print(f"{'  (the same, messages pre-serialised)':40} {transport_rate:8.0f} messages/s")
    print(f"{'school outbox + worker':40} {school_rate:8.0f} messages/s")
    print(f"ratio {ratio:.2f} (target >= {TARGET})  {verdict}")
    print(f"ratio to bare transport {school_rate / transport_rate:.2f} (for information)")
    return ratio >= TARGET


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
