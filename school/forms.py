"""Form helpers shared by every domain package, and the base class of every form."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from school.text import forbidden_characters


def select_choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as the choice objects WTForms 3.3+ expects for a select."""
    return [SelectChoice(value, label) for value, label in pairs]


class OneLine:
    """Refuses line breaks, control characters, bidi overrides and zero-width characters.

    What one line of text (a name, a subject, a title) may hold is decided in
    :mod:`school.text`; see there for why each is refused.
    """

    def __init__(self, message=None):
        self.message = message or _l(
            "This field cannot hold line breaks, control characters or invisible "
            "formatting characters."
        )

    def __call__(self, form, field):
        if isinstance(field.data, str) and forbidden_characters(field.data):
            raise ValidationError(self.message)


def is_one_line(field) -> bool:
    """A text input of one line. A password is left alone: it is only ever hashed, and
    refusing characters in it would lock out whoever chose them."""
    return isinstance(field, StringField) and not isinstance(field, TextAreaField | PasswordField)


class SchoolForm(FlaskForm):
    """Every form of the site: Flask-WTF's (CSRF included), with :class:`OneLine` on each
    one-line text field, so a new field cannot forget it."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if is_one_line(field):
                field.validators = [OneLine(), *field.validators]
            return field


class ConfirmLinkForm(SchoolForm):
    """The one button on the page an emailed link opens. Opening a link changes nothing
    (mail scanners and link previews open every link they see, with GET or HEAD); pressing
    the button, a CSRF-protected POST, is what makes the change."""
