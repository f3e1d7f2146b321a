"""Student pages: ask to enrol, the dashboard, lesson progress; public certificate checks."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from school.courses import services as course_services
from school.enrollment import bp, services
from school.enrollment.forms import CancelForm, EnrollmentForm, ProgressForm
from school.enrollment.models import STATUS_LABELS
from school.i18n import translated


def course_page_context(course) -> dict:
    """On a course page, a student sees their open enrolment, or the form to ask for one."""
    enrollment = form = None
    if current_user.is_authenticated and not current_user.is_staff:
        enrollment = services.open_enrollment_for(current_user, course)
        if enrollment is None:
            form = EnrollmentForm()
    return {"enrollment": enrollment, "form": form}


def _own(public_id: str):
    enrollment = services.enrollment_of(current_user, public_id)
    if enrollment is None:
        abort(404)
    return enrollment


@bp.route("/courses/<slug>/enrol", methods=["POST"])
@login_required
def enrol(slug):
    course = course_services.published_course(slug)
    if course is None:
        abort(404)
    if current_user.is_staff:
        flash(_("Staff accounts cannot enrol on courses."), "warning")
        return redirect(url_for("courses.course", slug=slug))
    form = EnrollmentForm()
    if not form.validate_on_submit():
        return render_template("courses/course.html", course=course, form=form), 400
    try:
        enrollment = services.request_enrollment(
            current_user,
            course,
            services.EnrollmentRequest(
                preferred_schedule=form.preferred_schedule.data or "",
                self_assessed_level=form.self_assessed_level.data or "",
                message=form.message.data or "",
                contract_wording=str(form.contract_consent.label.text),
            ),
        )
    except services.EnrollmentError as error:
        flash(error.message, "warning")
        return redirect(url_for("enrollment.dashboard"))
    flash(_("Your request is sent. We have emailed you a copy."), "success")
    return redirect(url_for("enrollment.detail", public_id=enrollment.public_id))


@bp.route("/dashboard")
@login_required
def dashboard():
    return render_template(
        "enrollment/dashboard.html",
        enrolments=services.dashboard(current_user),
        status_labels=translated(STATUS_LABELS),
    )


@bp.route("/dashboard/<public_id>")
@login_required
def detail(public_id):
    enrollment = _own(public_id)
    return render_template(
        "enrollment/detail.html",
        enrollment=enrollment,
        done=services.done_lesson_ids(enrollment),
        progress_form=ProgressForm(),
        cancel_form=CancelForm(),
    )


@bp.route("/dashboard/<public_id>/lessons/<int:lesson_id>", methods=["POST"])
@login_required
def lesson_progress(public_id, lesson_id):
    enrollment = _own(public_id)
    form = ProgressForm()
    if form.validate_on_submit():
        try:
            services.set_lesson_done(enrollment, lesson_id, form.done.data == "1")
        except services.EnrollmentError as error:
            flash(error.message, "warning")
    return redirect(
        url_for("enrollment.detail", public_id=public_id, _anchor=f"lesson-{lesson_id}")
    )


@bp.route("/dashboard/<public_id>/cancel", methods=["POST"])
@login_required
def cancel(public_id):
    enrollment = _own(public_id)
    if CancelForm().validate_on_submit():
        try:
            services.cancel(enrollment, current_user)
        except services.EnrollmentError as error:
            flash(error.message, "warning")
        else:
            flash(_("Your enrolment is cancelled."), "info")
    return redirect(url_for("enrollment.detail", public_id=public_id))


@bp.route("/certificates/<code>")
def verify_certificate(code):
    certificate = services.certificate_by_code(code)
    if certificate is None:
        return render_template("enrollment/certificate_unknown.html", code=code), 404
    return render_template(
        "enrollment/certificate.html",
        certificate=certificate,
        holder=services.holder_name(certificate),
    )
