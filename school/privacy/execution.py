"""Carrying out privacy requests: what happens when a person asks and when staff decide.

Every decision runs in one transaction: the state change and its event, the effect on the
data, the staff access-log row and the email to the person commit together or not at all.
A decision taken from a stale page (the request was cancelled or decided meanwhile) changes
nothing and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update

from school.accounts.models import User
from school.database import forget_overwritten_values, utcnow
from school.extensions import db
from school.mail.services import queue_email
from school.privacy import clocks, erasure, export
from school.privacy.models import (
    OPEN_STATUSES,
    ConsentAction,
    ConsentPurpose,
    PrivacyRequest,
    RequestChannel,
    RequestEvent,
    RequestStatus,
    RequestType,
)
from school.privacy.requests import RequestError, submit_request, transition
from school.privacy.services import current_policy, record_consent
from school.profile.services import PROFILE_FIELDS
from school.web_urls import absolute_url

S = RequestStatus
T = RequestType

TYPE_LABELS = {
    T.ACCESS: _l("Information about how my data is processed"),
    T.THIRD_PARTIES: _l("Information about who received my data"),
    T.EXPORT: _l("A copy of my data (export)"),
    T.CORRECTION: _l("Correct my data"),
    T.BLOCKING: _l("Block (restrict) the processing of my data"),
    T.UNBLOCKING: _l("Lift the block on my data"),
    T.ERASURE: _l("Erase my data"),
    T.WITHDRAW_CONSENT: _l("Withdraw my consent to processing"),
    T.WITHDRAW_MARKETING: _l("Stop marketing emails (withdraw marketing consent)"),
    T.INQUIRY: _l("A question about my data"),
}
STATUS_LABELS = {
    S.RECEIVED: _l("received"),
    S.AWAITING_CONFIRMATION: _l("waiting for your confirmation"),
    S.AWAITING_REVIEW: _l("with our staff"),
    S.APPROVED: _l("approved, being carried out"),
    S.COMPLETED: _l("completed"),
    S.REJECTED: _l("refused"),
    S.CANCELLED: _l("cancelled"),
    S.EXPIRED: _l("expired"),
}
STALE = _l(
    "This request changed after the page was loaded, so nothing was done. "
    "Its current state is shown below."
)
# Fields a correction may change, with the profile service applying them.
CORRECTABLE = ("full_name", *PROFILE_FIELDS)


def correctable_labels() -> dict[str, object]:
    """Each correctable field in words, as "My data" names it."""
    from school.privacy.holdings import FIELD_LABELS

    return {
        name: FIELD_LABELS.get(f"profile.{name}") or FIELD_LABELS.get(f"user.{name}") or name
        for name in CORRECTABLE
    }


# What people write for each field in a "Personal Data Update" email, in both languages.
FIELD_ALIASES = {
    "full_name": ("full name", "name", "фио", "имя", "полное имя", "имя и фамилия"),
    "display_name": ("display name", "nickname", "отображаемое имя", "псевдоним"),
    "phone": ("phone", "telephone", "mobile", "phone number", "телефон", "номер телефона"),
    "address": ("address", "home address", "residential address", "адрес",
                "адрес проживания", "домашний адрес"),
    "postal_code": ("postal code", "postcode", "zip", "zip code", "индекс",
                    "почтовый индекс"),
    "date_of_birth": ("date of birth", "birth date", "birthday", "дата рождения"),
    "workplace": ("workplace", "employer", "company", "место работы", "работа"),
    "position": ("position", "job title", "role", "должность"),
    "education": ("education", "образование"),
    "interests": ("interests", "professional interests", "интересы"),
    "learning_goals": ("learning goals", "goals", "цели", "цели обучения"),
}  # fmt: skip
_ALIAS_TO_FIELD = {alias: name for name, aliases in FIELD_ALIASES.items() for alias in aliases}


def correction_proposals(request: PrivacyRequest) -> tuple[dict[str, str], dict[str, str]]:
    """The asked-for values by field name, and the lines no field matched (for staff)."""
    known, unknown = {}, {}
    for key, value in (request.requested_changes or {}).items():
        name = key if key in CORRECTABLE else _ALIAS_TO_FIELD.get(" ".join(key.casefold().split()))
        if name is None:
            unknown[key] = value
        else:
            known[name] = value
    return known, unknown


# --- the person's side -----------------------------------------------------------------------


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
        _withdraw_marketing(request, user)
    elif kind is T.EXPORT and current_app.config["PRIVACY_AUTO_APPROVE_EXPORTS"]:
        transition(request, S.APPROVED, actor_role="system", note="exports approved automatically")
        _carry_out(request, user, staff=None)
    db.session.commit()
    return request


def requests_of(user: User) -> list[PrivacyRequest]:
    return list(
        db.session.scalars(
            select(PrivacyRequest)
            .where(PrivacyRequest.user_id == user.id)
            .order_by(PrivacyRequest.received_at.desc(), PrivacyRequest.id.desc())
        )
    )


def request_of(user: User, public_id: str) -> PrivacyRequest | None:
    """The person's own request; anyone else's id finds nothing."""
    return db.session.scalar(
        select(PrivacyRequest).where(
            PrivacyRequest.public_id == public_id, PrivacyRequest.user_id == user.id
        )
    )


def _withdraw_marketing(request: PrivacyRequest, user: User | None) -> None:
    """Stop marketing to the person at once: the account's consent and any newsletter
    subscription of the address, each withdrawal in the consent ledger."""
    from school.newsletter.services import withdraw_address

    withdraw_address(
        user.email if user is not None else request.subject_email,
        method=f"privacy request {request.public_id} ({request.channel.value})",
    )
    transition(
        request, S.COMPLETED, actor_role="system", note="marketing consent withdrawn at once"
    )
    request.outcome = {"marketing_withdrawn": True}
    _tell(request, user, "completed")


def confirmed_by_link(request: PrivacyRequest) -> None:
    """A request confirmed from its emailed link: a marketing withdrawal acts at once."""
    if request.type is T.WITHDRAW_MARKETING:
        _withdraw_marketing(request, request.user)


# --- staff decisions -------------------------------------------------------------------------


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


def _log_access(staff: User | None, request: PrivacyRequest) -> None:
    if staff is None or request.user is None:
        return
    from school.profile.services import record_staff_access

    record_staff_access(staff, request.user, "privacy_request", "privacy_request",
                        note=str(TYPE_LABELS[request.type]))  # fmt: skip


def approve(request: PrivacyRequest, staff: User, *, corrections: dict | None = None) -> str:
    """Approve and carry out; returns "completed" or "deferred" (erasure that must wait)."""
    _lock(request, {S.AWAITING_REVIEW, S.APPROVED})
    if request.type is T.WITHDRAW_MARKETING:
        raise RequestError(_l("Marketing withdrawals take effect without approval."), request)
    if request.status is S.AWAITING_REVIEW:
        transition(request, S.APPROVED, actor=staff, actor_role="staff", note="approved")
        request.decided_by_id = staff.id
        request.decided_at = utcnow()
    _log_access(staff, request)
    outcome = _carry_out(request, request.user, staff=staff, corrections=corrections)
    db.session.commit()
    if isinstance(outcome, erasure.ErasureResult):
        for path in outcome.files_to_remove:
            Path(path).unlink(missing_ok=True)
        touched = {"user", *outcome.rows_deleted, *outcome.rows_anonymised}
        forget_overwritten_values(db.session, touched)
        return "completed"
    return outcome


def reject(request: PrivacyRequest, staff: User, reason: str) -> None:
    _lock(request, {S.AWAITING_REVIEW, S.APPROVED})
    transition(request, S.REJECTED, actor=staff, actor_role="staff", note=reason)
    request.rejection_reason = reason
    request.decided_by_id = staff.id
    request.decided_at = utcnow()
    _log_access(staff, request)
    _tell(request, request.user, "rejected")
    db.session.commit()


def extend(request: PrivacyRequest, staff: User, reason: str, months: int) -> date:
    """EU only: extend by up to two months, with the reason told to the person at once."""
    if clocks.jurisdiction() != "EU":
        raise RequestError(_l("Belarusian law allows no extension of these deadlines."), request)
    _lock(request, {S.AWAITING_REVIEW, S.APPROVED})
    if request.extended_due_on is not None:
        raise RequestError(_l("This request was already extended once."), request)
    if request.due_on is None or request.due_on < utcnow().date():
        raise RequestError(
            _l("An extension must be told to the person before the first deadline."), request
        )
    latest = clocks.latest_extension(request.due_on)
    new_due = min(clocks.add_months(request.due_on, months), latest)
    request.extended_due_on = new_due
    request.extension_reason = reason
    _note(request, f"deadline extended to {new_due.isoformat()}: {reason}", staff)
    _log_access(staff, request)
    _tell(request, request.user, "extended")
    db.session.commit()
    return new_due


def reply(request: PrivacyRequest, staff: User, answer: str) -> None:
    """Answer a general inquiry by email and close it."""
    _lock(request, {S.AWAITING_REVIEW, S.APPROVED})
    if request.type is not T.INQUIRY:
        raise RequestError(_l("Only a general inquiry is answered with a reply."), request)
    if request.status is S.AWAITING_REVIEW:
        transition(request, S.APPROVED, actor=staff, actor_role="staff", note="answering")
    transition(request, S.COMPLETED, actor=staff, actor_role="staff", note="answered by email")
    request.outcome = {"reply": answer}
    request.decided_by_id = staff.id
    request.decided_at = utcnow()
    _log_access(staff, request)
    _tell(request, request.user, "reply", answer=answer)
    db.session.commit()


def _note(request: PrivacyRequest, note: str, staff: User | None = None) -> None:
    """An event that records something done without changing the request's state."""
    request.events.append(
        RequestEvent(
            actor_id=staff.id if staff is not None else None,
            actor_role="staff" if staff is not None else "system",
            from_status=request.status,
            to_status=request.status,
            note=note,
            at=utcnow(),
        )
    )


