"""Form helpers shared by every domain package."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def select_choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as the choice objects WTForms 3.3+ expects for a select."""
    return [SelectChoice(value, label) for value, label in pairs]
