"""Retention runs (``flask privacy retention``, for cron): data past its declared time goes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from school.database import utcnow
from school.extensions import db
from school.privacy import export
from school.privacy.models import PrivacyRequest, RequestStatus, RequestType
from school.privacy.requests import expire_unconfirmed, transition


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


def run_retention(now: datetime | None = None) -> list[str]:
    from school.analytics.services import purge_expired

    lines = [
        f"unconfirmed requests expired: {expire_unconfirmed(now)}",
        f"exports expired and deleted: {expire_exports(now)}",
        f"page views deleted: {purge_expired()}",
    ]
    return lines
