"""`flask privacy retention`: each rule removes exactly what is past its time."""

from datetime import timedelta

from sqlalchemy import func, select

from school.database import utcnow
from school.extensions import db
from school.mail.models import OutboxMessage, OutboxStatus
from school.profile.models import StaffAccess


def outbox_row(recipient, *, days_old, campaign_id=None, status=OutboxStatus.SENT):
    row = OutboxMessage(
        recipient=recipient, subject="s", text_body="body of " + recipient, html_body="",
        headers={}, template="t", message_id=f"<{recipient}@x>", status=status,
        created_at=utcnow() - timedelta(days=days_old), campaign_id=campaign_id,
    )  # fmt: skip
    db.session.add(row)
    return row


def test_old_mail_goes_and_newsletter_rows_keep_only_their_state(app, runner, staff):
    from school.newsletter.models import Campaign

    campaign = Campaign(subject="News", body="x", language="en", created_by_id=staff.id)
    db.session.add(campaign)
    db.session.flush()
    outbox_row("old@example.com", days_old=100)
    outbox_row("new@example.com", days_old=10)
    outbox_row("queued@example.com", days_old=100, status=OutboxStatus.QUEUED)
    outbox_row("reader1@example.com", days_old=100, campaign_id=campaign.id)
    outbox_row("reader2@example.com", days_old=100, campaign_id=campaign.id)
    db.session.commit()

    result = runner.invoke(args=["privacy", "retention"])
    assert result.exit_code == 0, result.output
    assert "sent mail older than 90 days removed: 3" in result.output
    recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert {"new@example.com", "queued@example.com"} <= recipients
    assert "old@example.com" not in recipients
    assert not {"reader1@example.com", "reader2@example.com"} & recipients
    assert (
        db.session.scalar(select(func.count()).where(OutboxMessage.campaign_id == campaign.id)) == 2
    )
    again = runner.invoke(args=["privacy", "retention"])
    assert "sent mail older than 90 days removed: 0" in again.output


def test_staff_access_entries_leave_after_three_years(app, runner, staff, student):
    db.session.add_all([
        StaffAccess(staff_id=staff.id, subject_id=student.id, page="profile", reason="support",
                    at=utcnow() - timedelta(days=3 * 365 + 1)),
        StaffAccess(staff_id=staff.id, subject_id=student.id, page="profile", reason="support",
                    at=utcnow() - timedelta(days=30)),
    ])  # fmt: skip
    db.session.commit()
    result = runner.invoke(args=["privacy", "retention"])
    assert "staff access entries past three years deleted: 1" in result.output
    assert db.session.scalar(select(func.count()).select_from(StaffAccess)) == 1
