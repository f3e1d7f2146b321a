"""Staff pages about students: a searchable list, and profiles opened only with a reason.

Profiles are addressed by ``User.public_id``, never by the integer id. Every page here names
the students it shows (``shown``); the staff blueprint records who, whom, when and, for a
profile, why (:func:`services.record_looks`), and the student sees it on their "My data" page.
"""

from __future__ import annotations

from flask import abort, render_template, request

from school.pagination import paginate
from school.privacy.consent import reports as consent_reports
from school.privacy.consent.ledger import ACTION_LABELS, PURPOSE_LABELS
from school.profile import routes as student_routes
from school.profile import services
from school.profile.forms import AccessReasonForm
from school.security import shown, staff_blueprint

bp = staff_blueprint("students", __name__, url_prefix="/admin/students")


@bp.route("", shows="student_list")
def students():
    query_text = request.args.get("q", "").strip()[:100]
    page = paginate(services.search_students(query_text), per_page=30)
    shown(users=page.items)
    return render_template("profile/staff_list.html", page=page, q=query_text)


def _once_a_reason_is_given(person, show, reason_template: str, /, **reason_context):
    """A page of ``person``'s data, shown by ``show(form)`` only once the staff member has
    given a reason (the look is logged with it); until then, the form asking for one, whose
    own look (the person's name) is logged as well."""
    form = AccessReasonForm()
    if request.method == "POST" and form.validate_on_submit():
        shown(users=[person], reason=form.reason.data, note=form.note.data)
        return show(form)
    shown(users=[person], page="profile_reason")
    status = 400 if request.method == "POST" else 200
    return render_template(reason_template, form=form, **reason_context), status


def _found_student(public_id: str):
    person = services.find_student(public_id)
    if person is None:
        abort(404)
    return person


@bp.route("/<public_id>", methods=["GET", "POST"], shows="profile")
def student(public_id):
    subject = _found_student(public_id)
    return _once_a_reason_is_given(
        subject,
        lambda form: render_template(
            "profile/staff_profile.html",
            subject=subject,
            profile=services.profile_of(subject),
            levels=services.language_levels(subject),
            language_label=services.language_label,
            accesses=services.access_log(subject, limit=20),
            reason_label=services.reason_label,
            page_label=services.page_label,
            reason=form.reason.data,
            note=form.note.data or "",
        ),
        "profile/staff_reason.html",
        subject=subject,
    )


@bp.route("/<public_id>/consents", methods=["GET", "POST"], shows="consent_history")
def consent_history(public_id):
    """A student's consent history: shown only once a reason is given, and the look logged."""
    person = _found_student(public_id)
    return _once_a_reason_is_given(
        person,
        lambda form: render_template(
            "privacy/admin_consent_history.html",
            person=person,
            history=consent_reports.history_of(person),
            purpose_labels=PURPOSE_LABELS,
            action_labels=ACTION_LABELS,
        ),
        "privacy/admin_consent_reason.html",
        person=person,
    )


@bp.route("/<public_id>/photo", shows="photo")
def photo(public_id):
    subject = services.find_student(public_id)
    profile = services.profile_of(subject) if subject else None
    if profile is None or not profile.photo_file:
        abort(404)
    shown(users=[subject])
    return student_routes.send_photo(profile.photo_file)
