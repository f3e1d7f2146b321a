"""A sender killed in the middle of a campaign, then restarted, sends nobody two copies."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from school.database import utcnow
from school.extensions import db
from school.mail.models import OutboxMessage, OutboxStatus
from school.newsletter import services

ROOT = Path(__file__).resolve().parents[2]


def flask_mail_send(app, port) -> subprocess.Popen:
    """``flask mail send`` in a process of its own, on the test's database and SMTP server."""
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "SITE_URL": app.config["SITE_URL"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_RATE_PER_SECOND": "0",
        "SCHOOL_ENV": "testing",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "mail", "send"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_a_killed_sender_restarted_sends_nobody_two_copies(
    app, staff, make_user, make_campaign, slow_smtp
):
    addresses = [f"crash{index}@example.com" for index in range(20)]
    for address in addresses:
        make_user(address, marketing=True)
    campaign = make_campaign()
    assert services.queue_campaign(campaign, staff) == 20
    db.session.remove()

    sender = flask_mail_send(app, slow_smtp.port)
    deadline = time.monotonic() + 30
    while len(slow_smtp.messages) < 5:  # the fifth is received; its 250 has not come yet
        assert sender.poll() is None, sender.stdout.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    sender.send_signal(signal.SIGKILL)
    sender.wait(timeout=10)

    states = Counter(db.session.scalars(select(OutboxMessage.status)))
    assert states[OutboxStatus.SENDING] == 1  # claimed, handed to SMTP, never recorded
    interrupted = db.session.scalar(
        select(OutboxMessage.recipient).where(OutboxMessage.status == OutboxStatus.SENDING)
    )
    db.session.remove()

    restarted = flask_mail_send(app, slow_smtp.port)
    output = restarted.communicate(timeout=60)[0].decode()
    assert restarted.returncode == 0, output

    received = Counter(str(message["To"]) for message in slow_smtp.messages)
    assert set(received) == set(addresses)
    assert max(received.values()) == 1, received
    assert received[interrupted] == 1  # it did arrive; the sender just never heard so

    # Much later the interrupted claim is shown to staff as failed, never resent blindly.
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING)
        .values(next_attempt_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    again = flask_mail_send(app, slow_smtp.port)
    output = again.communicate(timeout=60)[0].decode()
    assert "1 message(s) were interrupted" in output
    assert len(slow_smtp.messages) == 20
    states = Counter(db.session.scalars(select(OutboxMessage.status)))
    assert states == {OutboxStatus.SENT: 19, OutboxStatus.FAILED: 1}
