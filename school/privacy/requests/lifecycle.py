"""The lifecycle of privacy requests: submission, the confirmation link, state changes.

A request made on the site by a signed-in person is confirmed by their session. A request
that arrives any other way (email, a visitor's form) acts only after the person clicks a
signed, expiring link sent to the address on file: a From header proves nothing. Every change
of state is an event row, and the legal clock starts at confirmation.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from school.accounts.models import User
from school.database import utcnow
from school.extensions import db
from school.mail.services import queue_email
from school.privacy.data.personal_data import fingerprint
from school.privacy.requests import clocks
from school.privacy.requests.models import (
    OPEN_STATUSES,
    PrivacyRequest,
    RequestChannel,
    RequestEvent,
    RequestStatus,
    RequestType,
)
from school.security import make_token
from school.web_urls import absolute_url

CONFIRM_PURPOSE = "privacy-request-confirm"
CONFIRM_WITHIN = timedelta(hours=72)

S = RequestStatus
ALLOWED_TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    S.RECEIVED: frozenset({S.AWAITING_CONFIRMATION, S.AWAITING_REVIEW, S.COMPLETED, S.REJECTED}),
    S.AWAITING_CONFIRMATION: frozenset({S.AWAITING_REVIEW, S.COMPLETED, S.CANCELLED, S.EXPIRED}),
    S.AWAITING_REVIEW: frozenset({S.APPROVED, S.COMPLETED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.COMPLETED, S.REJECTED, S.EXPIRED}),
    S.COMPLETED: frozenset({S.EXPIRED}),  # an export whose download window has closed
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}


class RequestError(Exception):
    """A request that cannot be made or changed; ``message`` is safe to show the person."""

    def __init__(self, message, request: PrivacyRequest | None = None):
        super().__init__(str(message))
        self.message = message
        self.request = request


def _open_key(kind: RequestType, subject_email: str) -> str:
    """A keyed fingerprint of who and what: unique per open request, and no address in it."""
    return fingerprint(f"{subject_email}|{kind.value}")


# Built once: every submission asks it, and building it cost more than running it.
_OPEN_REQUEST = select(PrivacyRequest).where(PrivacyRequest.open_key == bindparam("open_key"))


def find_open_request(kind: RequestType, subject_email: str) -> PrivacyRequest | None:
    return db.session.scalar(_OPEN_REQUEST, {"open_key": _open_key(kind, subject_email)})


def transition(
    request: PrivacyRequest,
    to_status: RequestStatus,
    *,
    actor: User | None = None,
    actor_role: str = "system",
    note: str = "",
) -> RequestEvent:
    """Move a request to ``to_status`` and record who did it; refuses impossible moves.

    A stale page acting on a request that has meanwhile changed gets a RequestError, not a
    silent double action.
    """
    if to_status not in ALLOWED_TRANSITIONS[request.status]:
        raise RequestError(
            _l(
                "This request is %(status)s and cannot be changed that way.",
                status=request.status.value.replace("_", " "),
            ),
            request,
        )
    event = RequestEvent(
        actor_id=actor.id if actor is not None else None,
        actor_role=actor_role,
        from_status=request.status,
        to_status=to_status,
        note=note,
        at=utcnow(),
    )
    request.events.append(event)
    request.status = to_status
    if to_status not in OPEN_STATUSES:
        request.open_key = None
    if to_status is RequestStatus.AWAITING_REVIEW and request.confirmed_at is None:
        request.confirmed_at = utcnow()
        request.due_on = clocks.due_date(request.type, request.confirmed_at.date())
    if to_status is RequestStatus.COMPLETED:
        request.completed_at = utcnow()
    return event


def note(request: PrivacyRequest, text: str, staff: User | None = None) -> None:
    """An event that records something done without changing the request's state."""
    request.events.append(
        RequestEvent(
            actor_id=staff.id if staff is not None else None,
            actor_role="staff" if staff is not None else "system",
            from_status=request.status,
            to_status=request.status,
            note=text,
            at=utcnow(),
        )
    )


