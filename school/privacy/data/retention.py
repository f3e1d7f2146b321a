"""Retention runs (``flask privacy retention``, for cron): data past its declared time goes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from school.accounts.services import forget_stale_email_changes
from school.database import utcnow
from school.extensions import db
from school.privacy.data import export
from school.privacy.requests.erasing import resume_deferred_erasures
from school.privacy.requests.lifecycle import expire_unconfirmed, transition
from school.privacy.requests.models import PrivacyRequest, RequestStatus, RequestType


def expire_exports(now: datetime | None = None) -> int:
    """Exports whose download window has closed: the file is deleted, the request expires."""
    now = now or utcnow()
    done = 0
    for request in db.session.scalars(
        select(PrivacyRequest).where(
            PrivacyRequest.type == RequestType.EXPORT,
            PrivacyRequest.status == RequestStatus.COMPLETED,
        )
    ):
        expires = request.outcome.get("expires_at")
        if not expires or datetime.fromisoformat(expires) > now:
            continue
        export.remove(request.outcome.get("export_file"))
        request.outcome = {**request.outcome, "export_file": None}
        transition(request, RequestStatus.EXPIRED, note="download window closed; file deleted")
        done += 1
    db.session.commit()
    return done


def purge_access_log(now: datetime | None = None) -> int:
    """Staff access rows past the registry's three years."""
    from sqlalchemy import delete

    from school.privacy.data.registry import ACCESS_LOG
    from school.profile.models import StaffAccess

    cutoff = (now or utcnow()) - timedelta(days=ACCESS_LOG.days)
    deleted = db.session.execute(delete(StaffAccess).where(StaffAccess.at < cutoff)).rowcount
    db.session.commit()
    return deleted


def forget_old_sign_in_addresses(now: datetime | None = None) -> int:
    """The IP address of a sign-in is kept for the registry's security-log year."""
    from sqlalchemy import update

    from school.accounts.models import User
    from school.privacy.data.registry import SECURITY_LOG

    cutoff = (now or utcnow()) - timedelta(days=SECURITY_LOG.days)
    changed = db.session.execute(
        update(User)
        .where(User.last_login_ip.is_not(None), User.last_login_at < cutoff)
        .values(last_login_ip=None)
    ).rowcount
    db.session.commit()
    return changed


def purge_consent_evidence(now: datetime | None = None) -> int:
    """Consent records of erased accounts, three years after the erasure ended the consent."""
    from sqlalchemy import delete, select

    from school.accounts.models import User
    from school.privacy.consent.models import ConsentRecord
    from school.privacy.data.registry import CONSENT_EVIDENCE

    cutoff = (now or utcnow()) - timedelta(days=CONSENT_EVIDENCE.days)
    long_erased = select(User.id).where(User.erased_at.is_not(None), User.erased_at < cutoff)
    deleted = db.session.execute(
        delete(ConsentRecord).where(ConsentRecord.user_id.in_(long_erased))
    ).rowcount
    db.session.commit()
    return deleted


def run_retention(now: datetime | None = None) -> list[str]:
    """Every retention rule that runs on a schedule, each in its own transaction."""
    from school.analytics.services import purge_expired
    from school.mail.services import purge_mail_log
    from school.newsletter.services import purge_unconfirmed

    return [
        f"unconfirmed requests expired: {expire_unconfirmed(now)}",
        f"deferred erasures carried out now nothing blocks them: {resume_deferred_erasures()}",
        f"exports expired and deleted: {expire_exports(now)}",
        f"unconfirmed address changes deleted: {forget_stale_email_changes(now)}",
        f"page views deleted: {purge_expired()}",
        f"sent mail older than 90 days removed: {purge_mail_log(now)}",
        f"unconfirmed newsletter sign-ups deleted: {purge_unconfirmed(now)}",
        f"staff access entries past three years deleted: {purge_access_log(now)}",
        f"sign-in addresses older than a year forgotten: {forget_old_sign_in_addresses(now)}",
        f"consent records of accounts erased 3+ years ago deleted: {purge_consent_evidence(now)}",
    ]
