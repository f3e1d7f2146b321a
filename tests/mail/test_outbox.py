"""The transactional outbox: queued with the change, sent after commit, never lost."""

import email
import email.policy
from datetime import timedelta

from sqlalchemy import select

from school.database import utcnow
from school.extensions import db
from school.mail import services
from school.mail.models import OutboxMessage, OutboxStatus


def queue_test_message(recipient="reader@example.com", locale="en"):
    return services.queue_email(
        recipient,
        locale=locale,
        subject="Your password was changed",
        template="accounts/address_taken",
        reset_link="http://school.test/forgot-password",
    )


def test_message_is_sent_only_after_the_commit(app, smtp):
    queue_test_message()
    assert services.send_committed() is None  # not committed yet: nothing to send
    db.session.commit()
    report = services.send_committed()
    assert report.sent == 1
    message = smtp.last_to("reader@example.com")
    assert message.get_body(preferencelist=("plain",)) is not None
    assert message.get_body(preferencelist=("html",)) is not None
    row = db.session.scalar(select(OutboxMessage))
    assert row.status is OutboxStatus.SENT and row.sent_at is not None
    assert message["Message-ID"] == row.message_id


def test_a_queued_message_is_written_by_the_commit_of_the_change_and_handed_on(app, count_queries):
    """Queueing writes nothing by itself: the commit inserts the message with the change
    that caused it, and its id is handed on without reading the row back."""
    with count_queries() as queueing:
        row = queue_test_message()
    assert queueing.count == 0
    db.session.commit()
    with count_queries() as handing_on:
        ids = services.take_committed_ids()
    assert handing_on.count == 0
    assert ids == [row.id]


def test_messages_are_handed_on_in_the_order_they_were_queued(app):
    rows = [queue_test_message(recipient=f"r{n}@example.com") for n in range(3)]
    db.session.flush()
    expected = [row.id for row in rows]
    db.session.commit()
    assert services.take_committed_ids() == expected


def test_a_message_taken_out_before_the_commit_is_not_handed_on(app):
    row = queue_test_message()
    db.session.expunge(row)
    db.session.commit()
    assert services.take_committed_ids() == []
    assert db.session.scalar(select(OutboxMessage)) is None


def test_a_rolled_back_change_sends_nothing(app, smtp):
    queue_test_message()
    db.session.rollback()
    assert services.send_committed() is None
    assert db.session.scalar(select(OutboxMessage)) is None
    assert smtp.messages == []


def test_smtp_down_keeps_the_message_queued_until_mail_send(app, smtp, smtp_server, runner):
    smtp_server.stop()
    queue_test_message()
    db.session.commit()
    report = services.send_committed()
    assert report.sent == 0
    row = db.session.scalar(select(OutboxMessage))
    db.session.refresh(row)
    assert row.status is OutboxStatus.QUEUED
    assert row.attempts == 1
    assert row.next_attempt_at > utcnow()  # backoff before the next try
    assert row.last_error

    smtp_server.start()
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = runner.invoke(args=["mail", "send"])
    assert "sent 1" in result.output
    assert len(smtp.to("reader@example.com")) == 1
    db.session.refresh(row)
    assert row.status is OutboxStatus.SENT


def test_a_message_is_never_sent_twice(app, smtp, runner):
    queue_test_message()
    db.session.commit()
    services.send_committed()
    runner.invoke(args=["mail", "send"])
    runner.invoke(args=["mail", "send"])
    assert len(smtp.to("reader@example.com")) == 1


def test_permanent_refusal_is_recorded_as_failed(app, smtp, smtp_server, monkeypatch):
    from smtplib import SMTPRecipientsRefused

    def refuse(self, message, outbox_id):
        raise SMTPRecipientsRefused({"reader@example.com": (550, b"No such user")})

    monkeypatch.setattr(services._SmtpConnection, "send", refuse)
    queue_test_message()
    db.session.commit()
    report = services.send_committed()
    assert report.failed == 1
    row = db.session.scalar(select(OutboxMessage))
    assert row.status is OutboxStatus.FAILED
    assert "550" in row.last_error


def test_gives_up_after_the_configured_attempts(app, smtp, smtp_server):
    smtp_server.stop()
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    queue_test_message()
    db.session.commit()
    services.send_committed()
    row = db.session.scalar(select(OutboxMessage))
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    services.deliver()
    db.session.refresh(row)
    assert row.status is OutboxStatus.FAILED
    assert row.attempts == 2


def test_a_message_claimed_by_a_dead_sender_is_not_resent_blindly(app, smtp):
    row = queue_test_message()
    db.session.commit()
    services.take_committed_ids()
    row.status = OutboxStatus.SENDING
    row.next_attempt_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert services.release_stale_claims() == 1
    db.session.refresh(row)
    assert row.status is OutboxStatus.FAILED
    assert "interrupted" in row.last_error
    assert services.deliver().sent == 0
    assert smtp.messages == []


def test_without_a_mail_server_messages_go_to_the_spool(make_app, smtp, tmp_path):
    app = make_app(MAIL_SERVER="")
    with app.app_context():
        queue_test_message(recipient="spooled@example.com")
        db.session.commit()
        assert services.send_committed().sent == 1
        files = list((tmp_path / "mail_spool").glob("*.eml"))
        assert len(files) == 1
        parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
        assert parsed["To"] == "spooled@example.com"
        assert "forgot-password" in parsed.get_body(preferencelist=("plain",)).get_content()
        db.engine.dispose()
    assert smtp.messages == []


def test_sign_up_mail_reaches_the_spool_when_no_server_is_set(make_app, smtp, tmp_path):
    app = make_app(MAIL_SERVER="")
    client = app.test_client()
    client.submit(
        "/signup",
        {
            "full_name": "Spool Reader",
            "email": "reader@example.com",
            "password": "a long enough password",
            "date_of_birth": "1990-05-17",
            "processing_consent": "y",
        },
    )
    assert len(list((tmp_path / "mail_spool").glob("*.eml"))) == 1