# --- carrying out each type ---------------------------------------------------------------


def _carry_out(request, user, *, staff, corrections=None) -> str | erasure.ErasureResult:
    """Do what the request asks, in the caller's transaction: "completed", "deferred" (an
    erasure that must wait), or the result of an erasure (its files go after the commit)."""
    kind = request.type
    if user is None and kind not in (T.INQUIRY, T.ACCESS, T.THIRD_PARTIES):
        raise RequestError(
            _l("This request is not tied to an account; answer it by email instead."), request
        )
    if kind in (T.ACCESS, T.THIRD_PARTIES):
        request.outcome = {"report": True}
        _complete(request, staff, "report prepared and sent")
        _tell(request, user, "report")
    elif kind is T.EXPORT:
        name, expires = export.build(user)
        request.outcome = {"export_file": name, "expires_at": expires.isoformat()}
        _complete(request, staff, "export prepared")
        link = absolute_url("privacy.download_export", token=export.download_token(request))
        _tell(request, user, "export", link=link, expires=expires)
    elif kind is T.CORRECTION:
        applied = _apply_corrections(user, corrections or correction_proposals(request)[0])
        if not applied:
            raise RequestError(_l("Give at least one corrected value to apply."), request)
        request.outcome = {"applied": sorted(applied)}
        _complete(request, staff, "corrected: " + ", ".join(sorted(applied)))
        _tell(request, user, "completed")
    elif kind is T.BLOCKING:
        user.restricted_at = utcnow()
        _complete(request, staff, "processing restricted")
        _tell(request, user, "completed")
    elif kind is T.UNBLOCKING:
        user.restricted_at = None
        _complete(request, staff, "restriction lifted")
        _tell(request, user, "completed")
    elif kind in (T.ERASURE, T.WITHDRAW_CONSENT):
        return _erase(request, user, staff)
    elif kind is T.INQUIRY:
        raise RequestError(_l("Answer a general inquiry with a reply."), request)
    return "completed"


