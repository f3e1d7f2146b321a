"""Consent: the append-only ledger of what each person agreed to (``ledger``), the policy
versions consent is given to (``policies``), the public policy pages (``routes``) and the
staff pages that publish a version (``staff_routes``).

Above the data core, below accounts, cookies and the newsletter, which record consent here;
the policy page's processor list comes from ``data.recipients``, not from compliance."""

from flask import g, has_request_context, request
from flask_login import current_user


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l  # noqa: PLC0415

    from school.pagecache import watch  # noqa: PLC0415
    from school.privacy.consent import models, routes, staff_routes  # noqa: F401, PLC0415
    from school.privacy.consent.ledger import (  # noqa: PLC0415
        ACTION_LABELS,
        PURPOSE_LABELS,
        count_ended_consents,
        delete_ended_consents,
    )
    from school.privacy.consent.policies import version_needing_acceptance  # noqa: PLC0415
    from school.privacy.data import holdings, registry, retention  # noqa: PLC0415

    watch(models.PolicyVersion)  # the policy page shows the versions
    staff_routes.init_app(app)
    holdings.register_words("consent_record.purpose", PURPOSE_LABELS)
    holdings.register_words("consent_record.action", ACTION_LABELS)
    retention.register_rule(
        registry.CONSENT_EVIDENCE,
        "ended_consents",
        _l("records of consents that ended (withdrawn, replaced, cookie choice expired), deleted"),
        covers=("consent_record",),
        count=count_ended_consents,
        apply=delete_ended_consents,
    )

    @app.context_processor
    def policy_banner_context():
        """Whether to ask the signed-in person to accept a significantly changed policy.

        Anonymous visitors cost no query; a signed-in person costs none either, since the
        sign-in lookup reads it (a person signed in during this request costs one).
        """
        if not has_request_context():
            return {"policy_to_accept": None}
        user = current_user._get_current_object()  # one lookup, not one a use
        if not user.is_authenticated or request._get_current_object().endpoint == "privacy.accept":
            return {"policy_to_accept": None}
        request_globals = g._get_current_object()
        if "policy_to_accept" not in request_globals:
            request_globals.policy_to_accept = (
                user.policy_to_accept
                if user.policy_to_accept_known
                else version_needing_acceptance(user)
            )
        return {"policy_to_accept": request_globals.policy_to_accept}
