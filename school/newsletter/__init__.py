"""Newsletters: subscriptions that honour the consent ledger, composition and sending.

``bp`` holds the public pages (visitor double opt-in, an account's choice, one-click
unsubscribe); ``staff_routes`` the staff pages under /admin/newsletters. Messages go through the
outbox and are sent by ``flask mail send`` / ``flask mail worker``, never in the request.
"""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("newsletter", __name__)


def init_app(app) -> None:
    from school.mail.services import register_personaliser  # noqa: PLC0415
    from school.newsletter import models, routes, staff_routes  # noqa: F401, PLC0415
    from school.newsletter.services import (  # noqa: PLC0415
        TEMPLATE,
        count_unconfirmed,
        count_unsubscribed,
        fingerprint_unsubscribed,
        personalise,
        purge_unconfirmed,
        restrict_address,
        withdraw_address,
    )
    from school.privacy.data import registry, retention  # noqa: PLC0415
    from school.privacy.requests.carrying_out import (  # noqa: PLC0415
        register_address_restriction,
        register_marketing_withdrawal,
    )

    register_personaliser(TEMPLATE, personalise)
    retention.register_rule(
        registry.NEWSLETTER_SUBSCRIPTION,
        "unconfirmed",
        _l("newsletter sign-ups never confirmed, deleted"),
        covers=("newsletter_subscriber",),
        count=count_unconfirmed,
        apply=purge_unconfirmed,
    )
    retention.register_rule(
        registry.NEWSLETTER_SUBSCRIPTION,
        "unsubscribed",
        _l("addresses unsubscribed from the newsletter, reduced to a fingerprint"),
        covers=("newsletter_subscriber",),
        count=count_unsubscribed,
        apply=fingerprint_unsubscribed,
    )
    register_marketing_withdrawal(withdraw_address)
    register_address_restriction(restrict_address)
    app.register_blueprint(bp)
    app.register_blueprint(staff_routes.bp)
