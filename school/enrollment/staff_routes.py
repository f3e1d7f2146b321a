"""Staff pages: the enrolment queue and decisions on each request."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from school.enrollment import services
from school.enrollment.forms import ActionForm, DeclineForm, PaymentForm
from school.enrollment.models import STATUS_LABELS, EnrollmentStatus, PaymentStatus
from school.pagination import paginate
from school.security import shown, staff_blueprint

bp = staff_blueprint("enrollment_admin", __name__, url_prefix="/admin/enrolments")

ACTIONS = {
    "approve": (services.approve, _l("Approved: the student has a seat and an email.")),
    "waitlist": (services.waitlist, _l("Put on the waiting list; the student is told.")),
    "start": (services.start, _l("Marked as studying.")),
    "complete": (services.complete, _l("Completed; the certificate is issued.")),
    "cancel": (services.cancel, _l("Cancelled; any freed seat went to the waiting list.")),
}


def _found(public_id: str):
    enrollment = services.enrollment_for_staff(public_id)
    if enrollment is None:
        abort(404)
    shown(users=[enrollment.user_id])
    return enrollment


@bp.route("/", shows="enrolment_list")
def queue():
    wanted = request.args.get("status", "")
    status = EnrollmentStatus(wanted) if wanted in EnrollmentStatus._value2member_map_ else None
    page = paginate(services.staff_queue(status), per_page=30)
    shown(users=[enrollment.user_id for enrollment in page.items])
    return render_template(
        "enrollment/admin_queue.html", page=page, status=status, labels=STATUS_LABELS
    )


@bp.route("/<public_id>", shows="enrolment")
def detail(public_id):
    enrollment = _found(public_id)
    payment_form = PaymentForm(obj=enrollment)
    payment_form.payment_status.data = enrollment.payment_status.value
    return render_template(
        "enrollment/admin_detail.html",
        enrollment=enrollment,
        action_form=ActionForm(),
        decline_form=DeclineForm(),
        payment_form=payment_form,
    )


@bp.route("/<public_id>/act", methods=["POST"], shows="enrolment")
def act(public_id):
    enrollment = _found(public_id)
    form = ActionForm()
    if form.validate_on_submit() and form.action.data in ACTIONS:
        action, done_message = ACTIONS[form.action.data]
        try:
            action(enrollment, current_user)
        except services.EnrollmentError as error:
            flash(error.message, "warning")
        else:
            flash(done_message, "success")
    return redirect(url_for("enrollment_admin.detail", public_id=public_id))


@bp.route("/<public_id>/decline", methods=["POST"], shows="enrolment")
def decline(public_id):
    enrollment = _found(public_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return render_template(
            "enrollment/admin_detail.html",
            enrollment=enrollment,
            action_form=ActionForm(),
            decline_form=form,
            payment_form=PaymentForm(obj=enrollment),
        ), 400
    try:
        services.decline(enrollment, current_user, form.reason.data)
    except services.EnrollmentError as error:
        flash(error.message, "warning")
    else:
        flash(_("Declined; the student has the reason by email."), "success")
    return redirect(url_for("enrollment_admin.detail", public_id=public_id))


@bp.route("/<public_id>/payment", methods=["POST"], shows="enrolment")
def payment(public_id):
    enrollment = _found(public_id)
    form = PaymentForm()
    if form.validate_on_submit():
        services.record_payment(
            enrollment, form.payment_reference.data or "", PaymentStatus(form.payment_status.data)
        )
        flash(_("Payment details saved."), "success")
    return redirect(url_for("enrollment_admin.detail", public_id=public_id))
