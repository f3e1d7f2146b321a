"""Account forms. Validation lives here; rules that need the database live in services."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from school.accounts.models import EMAIL_MAX, NAME_MAX
from school.accounts.services import age_on, is_minor, normalise_email

# The ages a date of birth may give, in full years, wherever one is typed (see
# plausible_birth_date).
YOUNGEST_AGE = 5
OLDEST_AGE = 120
PASSWORD_MAX = 128  # bcrypt reads only 72 bytes; a longer limit would be a false promise


def _password_strength(form, field):
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(_l("Use at least %(count)d characters.", count=minimum))
    if len((field.data or "").encode()) > 72:
        raise ValidationError(_l("Use at most 72 bytes (about 72 Latin or 36 Cyrillic letters)."))


def email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=EMAIL_MAX, message=_l("An email address has at most 254 characters.")),
            Email(
                message=_l("Enter a valid email address, like name@example.com."),
                check_deliverability=False,
            ),
        ],
        render_kw={"autocomplete": "email"},
    )


def new_password_field(label=None):
    return PasswordField(
        label or _l("Password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(max=PASSWORD_MAX, message=_l("That password is too long.")),
            _password_strength,
        ],
        render_kw={"autocomplete": "new-password"},
    )


class BirthDateField(DateField):
    """A date field whose complaint about an unreadable date says what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(
                _l("Enter your date of birth as a date, like 2001-03-31 (year, month, day).")
            ) from error


def plausible_birth_date(form, field):
    """The one rule for a date of birth, at sign-up, on the profile and in a correction.

    It must be in the past and give an age from YOUNGEST_AGE to OLDEST_AGE full years. The
    lower bound holds everywhere, sign-up included: the school teaches nobody under five on
    an account of their own (a child that young learns through a parent, and the consent is
    the parent's), and a date less than five years ago is nearly always this year typed in
    place of the birth year. Accepting it at sign-up would open an account, and ask a
    "guardian" for consent, on a date the profile would then refuse to keep.
    """
    born: date | None = field.data
    if born is None:  # blank (the field's own rule decides) or unreadable (already said)
        return
    today = date.today()  # noqa: DTZ011 (the calendar date is what a person means here)
    if born > today:
        raise StopValidation(_l("A date of birth cannot be in the future."))
    age = age_on(born, today)
    if age > OLDEST_AGE:
        raise StopValidation(_l("Please check the year: that is more than 120 years ago."))
    if age < YOUNGEST_AGE:
        raise StopValidation(_l("Please check the year: that is less than 5 years ago."))


def birth_date_field(required_message=None) -> BirthDateField:
    """A date of birth under the one rule; required when given the message to show if blank."""
    presence = InputRequired(required_message) if required_message else Optional()
    return BirthDateField(
        _l("Date of birth"),
        validators=[presence, plausible_birth_date],
        render_kw={"autocomplete": "bday"},
    )


class SignupForm(FlaskForm):
    full_name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(_l("Enter your name.")),
            Length(max=NAME_MAX, message=_l("Use at most %(max)d characters.", max=NAME_MAX)),
        ],
        render_kw={"autocomplete": "name"},
    )
    email = email_field()
    password = new_password_field()
    date_of_birth = birth_date_field(_l("Enter your date of birth."))
    # Always on the page (the form works without JavaScript); required only for a minor.
    guardian_name = StringField(
        _l("Parent or guardian's name"),
        validators=[
            Optional(),
            Length(max=NAME_MAX, message=_l("Use at most %(max)d characters.", max=NAME_MAX)),
        ],
    )
    guardian_email = EmailField(
        _l("Parent or guardian's email"),
        validators=[
            Optional(),
            Length(max=EMAIL_MAX, message=_l("An email address has at most 254 characters.")),
            Email(
                message=_l("Enter a valid email address, like name@example.com."),
                check_deliverability=False,
            ),
        ],
    )
    processing_consent = BooleanField(
        validators=[InputRequired(_l("We need this consent to create your account."))]
    )
    marketing_consent = BooleanField(default=False)
    submit = SubmitField(_l("Create account"))

    @property
    def is_minor(self) -> bool:
        born = self.date_of_birth.data
        return born is not None and not self.date_of_birth.errors and is_minor(born)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.is_minor:
            return valid
        # Under the age of consent: a parent or guardian gives it, so we need to reach them.
        if not (self.guardian_name.data or "").strip():
            self.guardian_name.errors.append(_l("Enter the full name of your parent or guardian."))
            valid = False
        guardian_email = (self.guardian_email.data or "").strip()
        if not guardian_email:
            self.guardian_email.errors.append(
                _l("Enter the email address of your parent or guardian.")
            )
            valid = False
        elif not self.guardian_email.errors and normalise_email(guardian_email) == (
            normalise_email(self.email.data or "")
        ):
            self.guardian_email.errors.append(
                _l("Your parent or guardian's address must be different from your own.")
            )
            valid = False
        return valid


class GuardianConsentForm(FlaskForm):
    marketing_consent = BooleanField(default=False)
    submit = SubmitField(_l("I give consent on their behalf"))


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Log out"))


class SignOutEverywhereForm(FlaskForm):
    submit = SubmitField(_l("Sign out everywhere"))


class SignInLinkRequestForm(FlaskForm):
    email = email_field()
    submit = SubmitField(_l("Email me a sign-in link"))


class SignInByLinkForm(FlaskForm):
    """Only a button: following a link (a mail scanner's prefetch) must not sign anyone in."""

    submit = SubmitField(_l("Sign in"))


class ResendConfirmationForm(FlaskForm):
    email = email_field()
    submit = SubmitField(_l("Send the link again"))


class PasswordResetRequestForm(FlaskForm):
    email = email_field()
    submit = SubmitField(_l("Send reset link"))


class PasswordResetForm(FlaskForm):
    password = new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Set new password"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


class EmailChangeForm(FlaskForm):
    new_email = email_field(_l("New email address"))
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Send confirmation to the new address"))
