from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from school.courses.models import Level
from school.enrollment.models import PAYMENT_LABELS, PaymentStatus
from school.forms import SchoolForm, select_choices

REQUIRED = _l("This field is required.")

CONTRACT_WORDING = _l(
    "I agree that the school processes the details in this form to consider my enrolment and, "
    "if I am accepted, to teach me this course under the terms of the public offer."
)


class EnrollmentForm(SchoolForm):
    preferred_schedule = StringField(
        _l("Preferred days and times (optional)"), validators=[Optional(), Length(max=200)]
    )
    self_assessed_level = SelectField(
        _l("Your level now, as you see it"),
        choices=select_choices([("", _l("Not sure"))] + [(lv.value, lv.value) for lv in Level]),
        validators=[Optional()],
    )
    message = TextAreaField(
        _l("Message to the school (optional)"), validators=[Optional(), Length(max=2000)]
    )
    contract_consent = BooleanField(
        CONTRACT_WORDING,
        validators=[DataRequired(_l("We need this agreement to consider your enrolment."))],
    )
    submit = SubmitField(_l("Ask to enrol"))


class DeclineForm(SchoolForm):
    reason = TextAreaField(
        _l("Reason (sent to the student)"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
    )
    submit = SubmitField(_l("Decline"))


class ActionForm(SchoolForm):
    """A button-only form: approve, waitlist, start, complete, cancel."""

    action = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Confirm"))


class PaymentForm(SchoolForm):
    payment_reference = StringField(
        _l("Payment reference from the provider"), validators=[Optional(), Length(max=100)]
    )
    payment_status = SelectField(
        _l("Payment status"),
        choices=select_choices(
            (s.value, label)
            for s, label in PAYMENT_LABELS.items()
            if s is not PaymentStatus.NOT_KEPT  # only the retention run sets it
        ),
    )
    submit = SubmitField(_l("Save payment details"))


class CancelForm(SchoolForm):
    submit = SubmitField(_l("Cancel this enrolment"))


class ProgressForm(SchoolForm):
    done = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Save"))
