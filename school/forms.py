"""Form helpers shared by every domain package."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

# The first option of a required select: HTML wants it empty, so that "nothing chosen yet"
# is a state the browser and DataRequired both recognise, rather than a silent default.
PLACEHOLDER = ("", _l("Choose…"))


def select_choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as the choice objects WTForms 3.3+ expects for a select."""
    return [SelectChoice(value, label) for value, label in pairs]


def required_choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """Choices for a required select, led by the empty placeholder option."""
    return select_choices([PLACEHOLDER, *pairs])
