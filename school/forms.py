"""Form helpers shared by every domain package."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import TextArea


def select_choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as the choice objects WTForms 3.3+ expects for a select."""
    return [SelectChoice(value, label) for value, label in pairs]


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
