"""Newsletter forms: the visitor's sign-up, an account's choice, and staff composition."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from school.accounts.forms import email_field
from school.courses.models import Level
from school.forms import SchoolForm, select_choices


def language_choices() -> list[SelectChoice]:
    return [
        SelectChoice("en", "English", render_kw={"lang": "en"}),
        SelectChoice("ru", "Русский", render_kw={"lang": "ru"}),
    ]


class SubscribeForm(SchoolForm):
    email = email_field()
    language = SelectField(_l("Language of the newsletter"), choices=language_choices())
    submit = SubmitField(_l("Subscribe"))


class AccountSubscriptionForm(SchoolForm):
    subscribed = BooleanField()  # labelled with the exact consent wording in the template
    submit = SubmitField(_l("Save my choice"))


class UnsubscribeForm(SchoolForm):
    class Meta:
        csrf = False  # the signed token in the address is the proof; see routes.unsubscribe

    submit = SubmitField(_l("Unsubscribe"))


class CampaignForm(SchoolForm):
    subject = StringField(
        _l("Subject"),
        validators=[
            DataRequired(_l("Write a subject.")),
            Length(max=300, message=_l("A subject has at most 300 characters.")),
        ],
    )
    body = TextAreaField(
        _l("Text (Markdown)"),
        validators=[DataRequired(_l("Write the newsletter."))],
        render_kw={"rows": 14},
    )
    language = SelectField(
        _l("Audience language"),
        choices=language_choices(),
    )
    course_language = SelectField(
        _l("Only students of courses in (optional)"), validators=[Optional()]
    )
    course_level = SelectField(
        _l("Only students of courses at level (optional)"),
        choices=select_choices([("", _l("Any level"))] + [(lv.value, lv.value) for lv in Level]),
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save and preview"))


class ActionForm(SchoolForm):
    """Nothing but the CSRF token, for one-button actions (test send, send)."""
