"""Staff pages for privacy requests: the queue by due date, and each request's decision."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from school.database import utcnow
from school.forms import select_choices
from school.i18n import translated
from school.pagination import paginate
from school.privacy import admin_bp, clocks, execution
from school.privacy.forms import DecisionForm, ExtendForm, QueueFilterForm, RejectForm, ReplyForm
from school.privacy.models import RequestStatus, RequestType
from school.privacy.requests import RequestError
from school.security import staff_required


@admin_bp.before_request
@staff_required
def require_staff():
    """Every privacy request page for staff is staff-only."""


def _found(public_id: str):
    found = execution.request_for_staff(public_id)
    if found is None:
        abort(404)
    return found


@admin_bp.route("/")
@staff_required
def queue():
    form = QueueFilterForm(request.args)
    # Plain strings, translated once per language: lazy labels cost a lookup per option.
    form.type.choices = select_choices(
        [("", _("Any"))] + [(t.value, lbl) for t, lbl in translated(execution.TYPE_LABELS).items()]
    )
    form.status.choices = select_choices(
        [("", _("Open"))]
        + [(s.value, lbl) for s, lbl in translated(execution.STATUS_LABELS).items()]
    )
    kind = RequestType._value2member_map_.get(form.type.data or "")
    status = RequestStatus._value2member_map_.get(form.status.data or "")
    page = paginate(execution.staff_queue(kind, status), per_page=30)
    args = {
        k: v for k, v in (("type", kind and kind.value), ("status", status and status.value)) if v
    }
    return render_template(
        "privacy/admin_queue.html",
        form=form,
        page=page,
        args=args,
        labels=translated(execution.TYPE_LABELS),
        status_labels=translated(execution.STATUS_LABELS),
        today=utcnow().date(),
        deadlines=execution.deadlines(),
    )


def _detail(found, status=200, **forms):
    from school.profile.services import current_changes, log_staff_access

    current = None
    proposals, unmatched = execution.correction_proposals(found)
    if found.user is not None:
        log_staff_access(current_user, found.user, "privacy_request", "privacy_request")
        if found.type is RequestType.CORRECTION:
            current = current_changes(found.user)
    return render_template(
        "privacy/admin_request.html",
        req=found,
        labels=execution.TYPE_LABELS,
        status_labels=execution.STATUS_LABELS,
        current=current,
        proposals=proposals,
        unmatched=unmatched,
        correctable=execution.CORRECTABLE,
        field_labels=execution.correctable_labels(),
        decision_form=forms.get("decision_form") or DecisionForm(),
        reject_form=forms.get("reject_form") or RejectForm(),
        extend_form=forms.get("extend_form") or ExtendForm(),
        reply_form=forms.get("reply_form") or ReplyForm(),
        jurisdiction=clocks.jurisdiction(),
        today=utcnow().date(),
    ), status


@admin_bp.route("/<public_id>")
@staff_required
def detail(public_id):
    return _detail(_found(public_id))


def _back(public_id):
    return redirect(url_for("privacy_admin.detail", public_id=public_id))


@admin_bp.route("/<public_id>/approve", methods=["POST"])
@staff_required
def approve(public_id):
    found = _found(public_id)
    if not DecisionForm().validate_on_submit():
        abort(400)
    corrections = None
    if found.type is RequestType.CORRECTION:
        corrections = {
            name: request.form.get(f"fix-{name}", "").strip()
            for name in execution.CORRECTABLE
            if request.form.get(f"fix-{name}", "").strip()
        }
    try:
        outcome = execution.approve(found, current_user, corrections=corrections)
    except RequestError as error:
        flash(error.message, "warning")
    except ValueError:
        flash(_("A date must look like 2001-12-31."), "warning")
    else:
        if outcome == "deferred":
            flash(_("Erasure must wait; the person is told why."), "warning")
        else:
            flash(_("Done; the person is told by email."), "success")
    return _back(public_id)


@admin_bp.route("/<public_id>/reject", methods=["POST"])
@staff_required
def reject(public_id):
    found = _found(public_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _detail(found, 400, reject_form=form)
    try:
        execution.reject(found, current_user, form.reason.data.strip())
    except RequestError as error:
        flash(error.message, "warning")
    else:
        flash(_("Refused; the reason is sent to the person."), "success")
    return _back(public_id)


@admin_bp.route("/<public_id>/extend", methods=["POST"])
@staff_required
def extend(public_id):
    found = _found(public_id)
    form = ExtendForm()
    if not form.validate_on_submit():
        return _detail(found, 400, extend_form=form)
    try:
        new_due = execution.extend(found, current_user, form.reason.data.strip(), form.months.data)
    except RequestError as error:
        flash(error.message, "warning")
    else:
        flash(_("Extended to %(date)s; the person is told.", date=new_due.isoformat()), "success")
    return _back(public_id)


@admin_bp.route("/<public_id>/reply", methods=["POST"])
@staff_required
def reply(public_id):
    found = _found(public_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _detail(found, 400, reply_form=form)
    try:
        execution.reply(found, current_user, form.answer.data.strip())
    except RequestError as error:
        flash(error.message, "warning")
    else:
        flash(_("Answer sent; the request is closed."), "success")
    return _back(public_id)