def submit_request(
    kind: RequestType,
    *,
    channel: RequestChannel,
    language: str,
    user: User | None = None,
    email: str | None = None,
    details: str = "",
    requested_changes: dict | None = None,
    confirmed_by_session: bool = False,
) -> PrivacyRequest:
    """Record a new request in the caller's transaction (the caller commits).

    ``confirmed_by_session`` is true only when a signed-in person makes the request for
    themselves on the site; otherwise a confirmation link goes to the address on file.
    Raises RequestError when the same person already has an open request of this type.
    """
    subject_email = (user.email if user is not None else (email or "")).strip().lower()
    if not subject_email:
        raise RequestError(_l("We need an email address to answer this request."))
    existing = find_open_request(kind, subject_email)
    if existing is not None:
        raise RequestError(
            _l("You already have an open request of this kind. We will answer it first."),
            existing,
        )
    request = PrivacyRequest(
        public_id=secrets.token_urlsafe(16),
        type=kind,
        status=RequestStatus.RECEIVED,
        channel=channel,
        user_id=user.id if user is not None else None,
        subject_email=subject_email,
        details=details,
        requested_changes=requested_changes or {},
        language=language,
        open_key=_open_key(kind, subject_email),
        received_at=utcnow(),
    )
    request.events.append(
        RequestEvent(
            actor_id=user.id if (user is not None and confirmed_by_session) else None,
            actor_role="subject" if confirmed_by_session else "system",
            from_status=None,
            to_status=RequestStatus.RECEIVED,
            note=f"received by {channel.value}",
            at=utcnow(),
        )
    )
    # The first step is taken before the row is written, so the row goes in once, in the
    # state it leaves in, with both of its events, instead of being written and then changed.
    if confirmed_by_session:
        transition(
            request,
            RequestStatus.AWAITING_REVIEW,
            actor=user,
            actor_role="subject",
            note="identity confirmed by the signed-in session",
        )
    else:
        transition(
            request,
            RequestStatus.AWAITING_CONFIRMATION,
            note="confirmation link sent to the address on file",
        )
    db.session.add(request)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise RequestError(
            _l("You already have an open request of this kind. We will answer it first.")
        ) from error

    if not confirmed_by_session:
        send_confirmation(request, user)
    return request


def confirmation_token(request: PrivacyRequest) -> str:
    """Only the request's opaque id: the address it goes to stays on the request row."""
    return make_token(CONFIRM_PURPOSE, {"r": request.public_id})


def send_confirmation(request: PrivacyRequest, user: User | None) -> None:
    """Send the link to the address the request is about (never a Reply-To), in the language
    of the request: the same message whether or not an account holds the address, so it
    tells nobody whether we know it."""
    queue_email(
        request.subject_email,
        user=user,
        locale=request.language,
        subject=_l("Please confirm your privacy request"),
        template="privacy/confirm_request",
        privacy_request=request,
        link=absolute_url("privacy.confirm_request", token=confirmation_token(request)),
        hours=int(CONFIRM_WITHIN.total_seconds() // 3600),
    )


def cancel_request(request: PrivacyRequest, user: User) -> None:
    """The person withdraws their own open request."""
    transition(
        request,
        RequestStatus.CANCELLED,
        actor=user,
        actor_role="subject",
        note="cancelled by the person",
    )
    db.session.commit()


def expire_unconfirmed(now: datetime) -> int:
    """Requests never confirmed within the link's lifetime expire (a task of the retention
    run: the request then closes, and REQUEST_EVIDENCE's period starts)."""
    cutoff = now - CONFIRM_WITHIN
    stale = db.session.scalars(
        select(PrivacyRequest).where(
            PrivacyRequest.status == RequestStatus.AWAITING_CONFIRMATION,
            PrivacyRequest.received_at < cutoff,
        )
    ).all()
    for request in stale:
        transition(request, RequestStatus.EXPIRED, note="never confirmed")
    db.session.commit()
    return len(stale)
