from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from school.forms import select_choices
from school.privacy.requests.corrections import CORRECTABLE
from school.privacy.requests.labels import TYPE_LABELS
from school.privacy.requests.models import RequestType
from school.profile.forms import ProfileDetailsForm

REQUIRED = _l("This field is required.")


class RequestForm(FlaskForm):
    """One form for every kind of request; the kind says which fields matter."""

    type = HiddenField(validators=[InputRequired()])
    details = TextAreaField(
        _l("Anything we should know (optional)"), validators=[Optional(), Length(max=5000)]
    )
    submit = SubmitField(_l("Send the request"))

    def validate_type(self, field):
        if field.data not in RequestType._value2member_map_:
            raise ValidationError(_l("Choose a kind of request."))


class InquiryForm(RequestForm):
    details = TextAreaField(
        _l("Your question"), validators=[DataRequired(REQUIRED), Length(max=5000)]
    )


class CorrectionForm(RequestForm, ProfileDetailsForm):
    """The values the person says are right; only the ones filled in are asked for.

    The fields, and their limits, are the profile's own: a correction asks for nothing the
    profile could not hold.
    """

    details = TextAreaField(
        _l("What is wrong, in your words (optional)"), validators=[Optional(), Length(max=5000)]
    )

    CHANGE_FIELDS = CORRECTABLE

    def changes(self) -> dict:
        values = {}
        for name in self.CHANGE_FIELDS:
            value = getattr(self, name).data
            if value not in (None, ""):
                values[name] = value.isoformat() if hasattr(value, "isoformat") else value.strip()
        return values

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if not self.changes():
            self.form_errors.append(_l("Fill in at least one value that should be corrected."))
            return False
        return True


class CancelForm(FlaskForm):
    submit = SubmitField(_l("Cancel this request"))


# --- staff -------------------------------------------------------------------------------


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    type = SelectField(
        _l("Kind"),
        choices=select_choices(
            [("", _l("Any"))] + [(t.value, lbl) for t, lbl in TYPE_LABELS.items()]
        ),
        validators=[Optional()],
        validate_choice=False,
    )
    status = SelectField(_l("State"), validators=[Optional()], validate_choice=False)
    submit = SubmitField(_l("Show"))


class DecisionForm(FlaskForm):
    submit = SubmitField(_l("Approve and carry out"))


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (sent to the person)"), validators=[DataRequired(REQUIRED), Length(max=2000)]
    )
    submit = SubmitField(_l("Refuse"))


class ExtendForm(FlaskForm):
    months = IntegerField(
        _l("Extend by (months)"),
        default=1,
        validators=[InputRequired(REQUIRED), NumberRange(min=1, max=2)],
    )
    reason = TextAreaField(
        _l("Reason (sent to the person)"), validators=[DataRequired(REQUIRED), Length(max=2000)]
    )
    submit = SubmitField(_l("Extend the deadline"))


class ReplyForm(FlaskForm):
    answer = TextAreaField(
        _l("Your answer (sent by email)"), validators=[DataRequired(REQUIRED), Length(max=10000)]
    )
    submit = SubmitField(_l("Send the answer and close"))
