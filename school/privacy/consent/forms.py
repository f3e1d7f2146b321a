"""Forms for publishing policy versions and accepting a changed policy."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from school.forms import SchoolForm, select_choices
from school.privacy.consent.ledger import ACTION_LABELS, PURPOSE_LABELS
from school.privacy.consent.models import ConsentAction, ConsentPurpose
from school.privacy.consent.policies import VERSION_MAX
from school.privacy.consent.reports import AcceptanceFilter

REQUIRED = _l("This field is required.")


class PolicyVersionForm(SchoolForm):
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


class AcceptPolicyForm(SchoolForm):
    accept = SubmitField(_l("I accept"))


ANY = ("", _l("Any"))


class AcceptanceFilterForm(SchoolForm):
    """The acceptances report's filters: a GET form, so a filtered report can be bookmarked
    and downloaded as it is shown."""

    class Meta:
        csrf = False

    version = SelectField(_l("Policy version"), validators=[Optional()], validate_choice=False)
    purpose = SelectField(
        _l("Purpose"),
        choices=select_choices([ANY] + [(p.value, label) for p, label in PURPOSE_LABELS.items()]),
        validators=[Optional()],
        validate_choice=False,
    )
    action = SelectField(
        _l("Given or withdrawn"),
        choices=select_choices([ANY] + [(a.value, label) for a, label in ACTION_LABELS.items()]),
        validators=[Optional()],
        validate_choice=False,
    )
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
    submit = SubmitField(_l("Show"))

    def set_versions(self, versions) -> None:
        self.version.choices = select_choices([ANY] + [(str(v.id), v.version) for v in versions])

    def filters(self) -> AcceptanceFilter:
        """What the form asks for; an unknown or malformed value means "any"."""
        self.validate()
        version = self.version.data or ""
        return AcceptanceFilter(
            version_id=int(version) if version.isdigit() else None,
            purpose=ConsentPurpose._value2member_map_.get(self.purpose.data or ""),
            action=ConsentAction._value2member_map_.get(self.action.data or ""),
            since=self.since.data if not self.since.errors else None,
            until=self.until.data if not self.until.errors else None,
        )
