"""One email per enrolment state change, queued in the caller's transaction."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from school.enrollment.models import EnrollmentStatus as E
from school.mail.services import queue_email
from school.web_urls import absolute_url

SUBJECTS = {
    E.REQUESTED: _l("We received your enrolment request"),
    E.APPROVED: _l("You have a place on the course"),
    E.DECLINED: _l("About your enrolment request"),
    E.WAITLISTED: _l("You are on the waiting list"),
    E.ACTIVE: _l("Your course has started"),
    E.COMPLETED: _l("Course completed: your certificate"),
    E.CANCELLED: _l("Your enrolment is cancelled"),
}


def status_changed(enrollment, *, promoted: bool = False) -> None:
    """Tell the student their enrolment's new state, in their language."""
    user = enrollment.user
    certificate = enrollment.certificate
    queue_email(
        user.email,
        user=user,
        locale=user.locale,
        subject=SUBJECTS[enrollment.status],
        template="enrollment/status_changed",
        enrollment=enrollment,
        course=enrollment.course,
        promoted=promoted,
        dashboard_link=absolute_url("enrollment.detail", public_id=enrollment.public_id),
        certificate_link=(
            absolute_url("enrollment.verify_certificate", code=certificate.code)
            if certificate
            else None
        ),
    )
