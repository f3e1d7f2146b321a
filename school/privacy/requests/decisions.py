"""Staff decisions on a request: approve (and carry out), refuse, extend the deadline, reply.

Every decision runs in one transaction: the state change and its event, the effect on the
data, the staff access-log row and the email to the person commit together or not at all.
A decision taken from a stale page (the request was cancelled or decided meanwhile) changes
nothing and says why.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from school.accounts.models import User
from school.clocks import add_months, jurisdiction
from school.database import utcnow
from school.extensions import db
from school.privacy.data import erasure
from school.privacy.requests import clocks
from school.privacy.requests.carrying_out import carry_out, tell
from school.privacy.requests.labels import TYPE_LABELS
from school.privacy.requests.lifecycle import RequestError, note, transition
from school.privacy.requests.models import PrivacyRequest, RequestStatus, RequestType
from school.profile.services import record_staff_access

S = RequestStatus
T = RequestType

STALE = _l(
    "This request changed after the page was loaded, so nothing was done. "
    "Its current state is shown below."
)


def _lock(request: PrivacyRequest, expected: set[RequestStatus]) -> None:
    """Take the write lock and check the state in one statement; refuse a stale decision."""
    result = db.session.execute(
        update(PrivacyRequest)
        .where(PrivacyRequest.id == request.id, PrivacyRequest.status.in_(expected))
        .values(status=PrivacyRequest.status)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(request)
        raise RequestError(STALE, request)
    db.session.refresh(request)


def _refuse(message, request: PrivacyRequest) -> RequestError:
    """A refusal after the lock was taken: the lock is let go at once, before the page that
    says why (and records the look) is shown."""
    db.session.rollback()
    return RequestError(message, request)


def _log_access(staff: User | None, request: PrivacyRequest) -> None:
    """The decision looked at the person's data: an account's, or an address's alone."""
    if staff is None:
        return
    record_staff_access(staff, request.user, "privacy_request", "privacy_request",
                        note=str(TYPE_LABELS[request.type]),
                        email=request.subject_email)  # fmt: skip


def approve(request: PrivacyRequest, staff: User, *, corrections: dict | None = None) -> str:
    """Approve and carry out; returns "completed" or "deferred" (erasure that must wait)."""
    _lock(request, {S.AWAITING_REVIEW, S.APPROVED})
    if request.type is T.WITHDRAW_MARKETING:
        raise _refuse(_l("Marketing withdrawals take effect without approval."), request)
    if request.status is S.AWAITING_REVIEW:
        transition(request, S.APPROVED, actor=staff, actor_role="staff", note="approved")
        request.decided_by_id = staff.id
        request.decided_at = utcnow()
    _log_access(staff, request)
    try:
        outcome = carry_out(request, request.user, staff=staff, corrections=corrections)
    except RequestError as error:  # nothing was carried out: neither is the approval
        raise _refuse(error.message, request) from error
    db.session.commit()  # an erasure's files, journal entry and log checkpoint follow it
    if isinstance(outcome, erasure.ErasureResult):
        return "completed"
    return outcome


def reject(request: PrivacyRequest, staff: User, reason: str) -> None:
    _lock(request, {S.AWAITING_REVIEW, S.APPROVED})
    transition(request, S.REJECTED, actor=staff, actor_role="staff", note=reason)
    request.rejection_reason = reason
    request.decided_by_id = staff.id
    request.decided_at = utcnow()
    _log_access(staff, request)
    tell(request, request.user, "rejected")
    db.session.commit()


def extend(request: PrivacyRequest, staff: User, reason: str, months: int) -> date:
    """EU only: extend by up to two months, with the reason told to the person at once."""
    if jurisdiction() != "EU":
        raise RequestError(_l("Belarusian law allows no extension of these deadlines."), request)
    _lock(request, {S.AWAITING_REVIEW, S.APPROVED})
    if request.extended_due_on is not None:
        raise _refuse(_l("This request was already extended once."), request)
    if request.due_on is None or request.due_on < utcnow().date():
        raise _refuse(
            _l("An extension must be told to the person before the first deadline."), request
        )
    latest = clocks.latest_extension(request.due_on)
    new_due = min(add_months(request.due_on, months), latest)
    request.extended_due_on = new_due
    request.extension_reason = reason
    note(request, f"deadline extended to {new_due.isoformat()}: {reason}", staff)
    _log_access(staff, request)
    tell(request, request.user, "extended")
    db.session.commit()
    return new_due


def reply(request: PrivacyRequest, staff: User, answer: str) -> None:
    """Answer a general inquiry by email and close it."""
    _lock(request, {S.AWAITING_REVIEW, S.APPROVED})
    if request.type is not T.INQUIRY:
        raise _refuse(_l("Only a general inquiry is answered with a reply."), request)
    if request.status is S.AWAITING_REVIEW:
        transition(request, S.APPROVED, actor=staff, actor_role="staff", note="answering")
    transition(request, S.COMPLETED, actor=staff, actor_role="staff", note="answered by email")
    request.outcome = {"reply": answer}
    request.decided_by_id = staff.id
    request.decided_at = utcnow()
    _log_access(staff, request)
    tell(request, request.user, "reply", answer=answer)
    db.session.commit()
