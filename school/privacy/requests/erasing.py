"""What erasure does to the person's privacy requests, and erasures that resume by themselves.

The requests themselves are evidence of how the school answered (the registry keeps them,
anonymised), but an export archive they point at is the person's data in full, and a request
still open would keep the person in the staff queue: the archives go, the requests close.

An erasure deferred by an active place is not left for staff to remember: when the place
ends (the enrolment service says so through :func:`school.privacy.data.erasure.blocker_ended`)
or at the latest in the retention run, it is carried out and the person told.
"""

from __future__ import annotations

from sqlalchemy import select

from school.accounts.models import User
from school.extensions import db
from school.privacy.data import erasure, export
from school.privacy.data.personal_data import Subject
from school.privacy.requests.carrying_out import ERASING, erase_now
from school.privacy.requests.lifecycle import ALLOWED_TRANSITIONS, transition
from school.privacy.requests.models import (
    OPEN_STATUSES,
    PrivacyRequest,
    RequestStatus,
)

S = RequestStatus
CLOSED_BY_ERASURE = "closed: the person's data was erased, nothing is left to act on"


def _requests_of(subject: Subject) -> list[PrivacyRequest]:
    theirs = PrivacyRequest.subject_email == subject.email.lower()
    if subject.user_id is not None:
        theirs = theirs | (PrivacyRequest.user_id == subject.user_id)
    return list(
        db.session.scalars(select(PrivacyRequest).where(theirs).order_by(PrivacyRequest.id))
    )


def forget_requests(subject: Subject, result: erasure.ErasureResult) -> None:
    """Erasure hook: export archives deleted (the outcome stops naming them) and every other
    open request of the person closed, so none stays in the staff queue."""
    for request in _requests_of(subject):
        name = (request.outcome or {}).get("export_file")
        if name:
            result.remove_file("export_archives", export.export_dir() / name)
            request.outcome = {**request.outcome, "export_file": None, "archive_erased": True}
        if request.status in OPEN_STATUSES:
            can_cancel = S.CANCELLED in ALLOWED_TRANSITIONS[request.status]
            closed = S.CANCELLED if can_cancel else S.REJECTED
            transition(request, closed, note=CLOSED_BY_ERASURE)
            if closed is S.REJECTED:
                request.rejection_reason = CLOSED_BY_ERASURE
            result.count("open_requests_closed")
    db.session.flush()


def _deferred_erasure(user: User) -> PrivacyRequest | None:
    return db.session.scalar(
        select(PrivacyRequest)
        .where(
            PrivacyRequest.user_id == user.id,
            PrivacyRequest.type.in_(ERASING),
            PrivacyRequest.status == S.APPROVED,
        )
        .order_by(PrivacyRequest.id)
        .limit(1)
    )


def resume_deferred_erasure(user: User) -> bool:
    """Carry out the person's deferred erasure, in the caller's transaction, if nothing blocks
    it any more; True when it was carried out."""
    if not user.is_active:
        return False
    request = _deferred_erasure(user)
    if request is None or not request.outcome.get("deferred") or erasure.blockers(user):
        return False
    erase_now(request, user, staff=None, note="erased once what deferred it had ended")
    return True


def resume_deferred_erasures(now=None) -> int:
    """The retention run's safety net: every deferred erasure whose blocker has ended (a
    course is over once its last day has passed), each in its own transaction. Returns how
    many were carried out."""
    waiting = db.session.scalars(
        select(PrivacyRequest.user_id).where(
            PrivacyRequest.type.in_(ERASING),
            PrivacyRequest.status == S.APPROVED,
            PrivacyRequest.user_id.is_not(None),
        )
    ).all()
    done = 0
    for user_id in dict.fromkeys(waiting):
        user = db.session.get(User, user_id)
        if user is not None and resume_deferred_erasure(user):
            done += 1
        db.session.commit()
    return done
