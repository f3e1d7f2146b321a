"""IMAP polling against a real Dovecot started for each test."""

from __future__ import annotations

import threading

import pytest

from school.extensions import db
from school.intake.models import IntakeOutcome
from school.intake.sources import Busy, poll_imap, run_lock
from school.mail.services import send_committed
from school.privacy.requests.models import RequestType
from tests.intake.conftest import MALFORMED_SAMPLE, build, intake_rows, privacy_requests

pytestmark = pytest.mark.imap


@pytest.fixture
def app(make_app, smtp, dovecot):
    """The school's app polling the test Dovecot (every other fixture builds on it)."""
    application = make_app(**dovecot.config())
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


def test_poll_takes_unseen_messages_and_files_them(app, dovecot, smtp, student):
    dovecot.append(build("Personal Data Update", sender=student.email))
    dovecot.append(build("Удаление персональных данных", sender="ivan@example.ru"))
    dovecot.append(build("Re: away", headers={"Auto-Submitted": "auto-replied"}))
    dovecot.append(MALFORMED_SAMPLE)

    result = app.test_cli_runner().invoke(args=["privacy", "poll"])
    assert result.exit_code == 0, result.output
    assert "requests 2, ignored 1, quarantined 1" in result.output
    assert dovecot.uids("INBOX") == []
    assert len(dovecot.uids("Processed")) == 3
    assert len(dovecot.uids("Quarantine")) == 1
    send_committed()
    assert smtp.last_to(student.email)
    assert {r.type for r in privacy_requests()} == {RequestType.CORRECTION, RequestType.ERASURE}

    again = app.test_cli_runner().invoke(args=["privacy", "poll"])
    assert "requests 0, ignored 0, quarantined 0, duplicates 0" in again.output


def test_poll_leaves_seen_mail_alone(app, dovecot):
    connection = dovecot.connect()
    connection.append("INBOX", r"(\Seen)", None, build(sender="someone@example.org"))
    connection.logout()
    app.test_cli_runner().invoke(args=["privacy", "poll"])
    assert len(dovecot.uids("INBOX")) == 1
    assert intake_rows() == []


def test_two_polls_at_once_handle_each_message_once(app, dovecot, smtp):
    for number in range(12):
        dovecot.append(build("Unsubscribe", sender=f"person{number}@example.org"))
    errors = []

    def poll():
        with app.app_context():
            try:
                poll_imap()
            except Busy:
                pass
            except Exception as error:  # noqa: BLE001 (reported below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=poll) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(privacy_requests()) == 12
    assert len(intake_rows()) == 12
    assert dovecot.uids("INBOX") == []
    assert len(dovecot.uids("Processed")) == 12


def test_a_second_poll_exits_quietly_while_one_runs(app, dovecot):
    dovecot.append(build(sender="someone@example.org"))
    with run_lock("intake-imap"):
        result = app.test_cli_runner().invoke(args=["privacy", "poll"])
    assert result.exit_code == 0 and result.output == ""
    assert intake_rows() == []


def test_an_oversized_message_is_quarantined_and_kept_on_the_server(make_app, smtp, dovecot):
    app = make_app(INTAKE_MAX_BYTES=2000, **dovecot.config())
    with app.app_context():
        dovecot.append(build(sender="someone@example.org", body="x" * 5000))
        result = app.test_cli_runner().invoke(args=["privacy", "poll"])
        assert "quarantined 1" in result.output
        (row,) = intake_rows()
        assert row.outcome is IntakeOutcome.QUARANTINED and "limit" in row.reason
        assert len(dovecot.uids("Quarantine")) == 1
        db.session.remove()
        db.engine.dispose()


def test_servers_without_move_get_copy_delete_expunge(app, dovecot):
    """Older servers lack MOVE: the message is copied, flagged deleted and expunged."""
    from school.intake import sources

    dovecot.append(build(sender="someone@example.org"))
    connection = sources._connect()
    try:
        sources._ensure_folder(connection, "Processed")
        connection.select("INBOX")
        (uid,) = connection.uid("SEARCH", None, "ALL")[1][0].split()
        sources._move(connection, uid, "Processed", can_move=False)
    finally:
        connection.logout()
    assert dovecot.uids("INBOX") == []
    assert len(dovecot.uids("Processed")) == 1
