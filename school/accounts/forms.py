"""Account forms. Validation lives here; rules that need the database live in services."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from school.accounts.models import EMAIL_MAX, NAME_MAX

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
    processing_consent = BooleanField(
        validators=[InputRequired(_l("We need this consent to create your account."))]
    )
    marketing_consent = BooleanField(default=False)
    submit = SubmitField(_l("Create account"))


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
