from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from school.forms import SchoolForm

REQUIRED = _l("This field is required.")


class ProcessorForm(SchoolForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    service = StringField(
        _l("What they do for us"), validators=[DataRequired(REQUIRED), Length(max=300)]
    )
    data_categories = StringField(
        _l("Data they receive"), validators=[DataRequired(REQUIRED), Length(max=300)]
    )
    country = StringField(
        _l("Country (two-letter code)"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^[A-Za-z]{2}$", message=_l("Use a two-letter country code, like BY or DE.")),
        ],
    )
    transfer_ground = TextAreaField(
        _l("Legal ground for a cross-border transfer"), validators=[Length(max=2000)]
    )
    contract_signed_on = DateField(_l("Contract signed on"), validators=[Optional()])
    active = BooleanField(_l("Currently used"), default=True)
    submit = SubmitField(_l("Save"))


class InquiryForm(SchoolForm):
    authority = StringField(_l("Authority"), validators=[DataRequired(REQUIRED), Length(max=200)])
    reference = StringField(_l("Their reference"), validators=[Length(max=100)])
    subject = TextAreaField(
        _l("What they ask"), validators=[DataRequired(REQUIRED), Length(max=5000)]
    )
    received_on = DateField(_l("Received on"), validators=[DataRequired(REQUIRED)])
    submit = SubmitField(_l("Record inquiry"))


class InquiryAnswerForm(SchoolForm):
    answered_on = DateField(_l("Answered on"), validators=[DataRequired(REQUIRED)])
    answer_summary = TextAreaField(
        _l("What we answered"), validators=[DataRequired(REQUIRED), Length(max=5000)]
    )
    submit = SubmitField(_l("Record answer"))


class BreachForm(SchoolForm):
    discovered_at = DateTimeLocalField(
        _l("Discovered at (UTC)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(REQUIRED)]
    )
    description = TextAreaField(
        _l("What happened"), validators=[DataRequired(REQUIRED), Length(max=5000)]
    )
    data_categories = StringField(
        _l("Data concerned"), validators=[DataRequired(REQUIRED), Length(max=300)]
    )
    people_affected = IntegerField(
        _l("People affected (estimate)"), validators=[NumberRange(min=0)], default=0
    )
    likely_consequences = TextAreaField(_l("Likely consequences"), validators=[Length(max=5000)])
    measures = TextAreaField(_l("Measures taken"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Record breach"))


class BreachNotifiedForm(SchoolForm):
    authority = SubmitField(_l("Authority notified now"))
    people = SubmitField(_l("People notified now"))
