"""How the retention run carries out the periods of privacy requests (registered in
``init_app``): an export's archive goes when its link expires (EXPORT_LINK), and a closed
request, with its history, goes when REQUEST_EVIDENCE's period after its closing is over.

The emailed messages behind a request are the intake's, which carries out the same
retention for them (their raw files included).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from school.extensions import db
from school.privacy.data import export
from school.privacy.data.retention import count_where
from school.privacy.requests.lifecycle import transition
from school.privacy.requests.models import (
    OPEN_STATUSES,
    PrivacyRequest,
    RequestEvent,
    RequestStatus,
    RequestType,
)


def _exports_ready_before(cutoff: datetime):
    return (
        PrivacyRequest.type == RequestType.EXPORT,
        PrivacyRequest.status == RequestStatus.COMPLETED,
        PrivacyRequest.completed_at < cutoff,
    )


def count_expired_exports(cutoff: datetime) -> int:
    return count_where(PrivacyRequest, *_exports_ready_before(cutoff))


def expire_exports(cutoff: datetime) -> int:
    """Exports ready before the cutoff: the archive is deleted and the request expires (its
    download link stops working at the same time, see ``export.read_download_token``)."""
    expired = db.session.scalars(select(PrivacyRequest).where(*_exports_ready_before(cutoff))).all()
    for request in expired:
        export.remove(request.outcome.get("export_file"))
        request.outcome = {**request.outcome, "export_file": None}
        transition(request, RequestStatus.EXPIRED, note="download window closed; file deleted")
    db.session.commit()
    return len(expired)


def closed_before(cutoff: datetime):
    """The ids of requests closed before the cutoff: a request closes with its last change."""
    closed_at = (
        select(RequestEvent.request_id, func.max(RequestEvent.at).label("closed_at"))
        .group_by(RequestEvent.request_id)
        .subquery()
    )
    return (
        select(PrivacyRequest.id)
        .join(closed_at, closed_at.c.request_id == PrivacyRequest.id)
        .where(PrivacyRequest.status.not_in(OPEN_STATUSES), closed_at.c.closed_at < cutoff)
    )


def count_closed_requests(cutoff: datetime) -> int:
    return count_where(PrivacyRequest, PrivacyRequest.id.in_(closed_before(cutoff)))


def delete_closed_requests(cutoff: datetime) -> int:
    """Requests closed before the cutoff, with their history (deleted with them)."""
    ids = db.session.scalars(closed_before(cutoff)).all()
    db.session.execute(delete(RequestEvent).where(RequestEvent.request_id.in_(ids)))
    deleted = db.session.execute(delete(PrivacyRequest).where(PrivacyRequest.id.in_(ids))).rowcount
    db.session.commit()
    return deleted
