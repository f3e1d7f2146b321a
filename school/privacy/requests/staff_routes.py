"""Staff pages for privacy requests: the queue by due date, and each request's decision."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from school.clocks import jurisdiction
from school.database import utcnow
from school.forms import select_choices
from school.i18n import translated
from school.pagecache.fragments import versioned_fragment
from school.pagination import FetchedPage, requested_page
from school.privacy.requests import decisions
from school.privacy.requests.corrections import (
    CORRECTABLE,
    correctable_labels,
    correction_proposals,
)
from school.privacy.requests.forms import (
    DecisionForm,
    ExtendForm,
    QueueFilterForm,
    RejectForm,
    ReplyForm,
)
from school.privacy.requests.labels import CHANNEL_LABELS, STATUS_LABELS, TYPE_LABELS
from school.privacy.requests.lifecycle import RequestError
from school.privacy.requests.models import RequestStatus, RequestType
from school.privacy.requests.queue import queue_version, request_for_staff, staff_queue
from school.profile.services import current_changes
from school.security import shown, staff_blueprint

bp = staff_blueprint("privacy_admin", __name__, url_prefix="/admin/privacy")


def _found(public_id: str):
    found = request_for_staff(public_id)
    if found is None:
        abort(404)
    return found


def queue_filter_context(kind: str, status: str) -> dict:
    """The queue's filter form showing ``kind`` and ``status`` ("" for any kind, for the
    open ones): the same for every member of staff, so stored as a fragment per language."""
    form = QueueFilterForm(data={"type": kind, "status": status})
    # Plain strings, translated once per language: lazy labels cost a lookup per option.
    form.type.choices = select_choices(
        [("", _("Any"))] + [(t.value, lbl) for t, lbl in translated(TYPE_LABELS).items()]
    )
    form.status.choices = select_choices(
        [("", _("Open"))] + [(s.value, lbl) for s, lbl in translated(STATUS_LABELS).items()]
    )
    return {"form": form}


QUEUE_PAGE_SIZE = 30


@bp.route("/", shows=None)
def queue():
    kind = RequestType._value2member_map_.get(request.args.get("type", ""))
    status = RequestStatus._value2member_map_.get(request.args.get("status", ""))
    number = requested_page()
    args = {
        k: v for k, v in (("type", kind and kind.value), ("status", status and status.value)) if v
    }
    day = utcnow().date()

    def listing() -> dict:
        found = staff_queue(kind, status, page=number, per_page=QUEUE_PAGE_SIZE, today=day)
        return {
            "page": FetchedPage(found.rows, found.total, number, QUEUE_PAGE_SIZE),
            "args": args,
            "labels": translated(TYPE_LABELS),
            "status_labels": translated(STATUS_LABELS),
            "channel_labels": translated(CHANNEL_LABELS),
            "deadlines": found.deadlines,
        }

    # The list names nobody and is the same for every member of staff: rendered once per
    # version of the queue's rows, day (what is overdue), filters and page.
    version = (queue_version(), day, kind, status, number)
    return render_template(
        "privacy/admin_queue.html",
        filters={"kind": args.get("type", ""), "status": args.get("status", "")},
        listing=versioned_fragment("privacy/_queue_list.html", version, listing),
    )


def _detail(found, status=200, **forms):
    current = None
    proposals, unmatched = correction_proposals(found)
    shown(users=[found.user_id], emails=[found.subject_email], reason="privacy_request")
    if found.user is not None and found.type is RequestType.CORRECTION:
        current = current_changes(found.user)
    return render_template(
        "privacy/admin_request.html",
        req=found,
        labels=TYPE_LABELS,
        status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
        current=current,
        proposals=proposals,
        unmatched=unmatched,
        correctable=CORRECTABLE,
        field_labels=correctable_labels(),
        decision_form=forms.get("decision_form") or DecisionForm(),
        reject_form=forms.get("reject_form") or RejectForm(),
        extend_form=forms.get("extend_form") or ExtendForm(),
        reply_form=forms.get("reply_form") or ReplyForm(),
        jurisdiction=jurisdiction(),
        today=utcnow().date(),
    ), status


@bp.route("/<public_id>", shows="privacy_request")
def detail(public_id):
    return _detail(_found(public_id))


def _back(public_id):
    return redirect(url_for("privacy_admin.detail", public_id=public_id))


@bp.route("/<public_id>/approve", methods=["POST"], shows="privacy_request")
def approve(public_id):
    found = _found(public_id)
    if not DecisionForm().validate_on_submit():
        abort(400)
    corrections = None
    if found.type is RequestType.CORRECTION:
        corrections = {
            name: request.form.get(f"fix-{name}", "").strip()
            for name in CORRECTABLE
            if request.form.get(f"fix-{name}", "").strip()
        }
    try:
        outcome = decisions.approve(found, current_user, corrections=corrections)
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


@bp.route("/<public_id>/reject", methods=["POST"], shows="privacy_request")
def reject(public_id):
    found = _found(public_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _detail(found, 400, reject_form=form)
    try:
        decisions.reject(found, current_user, form.reason.data.strip())
    except RequestError as error:
        flash(error.message, "warning")
    else:
        flash(_("Refused; the reason is sent to the person."), "success")
    return _back(public_id)


@bp.route("/<public_id>/extend", methods=["POST"], shows="privacy_request")
def extend(public_id):
    found = _found(public_id)
    form = ExtendForm()
    if not form.validate_on_submit():
        return _detail(found, 400, extend_form=form)
    try:
        new_due = decisions.extend(found, current_user, form.reason.data.strip(), form.months.data)
    except RequestError as error:
        flash(error.message, "warning")
    else:
        flash(_("Extended to %(date)s; the person is told.", date=new_due.isoformat()), "success")
    return _back(public_id)


@bp.route("/<public_id>/reply", methods=["POST"], shows="privacy_request")
def reply(public_id):
    found = _found(public_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _detail(found, 400, reply_form=form)
    try:
        decisions.reply(found, current_user, form.answer.data.strip())
    except RequestError as error:
        flash(error.message, "warning")
    else:
        flash(_("Answer sent; the request is closed."), "success")
    return _back(public_id)
