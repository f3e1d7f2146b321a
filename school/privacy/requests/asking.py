"""The person's side: asking on the site, confirming an emailed request by its link, and
finding one's own requests.

A request made on the site by a signed-in person is confirmed by their session; any other
becomes real only when the person clicks the signed link sent to the address on file.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from flask import current_app
from sqlalchemy import bindparam, select

from school.accounts.models import User
from school.database import Prebuilt
from school.extensions import db
from school.privacy.requests import lifecycle
from school.privacy.requests.carrying_out import carry_out, withdraw_marketing
from school.privacy.requests.lifecycle import submit_request, transition
from school.privacy.requests.models import (
    NO_DEADLINE,
    OPEN_STATUSES,
    PrivacyRequest,
    RequestChannel,
    RequestStatus,
    RequestType,
)
from school.security import TokenError, read_token

S = RequestStatus
T = RequestType


def make_request(
    user: User, kind: RequestType, *, details: str = "", changes: dict | None = None,
    language: str = "en",
) -> PrivacyRequest:  # fmt: skip
    """A signed-in person asks; their session proves who they are, so the clock starts now.

    Withdrawing marketing consent takes effect at once, without approval; exports may be
    carried out at once when ``PRIVACY_AUTO_APPROVE_EXPORTS`` is on.
    """
    request = submit_request(
        kind,
        channel=RequestChannel.WEB,
        language=language,
        user=user,
        details=details.strip(),
        requested_changes=changes or {},
        confirmed_by_session=True,
    )
    if kind is T.WITHDRAW_MARKETING:
        withdraw_marketing(request, user)
    elif kind is T.EXPORT and current_app.config["PRIVACY_AUTO_APPROVE_EXPORTS"]:
        transition(request, S.APPROVED, actor_role="system", note="exports approved automatically")
        carry_out(request, user, staff=None)
    db.session.commit()
    return request


class RequestRow(NamedTuple):
    """One of a person's requests as the privacy centre lists it: plain values, not a row,
    in the order the centre's table shows them."""

    public_id: str
    type: RequestType
    status: RequestStatus
    received_at: datetime
    due_by: date | None  # the deadline in force while the request is open


# Built once: the centre runs it for every visit, and building it cost as much as running it.
_REQUESTS_OF = Prebuilt(
    select(
        PrivacyRequest.public_id,
        PrivacyRequest.type,
        PrivacyRequest.status,
        PrivacyRequest.received_at,
        PrivacyRequest.due_by,
    )
    .where(PrivacyRequest.user_id == bindparam("user_id"))
    .order_by(PrivacyRequest.received_at.desc(), PrivacyRequest.id.desc())
)


def requests_of(user: User) -> list[RequestRow]:
    """The person's requests, newest first, with only the columns the centre shows, as plain
    rows on the session's connection."""
    rows = _REQUESTS_OF.rows(db.session.connection(), {"user_id": user.id})
    return [
        RequestRow(
            public_id,
            kind,
            status,
            received_at,
            due_by if status in OPEN_STATUSES and due_by != NO_DEADLINE else None,
        )
        for public_id, kind, status, received_at, due_by in rows
    ]


def request_of(user: User, public_id: str) -> PrivacyRequest | None:
    """The person's own request; anyone else's id finds nothing."""
    return db.session.scalar(
        select(PrivacyRequest).where(
            PrivacyRequest.public_id == public_id, PrivacyRequest.user_id == user.id
        )
    )


def address_export(public_id: str) -> PrivacyRequest | None:
    """A completed export of someone without an account, by its request's id; an account's
    export is never found this way."""
    return db.session.scalar(
        select(PrivacyRequest).where(
            PrivacyRequest.public_id == public_id,
            PrivacyRequest.user_id.is_(None),
            PrivacyRequest.type == T.EXPORT,
            PrivacyRequest.status == S.COMPLETED,
        )
    )


def request_to_confirm(token: str) -> PrivacyRequest:
    """The request an emailed confirmation link is for, changing nothing. Raises TokenError
    for a bad or stale link."""
    payload = read_token(
        lifecycle.CONFIRM_PURPOSE, token, int(lifecycle.CONFIRM_WITHIN.total_seconds())
    )
    request = db.session.scalar(
        select(PrivacyRequest).where(PrivacyRequest.public_id == payload.get("r"))
    )
    if request is None:
        raise TokenError("invalid")
    return request


def confirm_request(token: str) -> PrivacyRequest:
    """The person pressed the button behind the emailed link: the request becomes real and
    its clock starts."""
    request = request_to_confirm(token)
    if request.status is not RequestStatus.AWAITING_CONFIRMATION:
        return request
    transition(
        request,
        RequestStatus.AWAITING_REVIEW,
        actor_role="subject",
        note="confirmed by the link sent to the address on file",
    )
    confirmed_by_link(request)
    db.session.commit()
    return request


def confirmed_by_link(request: PrivacyRequest) -> None:
    """A request confirmed from its emailed link: a marketing withdrawal acts at once."""
    if request.type is T.WITHDRAW_MARKETING:
        withdraw_marketing(request, request.user)
