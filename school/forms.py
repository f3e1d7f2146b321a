"""Form helpers shared by every domain package, and the base class of every form."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import TextArea

from school.text import forbidden_characters

# The first option of a required select: HTML wants it empty, so that "nothing chosen yet"
# is a state the browser and DataRequired both recognise, rather than a silent default.
PLACEHOLDER = ("", _l("Choose…"))


def select_choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as the choice objects WTForms 3.3+ expects for a select."""
    return [SelectChoice(value, label) for value, label in pairs]


def required_choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """Choices for a required select, led by the empty placeholder option."""
    return select_choices([PLACEHOLDER, *pairs])


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
    """A text input of one line a person types. A password is left alone: it is only ever
    hashed, and refusing characters in it would lock out whoever chose them. A hidden field
    is not typed: the code that reads it checks it (``next`` goes through is_safe_redirect)."""
    return isinstance(field, StringField) and not isinstance(
        field, TextAreaField | PasswordField | HiddenField
    )


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


@dataclass(frozen=True)
class BlankField:
    """What an empty field needs to be written as plain HTML: a page showing many blank
    forms (the privacy centre shows ten) pays for WTForms' widgets on every request, while
    these facts never change. The form class still parses and validates what is sent."""

    name: str
    label: object  # a lazy string, translated when the page is rendered
    textarea: bool
    input_type: str
    maxlength: int | None
    required: bool


@cache
def blank_fields(form_class) -> dict[str, BlankField]:
    """The visible fields of ``form_class``, read once from its declaration."""
    fields = {}
    for name in dir(form_class):
        unbound = getattr(form_class, name)
        if not isinstance(unbound, UnboundField):
            continue
        widget = unbound.field_class.widget
        input_type = getattr(widget, "input_type", "")
        if input_type in ("hidden", "submit"):
            continue
        validators = unbound.kwargs.get("validators") or (unbound.args[1:2] or [[]])[0]
        lengths = [v.max for v in validators if isinstance(v, Length) and v.max >= 0]
        fields[name] = BlankField(
            name=name,
            label=unbound.kwargs.get("label") or (unbound.args[0] if unbound.args else name),
            textarea=isinstance(widget, TextArea),
            input_type=input_type,
            maxlength=min(lengths) if lengths else None,
            required=any(isinstance(v, DataRequired | InputRequired) for v in validators),
        )
    return fields