def _complete(request, staff, note):
    transition(request, S.COMPLETED, actor=staff, actor_role="staff" if staff else "system",
               note=note)  # fmt: skip


def _apply_corrections(user: User, changes: dict) -> set[str]:
    from school.profile.services import apply_profile_changes, current_changes

    values = current_changes(user)
    applied = set()
    for name, value in changes.items():
        if name not in CORRECTABLE or value in (None, ""):
            continue
        if name == "date_of_birth" and not isinstance(value, date):
            value = date.fromisoformat(str(value))
        setattr(values, name, value)
        applied.add(name)
    if applied:
        apply_profile_changes(user, values)
    return applied


def _erase(request, user, staff) -> str | erasure.ErasureResult:
    if request.type is T.WITHDRAW_CONSENT and not request.outcome.get("consent_withdrawn"):
        record_consent(
            user=user,
            purpose=ConsentPurpose.PROCESSING,
            action=ConsentAction.WITHDRAWN,
            policy=current_policy(),
            method=f"privacy request {request.public_id}",
            language=request.language,
        )
        request.outcome = {**request.outcome, "consent_withdrawn": True}
    reasons = erasure.blockers(user)
    if reasons:
        request.outcome = {**request.outcome, "deferred": [str(r) for r in reasons]}
        _note(request, "erasure deferred: " + "; ".join(str(r) for r in reasons))
        _tell(request, user, "deferred", reasons=reasons)
        return "deferred"
    address, language, name = user.email, user.locale, user.full_name
    _complete(request, staff, "erased as the registry declares")
    result = erasure.erase(user)
    request.outcome = {
        "erased": True,
        "rows_deleted": result.rows_deleted,
        "rows_anonymised": result.rows_anonymised,
    }
    queue_email(
        address,
        locale=language or "en",
        subject=_l("Your data has been erased"),
        template="privacy/erasure_done",
        privacy_request=request,
        name=name,
    )
    return result


