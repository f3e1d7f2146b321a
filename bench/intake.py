"""Ingesting 1,000 emailed requests through the maildir path, against the 10 s target.

A migrated database with a few hundred students; a maildir of 1,000 messages: most are
requests in English and Russian (from students and from addresses without an account),
some are replies, auto-replies, bounces and duplicates, as a real mailbox has. The time
covers parsing, classifying, storing the raw messages, making the requests and queueing their
confirmation emails, and then writing those emails to the local spool.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

MESSAGES = 1000
TARGET_SECONDS = 10.0
SUBJECTS = [
    "Personal Data Update",
    "Withdrawal of Consent to Personal Data Processing",
    "Re: Обновление персональных данных",
    "Отзыв согласия на обработку персональных данных",
    "Access to Personal Data",
    "Удаление персональных данных",
    "Unsubscribe",
    "Fwd: a question about the B2 course",
]


def message(number: int) -> bytes:
    mail = EmailMessage()
    sender = f"s{number % 400}@bench.example" if number % 2 else f"guest{number}@example.org"
    mail["From"] = sender
    mail["To"] = "privacy@lingua.example"
    mail["Subject"] = SUBJECTS[number % len(SUBJECTS)]
    # Every 25th message is a copy of the one before (same Message-ID): one request only.
    mail["Message-ID"] = f"<bench-{number - 1 if number % 25 == 0 else number}@example.org>"
    if number % 40 == 7:
        mail["Auto-Submitted"] = "auto-replied"
    body = "Hello,\nPhone: +375 29 000 00 00\nFull name: Bench Person\n\nThank you."
    mail.set_content(body)
    if number % 3 == 0:
        mail.add_alternative(f"<p>{body.replace(chr(10), '<br>')}</p>", subtype="html")
    return mail.as_bytes()


def main() -> bool:
    from flask_migrate import upgrade

    from school import create_app
    from school.accounts.models import User
    from school.database import utcnow
    from school.extensions import db
    from school.intake.sources import ingest_maildir
    from school.mail.services import deliver

    instance = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    try:
        app = create_app(
            {
                "INSTANCE_PATH": str(instance),
                "SECRET_KEY": "bench",
                "SITE_URL": "https://school.example",  # the confirmations link to it
                "MAIL_BATCH_SIZE": 5000,
            }
        )
        maildir = instance / "Maildir"
        for sub in ("new", "cur", "tmp"):
            (maildir / sub).mkdir(parents=True)
        for number in range(1, MESSAGES + 1):
            (maildir / "new" / f"{number}.bench").write_bytes(message(number))
        with app.app_context():
            upgrade()
            now = utcnow()
            db.session.execute(
                db.insert(User),
                [
                    dict(email=f"s{i}@bench.example", full_name=f"Student {i}", role="student",
                         locale="en" if i % 3 else "ru",
                         password_hash="x", email_confirmed_at=now, created_at=now,
                         login_count=0)
                    for i in range(400)
                ],
            )  # fmt: skip
            db.session.commit()

            started = time.perf_counter()
            report = ingest_maildir(maildir)
            ingested = time.perf_counter() - started
            sent = deliver()
            total = time.perf_counter() - started
            db.session.remove()
            db.engine.dispose()
        print(f"maildir: {report.summary()}")
        print(f"confirmation emails written to the spool: {sent.sent}")
        print(f"ingest {ingested:6.2f} s, with delivery {total:6.2f} s (target {TARGET_SECONDS} s)")
        ok = total <= TARGET_SECONDS
        print("ok" if ok else "ABOVE TARGET")
        return ok
    finally:
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)
