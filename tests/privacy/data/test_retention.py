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


def test_sign_in_addresses_are_forgotten_after_a_year(app, runner, make_user):
    from school.accounts.models import User

    old = make_user("old@example.com")
    old.last_login_at, old.last_login_ip = utcnow() - timedelta(days=400), "203.0.113.9"
    recent = make_user("recent@example.com")
    recent.last_login_at, recent.last_login_ip = utcnow() - timedelta(days=3), "203.0.113.10"
    db.session.commit()
    result = runner.invoke(args=["privacy", "retention"])
    assert "sign-in addresses older than a year forgotten: 1" in result.output
    db.session.expire_all()
    assert db.session.get(User, old.id).last_login_ip is None
    assert db.session.get(User, recent.id).last_login_ip == "203.0.113.10"


def test_consent_evidence_of_long_erased_accounts_goes(app, runner, make_user):
    from school.privacy.consent.models import ConsentRecord

    gone = make_user("gone@example.com")
    gone.erased_at = utcnow() - timedelta(days=3 * 365 + 5)
    lately = make_user("lately@example.com")
    lately.erased_at = utcnow() - timedelta(days=30)
    db.session.commit()
    result = runner.invoke(args=["privacy", "retention"])
    assert "consent records of accounts erased 3+ years ago deleted: 1" in result.output
    owners = set(db.session.scalars(select(ConsentRecord.user_id)))
    assert gone.id not in owners and lately.id in owners
