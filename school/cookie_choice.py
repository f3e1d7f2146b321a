"""The visitor's cookie choice, as the ``cookie_consent`` cookie records it.

Plumbing, read by every layer that sets or honours a cookie: the language selector
(``i18n``), the statistics and the pages. Recording a choice (a consent-ledger row) is the
``cookies`` package's work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

CONSENT_COOKIE = "cookie_consent"
LANGUAGE_COOKIE = "lang"
CHOICE_LIFETIME = timedelta(days=365)


@dataclass(frozen=True)
class CookieChoice:
    decided: bool = False
    functional: bool = False
    analytics: bool = False

    def as_cookie(self) -> str:
        return f"v1.f{int(self.functional)}.a{int(self.analytics)}"


def parse_choice(raw: str | None) -> CookieChoice:
    """Read the cookie; anything unexpected counts as no decision (so only essentials)."""
    if not raw:
        return CookieChoice()
    parts = raw.split(".")
    if (
        len(parts) != 3
        or parts[0] != "v1"
        or parts[1] not in ("f0", "f1")
        or parts[2]
        not in (
            "a0",
            "a1",
        )
    ):
        return CookieChoice()
    return CookieChoice(decided=True, functional=parts[1] == "f1", analytics=parts[2] == "a1")


def read_choice(request) -> CookieChoice:
    return parse_choice(request.cookies.get(CONSENT_COOKIE))
