"""Forms for publishing policy versions and accepting a changed policy."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from school.forms import select_choices
from school.privacy.consent.policies import VERSION_MAX

REQUIRED = _l("This field is required.")


class PolicyVersionForm(FlaskForm):
    version = StringField(
        _l("Version label"), validators=[DataRequired(REQUIRED), Length(max=VERSION_MAX)]
    )
    effective_on = DateField(
        _l("Takes effect on"),
        validators=[InputRequired(_l("Enter the date it takes effect."))],
    )
    significant = RadioField(
        _l("Is this a significant change?"),
        choices=select_choices(
            [
                ("yes", _l("Significant: everyone is emailed and must accept it again")),
                ("no", _l("Minor: published without notice, nothing to accept")),
            ]
        ),
        validators=[InputRequired(_l("Choose whether the change is significant."))],
    )
    summary_en = TextAreaField(
        _l("What changed (English)"), validators=[DataRequired(REQUIRED), Length(max=2000)]
    )
    summary_ru = TextAreaField(
        _l("What changed (Russian)"), validators=[DataRequired(REQUIRED), Length(max=2000)]
    )
    body_en = TextAreaField(
        _l("Policy text (English, Markdown)"),
        validators=[DataRequired(REQUIRED), Length(max=100_000)],
    )
    body_ru = TextAreaField(
        _l("Policy text (Russian, Markdown)"),
        validators=[DataRequired(REQUIRED), Length(max=100_000)],
    )
    preview = SubmitField(_l("Preview"))
    publish = SubmitField(_l("Publish this version"))


class AcceptPolicyForm(FlaskForm):
    accept = SubmitField(_l("I accept"))
