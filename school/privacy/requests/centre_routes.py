"""The privacy centre: a signed-in person makes requests, follows them, and downloads
their export; someone without an account downloads the export their emailed request led to
by the link sent to their address."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from school.forms import ConfirmLinkForm, blank_fields
from school.i18n import current_language, translated
from school.privacy.blueprint import bp
from school.privacy.data import export, registry
from school.privacy.data.personal_data import subject_of
from school.privacy.requests import asking
from school.privacy.requests.forms import CancelForm, CorrectionForm, InquiryForm, RequestForm
from school.privacy.requests.labels import STATUS_LABELS, TYPE_LABELS
from school.privacy.requests.lifecycle import RequestError, cancel_request
from school.privacy.requests.models import RequestStatus, RequestType
from school.privacy.requests.report import processing_report
from school.security import TokenError

T = RequestType
# The order the centre offers them in.
OFFERED = (
    T.ACCESS, T.THIRD_PARTIES, T.EXPORT, T.CORRECTION, T.BLOCKING, T.UNBLOCKING,
    T.WITHDRAW_MARKETING, T.WITHDRAW_CONSENT, T.ERASURE, T.INQUIRY,
)  # fmt: skip


def _form_class(kind: RequestType):
    return {T.CORRECTION: CorrectionForm, T.INQUIRY: InquiryForm}.get(kind, RequestForm)


def _form_for(kind: RequestType, formdata=None):
    form = _form_class(kind)(formdata=formdata, prefix=kind.value)
    form.type.data = kind.value
    return form


def request_forms_context(restricted: bool, forms=None) -> dict:
    """What the forms for a new request are rendered with: ``forms`` holds a form sent back
    with its errors; the others are blank and written as plain HTML (each has the kind as its
    prefix, as ``_form_for`` reads it). Without ``forms`` it depends on nothing but
    ``restricted`` and the language, and is stored as a fragment."""
    return {
        "offered": OFFERED,
        "forms": forms or {},
        "blank": {kind: blank_fields(_form_class(kind)) for kind in OFFERED},
        "change_fields": CorrectionForm.CHANGE_FIELDS,
        "labels": translated(TYPE_LABELS),
        "restricted": restricted,
        "export_link_period": registry.period_words(registry.retention_days(registry.EXPORT_LINK)),
    }


def _centre(forms=None, status=200):
    """The centre, with ``forms`` sent back with their errors if any (without them the forms
    are the stored fragment, and what they are rendered with is not built at all)."""
    restricted = current_user.is_restricted
    if forms:
        context = request_forms_context(restricted, forms)
    else:
        context = {"restricted": restricted, "labels": translated(TYPE_LABELS)}
    return render_template(
        "privacy/centre.html",
        requests=asking.requests_of(current_user),
        status_labels=translated(STATUS_LABELS),
        **context,
    ), status


@bp.route("/privacy/centre")
@login_required
def centre():
    return _centre()


@bp.route("/privacy/centre/requests", methods=["POST"])
@login_required
def make_request():
    kind = RequestType._value2member_map_.get(request.form.get("kind", ""))
    if kind is None:
        abort(400)
    form = _form_for(kind, request.form)
    if not form.validate_on_submit():
        return _centre({kind: form}, 400)
    try:
        made = asking.make_request(
            current_user,
            kind,
            details=form.details.data or "",
            changes=form.changes() if isinstance(form, CorrectionForm) else None,
            language=current_language(),
        )
    except RequestError as error:
        flash(error.message, "warning")
        if error.request is not None and error.request.user_id == current_user.id:
            return redirect(url_for("privacy.request_detail", public_id=error.request.public_id))
        return redirect(url_for("privacy.centre"))
    if made.status is RequestStatus.COMPLETED:
        flash(_("Done: your request took effect at once."), "success")
    else:
        flash(_("Your request is with our staff. We will answer by the date shown."), "success")
    return redirect(url_for("privacy.request_detail", public_id=made.public_id))


@bp.route("/privacy/requests/confirm/<token>", methods=["GET", "POST"])
def confirm_request(token):
    """The link from a confirmation email: only its button makes an emailed request act."""
    form = ConfirmLinkForm()
    try:
        if form.validate_on_submit():
            request = asking.confirm_request(token)
        else:
            request = asking.request_to_confirm(token)
            if request.status is RequestStatus.AWAITING_CONFIRMATION:
                return render_template(
                    "confirm_link.html",
                    form=form,
                    heading=_("Confirm your privacy request"),
                    explanation=_(
                        "Press the button to make your request (reference %(ref)s). "
                        "Nothing happens until you do.",
                        ref=request.public_id,
                    ),
                    button=_("Confirm my request"),
                )
    except TokenError as error:
        if error.reason == "expired":
            message = _(
                "This confirmation link has expired, so the request was not made. "
                "Please send your request again."
            )
        else:
            message = _("This link is not valid. It may have been copied incompletely.")
        return render_template("privacy/confirm_failed.html", message=message), 400
    return render_template("privacy/request_confirmed.html", privacy_request=request)


def _own(public_id: str):
    found = asking.request_of(current_user, public_id)
    if found is None:
        abort(404)
    return found


@bp.route("/privacy/centre/<public_id>")
@login_required
def request_detail(public_id):
    found = _own(public_id)
    download = None
    if found.type is T.EXPORT and found.status is RequestStatus.COMPLETED:
        download = url_for("privacy.download_export", token=export.download_token(found))
    return render_template(
        "privacy/request.html",
        req=found,
        labels=TYPE_LABELS,
        status_labels=STATUS_LABELS,
        cancel_form=CancelForm(),
        download=download,
    )


@bp.route("/privacy/centre/<public_id>/cancel", methods=["POST"])
@login_required
def cancel(public_id):
    found = _own(public_id)
    if CancelForm().validate_on_submit():
        try:
            cancel_request(found, current_user)
        except RequestError as error:
            flash(error.message, "warning")
        else:
            flash(_("Your request is cancelled."), "info")
    return redirect(url_for("privacy.request_detail", public_id=public_id))


@bp.route("/privacy/centre/<public_id>/report")
@login_required
def report(public_id):
    found = _own(public_id)
    if found.type not in (T.ACCESS, T.THIRD_PARTIES) or found.status is not RequestStatus.COMPLETED:
        abort(404)
    report = processing_report(subject_of(current_user, found.subject_email))
    return render_template("privacy/report.html", req=found, report=report)


def _download_problem(error: TokenError, *, with_account: bool):
    if error.reason != "expired":
        return _download_gone(_("This download link is not valid."), with_account, 404)
    if with_account:
        message = _("This download link has expired. Ask for a new export in the privacy centre.")
    else:
        message = _("This download link has expired. Write to us again to ask for a new export.")
    return _download_gone(message, with_account, 410)


def _download_gone(message, with_account: bool, status: int = 410):
    page = render_template(
        "privacy/download_problem.html", message=message, with_account=with_account
    )
    return page, status


def _send_export(found, *, with_account: bool):
    try:
        path = export.file_path(found.outcome.get("export_file"))
    except export.ExportUnavailable:
        if with_account:
            message = _("This export is no longer kept. Ask for a new one in the privacy centre.")
        else:
            message = _("This export is no longer kept. Write to us again to ask for a new one.")
        return _download_gone(message, with_account)
    response = send_file(path, mimetype="application/zip", as_attachment=True,
                         download_name="my-data.zip", max_age=0)  # fmt: skip
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/privacy/exports/<token>")
@login_required
def download_export(token):
    try:
        payload = export.read_download_token(token)
    except TokenError as error:
        return _download_problem(error, with_account=True)
    found = asking.request_of(current_user, str(payload.get("r", "")))
    if found is None or payload.get("u") != current_user.id:
        abort(404)
    return _send_export(found, with_account=True)


@bp.route("/privacy/exports/by-email/<token>")
def download_address_export(token):
    """The export of someone without an account, by the link mailed to the address their
    confirmed request came from: the link is the key (signed, expiring, naming only the
    request's random id), as a signed-in session is for an account holder. A GET only
    reads the file."""
    try:
        payload = export.read_download_token(token, address=True)
    except TokenError as error:
        return _download_problem(error, with_account=False)
    found = asking.address_export(str(payload.get("r", "")))
    if found is None:
        abort(404)
    return _send_export(found, with_account=False)
