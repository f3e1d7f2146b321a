"""Reading and recording cookie choices.

The choice itself lives in the ``cookie_consent`` cookie, which is essential: without it the
site could not remember that a person refused. For a signed-in person each change is also a
consent-ledger row. Functional cookies (``lang``) are set only while functional consent
stands; analytics only while analytics consent stands.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from school.cookie_choice import (
    CHOICE_LIFETIME,
    CONSENT_COOKIE,
    LANGUAGE_COOKIE,
    CookieChoice,
)
from school.extensions import db
from school.privacy.consent.ledger import record_consent
from school.privacy.consent.models import ConsentAction, ConsentPurpose

FUNCTIONAL_COOKIES = (LANGUAGE_COOKIE, "video_speed", "captions")
ANALYTICS_COOKIES = ("visit_id",)

WORDING = {
    ConsentPurpose.COOKIES_FUNCTIONAL: _l(
        "Functional cookies: remember my language and video settings on this device."
    ),
    ConsentPurpose.COOKIES_ANALYTICS: _l(
        "Analytics: count my visits with the school's own statistics, my IP address shortened."
    ),
}


def apply_choice(response, choice: CookieChoice, *, previous: CookieChoice, user, ip, language):
    """Store the choice on the response, drop cookies no longer allowed, record it."""
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    response.set_cookie(
        CONSENT_COOKIE,
        choice.as_cookie(),
        max_age=int(CHOICE_LIFETIME.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=secure,
    )
    if not choice.functional:
        for name in FUNCTIONAL_COOKIES:
            response.delete_cookie(name)
    if not choice.analytics:
        for name in ANALYTICS_COOKIES:
            response.delete_cookie(name)
    if user is not None and user.is_authenticated:
        _record(user, previous, choice, ip, language)


def _record(user, previous: CookieChoice, choice: CookieChoice, ip, language) -> None:
    changes = (
        (ConsentPurpose.COOKIES_FUNCTIONAL, previous.functional, choice.functional),
        (ConsentPurpose.COOKIES_ANALYTICS, previous.analytics, choice.analytics),
    )
    wrote = False
    for purpose, before, after in changes:
        if previous.decided and before == after:
            continue
        record_consent(
            user=user,
            purpose=purpose,
            action=ConsentAction.GIVEN if after else ConsentAction.WITHDRAWN,
            method="cookie choices",
            language=language,
            wording=str(WORDING[purpose]),
            ip_address=ip,
        )
        wrote = True
    if wrote:
        db.session.commit()


def remember_language(response, language: str, choice: CookieChoice) -> None:
    """Keep the language in a long-lived cookie, only with functional consent."""
    if choice.functional:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=int(CHOICE_LIFETIME.total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