SUBJECTS = {
    "completed": _l("Your privacy request is done"),
    "rejected": _l("About your privacy request"),
    "extended": _l("We need more time for your privacy request"),
    "deferred": _l("Your erasure request has to wait"),
    "reply": _l("An answer to your question about your data"),
    "report": _l("How we process your data"),
    "export": _l("Your data export is ready"),
}


def _tell(request, user, event: str, **context) -> None:
    address = user.email if user is not None else request.subject_email
    queue_email(
        address,
        user=user,
        locale=(user.locale if user is not None else request.language) or "en",
        subject=SUBJECTS[event],
        template="privacy/request_update",
        privacy_request=request,
        event=event,
        type_label=TYPE_LABELS[request.type],
        centre_link=absolute_url("privacy.centre"),
        report_link=absolute_url("privacy.report", public_id=request.public_id),
        report=_report_context() if event == "report" else None,
        **context,
    )


def _report_context():
    from school.privacy.report import processing_report

    return processing_report()


# --- the staff queue -------------------------------------------------------------------------


def staff_queue(kind: RequestType | None, status: RequestStatus | None):
    """Requests sorted by the date they are due, soonest first; open ones by default."""
    query = select(PrivacyRequest)
    if kind is not None:
        query = query.where(PrivacyRequest.type == kind)
    if status is not None:
        query = query.where(PrivacyRequest.status == status)
    else:
        query = query.where(PrivacyRequest.status.in_(OPEN_STATUSES))
    return query.order_by(PrivacyRequest.due_by, PrivacyRequest.id)


@dataclass
class Deadlines:
    overdue: int
    due_soon: int


DUE_SOON_DAYS = 3


def deadlines(today: date | None = None) -> Deadlines:
    """Open requests past their due date, and those due within three days, in one query."""
    today = today or utcnow().date()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    due = PrivacyRequest.due_by  # the deadline in force; NO_DEADLINE before the clock starts
    overdue, due_soon = db.session.execute(
        select(
            func.count(case((due < today, 1))),
            func.count(case(((due >= today) & (due <= soon), 1))),
        ).where(PrivacyRequest.status.in_(OPEN_STATUSES))
    ).one()
    return Deadlines(overdue=overdue, due_soon=due_soon)


def overdue_requests(today: date | None = None) -> list[PrivacyRequest]:
    today = today or utcnow().date()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    return list(
        db.session.scalars(
            select(PrivacyRequest)
            .where(PrivacyRequest.status.in_(OPEN_STATUSES), PrivacyRequest.due_by <= soon)
            .order_by(PrivacyRequest.due_by, PrivacyRequest.id)
        )
    )


def request_for_staff(public_id: str) -> PrivacyRequest | None:
    return db.session.scalar(select(PrivacyRequest).where(PrivacyRequest.public_id == public_id))
