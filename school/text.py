"""Which characters a one-line piece of text (a name, a subject, a title) may hold.

A name ends up in email headers, page titles, exports and staff lists. Control characters
(CR and LF above all) can end a header and start another one; Unicode line separators do the
same in anything that splits lines; bidi overrides make text read backwards (a file called
``invoice‮fdp.exe``); zero-width characters make two different strings look the same. None
of them belongs in a name or a title, so forms refuse them (``school.forms.OneLine``) and the
mail builder folds any that reach it into spaces.
"""

from __future__ import annotations

import re
import unicodedata

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
# Cc: C0 and C1 controls, DEL, tab, CR, LF. Zl, Zp: U+2028 and U+2029, which
# ``str.splitlines`` (and so the email package) treats as line breaks.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def is_forbidden(character: str) -> bool:
    return (
        character in BIDI_CONTROLS
        or character in ZERO_WIDTH
        or unicodedata.category(character) in _FORBIDDEN_CATEGORIES
    )


def forbidden_characters(text: str) -> list[str]:
    """The characters of ``text`` that a one-line field refuses, each once, in order."""
    return list(dict.fromkeys(c for c in text if is_forbidden(c)))


_FORBIDDEN_RUN = re.compile(
    "["
    + "".join(re.escape(c) for c in sorted(BIDI_CONTROLS | ZERO_WIDTH))
    + r"\x00-\x1f\x7f-\x9f\u2028\u2029]+"
)


def one_line(text: str) -> str:
    """``text`` with every run of refused characters turned into one space, trimmed: the
    last guard, for text stored before the forms refused such characters."""
    return _FORBIDDEN_RUN.sub(" ", text).strip()
