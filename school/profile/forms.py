"""Profile forms: every optional field may be left blank, and blank clears it."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from school.accounts.forms import birth_date_field
from school.accounts.models import NAME_MAX
from school.forms import SchoolForm, required_choices
from school.i18n import LANGUAGE_NAMES
from school.profile.models import (
    ADDRESS_MAX,
    DISPLAY_NAME_MAX,
    LONG_TEXT_MAX,
    POSITION_MAX,
    WORKPLACE_MAX,
    Level,
)
from school.profile.services import ACCESS_REASONS, LANGUAGES

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice.
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover (older WTForms)
    SelectChoice = None


def choices(pairs) -> list:
    pairs = list(pairs)
    if SelectChoice is None:
        return pairs
    return [SelectChoice(value, label) for value, label in pairs]


# International format: an optional +, then 7 to 15 digits, with spaces, dashes, dots or
# brackets between them as people write them.
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ().-]{5,22}[0-9]$")
POSTAL_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,8}[A-Za-z0-9]$")


def _at_most(limit: int):
    return Length(max=limit, message=_l("Use at most %(max)d characters.", max=limit))


def _phone(form, field):
    value = (field.data or "").strip()
    if not value:
        return
    digits = re.sub(r"\D", "", value)
    if not PHONE_PATTERN.match(value) or not 7 <= len(digits) <= 15:
        raise ValidationError(
            _l("Enter a phone number with its country code, like +375 29 123 45 67.")
        )


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _full_name(presence):
    return StringField(
        _l("Full name"),
        filters=[_strip],
        validators=[presence, _at_most(NAME_MAX)],
        render_kw={"autocomplete": "name"},
    )


class ProfileDetailsForm(SchoolForm):
    """The details a person keeps about themselves, each with its one set of limits.

    The profile page edits them and a correction request asks for them, so a value one
    accepts the other accepts too, and neither takes more than its column holds. Every field
    here may be left blank; the profile page requires a name on top.
    """

    full_name = _full_name(Optional())
    display_name = StringField(
        _l("Display name"),
        filters=[_strip],
        validators=[Optional(), _at_most(DISPLAY_NAME_MAX)],
        render_kw={"autocomplete": "nickname"},
    )
    phone = StringField(
        _l("Phone"),
        filters=[_strip],
        validators=[Optional(), _phone],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    address = TextAreaField(
        _l("Residential address"),
        filters=[_strip],
        validators=[Optional(), _at_most(ADDRESS_MAX)],
        render_kw={"autocomplete": "street-address", "rows": 3},
    )
    postal_code = StringField(
        _l("Postal code"),
        filters=[_strip],
        validators=[
            Optional(),
            Regexp(
                POSTAL_CODE_PATTERN,
                message=_l("A postal code has 3 to 10 letters, digits, spaces or dashes."),
            ),
        ],
        render_kw={"autocomplete": "postal-code"},
    )
    date_of_birth = birth_date_field()
    workplace = StringField(
        _l("Workplace"),
        filters=[_strip],
        validators=[Optional(), _at_most(WORKPLACE_MAX)],
        render_kw={"autocomplete": "organization"},
    )
    position = StringField(
        _l("Position"),
        filters=[_strip],
        validators=[Optional(), _at_most(POSITION_MAX)],
        render_kw={"autocomplete": "organization-title"},
    )
    education = TextAreaField(
        _l("Educational background"),
        filters=[_strip],
        validators=[Optional(), _at_most(LONG_TEXT_MAX)],
        render_kw={"rows": 4},
    )
    interests = TextAreaField(
        _l("Professional interests"),
        filters=[_strip],
        validators=[Optional(), _at_most(LONG_TEXT_MAX)],
        render_kw={"rows": 4},
    )
    learning_goals = TextAreaField(
        _l("Learning goals"),
        filters=[_strip],
        validators=[Optional(), _at_most(LONG_TEXT_MAX)],
        render_kw={"rows": 4},
    )


class ProfileForm(ProfileDetailsForm):
    full_name = _full_name(DataRequired(_l("Enter your name.")))
    locale = SelectField(_l("Preferred language of the site"))
    submit = SubmitField(_l("Save profile"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = choices(
            (code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]
        )


class PhotoForm(SchoolForm):
    photo = FileField(
        _l("Choose a photo"),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    submit = SubmitField(_l("Upload photo"))


class DeletePhotoForm(SchoolForm):
    submit = SubmitField(_l("Remove photo"))


class LanguageLevelForm(SchoolForm):
    language = SelectField(
        _l("Language you speak or learn"),
        choices=required_choices(LANGUAGES.items()),
        validators=[DataRequired()],
    )
    level = SelectField(
        _l("Your level"),
        choices=required_choices((level.value, level.value) for level in Level),
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Add or update"))


class RemoveLanguageForm(SchoolForm):
    """Only a CSRF token: the language comes from the URL."""


class AccessReasonForm(SchoolForm):
    reason = SelectField(_l("Why are you opening this profile?"), choices=[], default="support")
    note = StringField(
        _l("Details (shown to the student)"),
        filters=[_strip],
        validators=[Optional(), _at_most(200)],
    )
    submit = SubmitField(_l("Open the profile"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = choices(ACCESS_REASONS.items())
