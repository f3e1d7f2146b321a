"""Carrying out a request: what each kind of request does to the data, and the email that
tells the person. Runs in the caller's transaction; the caller commits.

A request confirmed from an address that no account holds (a newsletter subscriber, someone
who only wrote to us) is carried out on everything the registry ties to that address: the
access report, the export (its link mailed to that address) and erasure read and act through
the same code as for an account holder. Blocking the address holds what is processed for it
(the newsletter) until it is unblocked, keeping the data. A correction for an address alone is
left to staff, who make it by hand and answer by email."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from school.accounts.models import User
from school.accounts.services import find_user_by_email
from school.database import utcnow
from school.mail.services import queue_email
from school.privacy.consent.ledger import current_policy, record_consent
from school.privacy.consent.models import ConsentAction, ConsentPurpose
from school.privacy.data import erasure, export
from school.privacy.data.personal_data import subject_of
from school.privacy.requests.corrections import apply_corrections, correction_proposals
from school.privacy.requests.labels import TYPE_LABELS
from school.privacy.requests.lifecycle import RequestError, transition
from school.privacy.requests.lifecycle import note as add_note
from school.privacy.requests.models import PrivacyRequest, RequestStatus, RequestType
from school.privacy.requests.report import processing_report
from school.web_urls import absolute_url

S = RequestStatus
T = RequestType
ERASING = (T.ERASURE, T.WITHDRAW_CONSENT)
# What can be done for an address that no account holds.
RESTRICTING = (T.BLOCKING, T.UNBLOCKING)
FOR_AN_ADDRESS = frozenset({T.INQUIRY, T.ACCESS, T.THIRD_PARTIES, T.EXPORT, *ERASING, *RESTRICTING})

# What withdrawing marketing consent does beyond the ledger, one hook per package that sends
# marketing (the newsletter registers one at start-up): hook(address, method=...), in the
# caller's transaction.
MarketingWithdrawal = Callable[..., object]
_marketing_withdrawals: list[MarketingWithdrawal] = []


def register_marketing_withdrawal(hook: MarketingWithdrawal) -> None:
    if hook not in _marketing_withdrawals:
        _marketing_withdrawals.append(hook)


# What restricting an address that no account holds does, one hook per package that processes
# such an address (the newsletter registers one at start-up): hook(address, restricted=bool)
# returns True if anything changed, in the caller's transaction. The data is kept either way.
AddressRestriction = Callable[..., bool]
_address_restrictions: list[AddressRestriction] = []


def register_address_restriction(hook: AddressRestriction) -> None:
    if hook not in _address_restrictions:
        _address_restrictions.append(hook)


def restrict_address(address: str, *, restricted: bool) -> bool:
    """Hold (or, with ``restricted`` False, resume) what is processed for an address alone."""
    changed = [hook(address, restricted=restricted) for hook in _address_restrictions]
    return any(changed)


def withdraw_marketing(request: PrivacyRequest, user: User | None) -> None:
    """Stop marketing to the person at once: the account's consent and any newsletter
    subscription of the address, each withdrawal in the consent ledger."""
    address = user.email if user is not None else request.subject_email
    method = f"privacy request {request.public_id} ({request.channel.value})"
    for withdraw in _marketing_withdrawals:
        withdraw(address, method=method)
    transition(
        request, S.COMPLETED, actor_role="system", note="marketing consent withdrawn at once"
    )
    request.outcome = {"marketing_withdrawn": True}
    tell(request, user, "completed")


def carry_out(request, user, *, staff, corrections=None) -> str | erasure.ErasureResult:
    """Do what the request asks, in the caller's transaction: "completed", "deferred" (an
    erasure that must wait), or the result of an erasure (its files go after the commit)."""
    kind = request.type
    if user is None and kind not in FOR_AN_ADDRESS:
        raise RequestError(
            _l("This request is not tied to an account; answer it by email instead."), request
        )
    if (
        user is None
        and kind in (T.EXPORT, *ERASING, *RESTRICTING)
        and _account_holds(request.subject_email)
    ):
        # Signed up since the request came: acting on the address alone would export, erase
        # or block part of an account, so the person asks again and the account is included.
        raise RequestError(
            _l(
                "An account now uses this address. Refuse this request and ask the person "
                "to make it again, so that it covers their account too."
            ),
            request,
        )
    if kind in (T.ACCESS, T.THIRD_PARTIES):
        request.outcome = {"report": True}
        _complete(request, staff, "report prepared and sent")
        tell(request, user, "report")
    elif kind is T.EXPORT:
        name, expires = export.build(user, address=request.subject_email, locale=request.language)
        request.outcome = {"export_file": name, "expires_at": expires.isoformat()}
        _complete(request, staff, "export prepared")
        link = download_link(request)
        tell(request, user, "export", link=link, expires=expires)
    elif kind is T.CORRECTION:
        applied = apply_corrections(user, corrections or correction_proposals(request)[0])
        if not applied:
            raise RequestError(_l("Give at least one corrected value to apply."), request)
        request.outcome = {"applied": sorted(applied)}
        _complete(request, staff, "corrected: " + ", ".join(sorted(applied)))
        tell(request, user, "completed")
    elif kind in RESTRICTING:
        restricted = kind is T.BLOCKING
        if user is not None:
            user.restricted_at = utcnow() if restricted else None
            note = "processing restricted" if restricted else "restriction lifted"
        else:
            changed = restrict_address(request.subject_email, restricted=restricted)
            request.outcome = {"address_restricted": restricted, "changed": changed}
            note = "processing of the address " + ("restricted" if restricted else "resumed")
            if not changed:
                note += " (nothing changed)"
        _complete(request, staff, note)
        tell(request, user, "completed")
    elif kind in ERASING:
        return _erase(request, user, staff)
    elif kind is T.INQUIRY:
        raise RequestError(_l("Answer a general inquiry with a reply."), request)
    return "completed"


def _account_holds(address: str | None) -> bool:
    return find_user_by_email(address or "") is not None


def download_link(request: PrivacyRequest) -> str:
    """Where the export is fetched: an account's behind its sign-in, an address's by the link
    alone (of its own kind, so it never opens an account's export)."""
    if request.user_id is None:
        return absolute_url("privacy.download_address_export", token=export.download_token(request))
    return absolute_url("privacy.download_export", token=export.download_token(request))


def _complete(request, staff, note):
    transition(request, S.COMPLETED, actor=staff, actor_role="staff" if staff else "system",
               note=note)  # fmt: skip


def _erase(request, user, staff) -> str | erasure.ErasureResult:
    if user is None:  # an address alone: no account's consent to withdraw, no course to wait for
        return erase_now(request, None, staff, note="erased as the registry declares")
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
        add_note(request, "erasure deferred: " + "; ".join(str(r) for r in reasons))
        tell(request, user, "deferred", reasons=reasons)
        return "deferred"
    return erase_now(request, user, staff, note="erased as the registry declares")


def erase_now(request, user, staff, *, note: str) -> erasure.ErasureResult:
    """Complete the request and erase the person (the account, or with ``user`` None the
    address the request came from) from every store, in the caller's transaction; the
    request's history says what each store lost, and the person is told."""
    if user is not None:
        address, language, name = user.email, user.locale, user.full_name
    else:
        address, language, name = request.subject_email, request.language, None
    _complete(request, staff, note)
    result = erasure.erase(user) if user is not None else erasure.erase_address(address)
    request.outcome = {
        **request.outcome,
        "erased": True,
        "rows_deleted": result.rows_deleted,
        "rows_anonymised": result.rows_anonymised,
        "stores": result.stores,
    }
    add_note(request, "erased from every store: " + result.summary())
    queue_email(
        address,
        locale=language or "en",
        subject=_l("Your data has been erased"),
        template="privacy/erasure_done",
        privacy_request=request,
        name=name,
        with_account=user is not None,
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


def tell(request, user, event: str, **context) -> None:
    """Queue the email that tells the person what happened to their request."""
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
        report=(
            processing_report(subject_of(user, request.subject_email))
            if event == "report"
            else None
        ),
        # Someone without an account has no privacy centre to sign in to: the email is all.
        with_account=user is not None,
        **context,
    )
