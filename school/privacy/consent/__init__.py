"""Consent: the append-only ledger of what each person agreed to (``ledger``), the policy
versions consent is given to (``policies``), the public policy pages (``routes``) and the
staff pages that publish a version (``staff_routes``)."""


def init_app(app) -> None:
    from flask import g, has_request_context, request
    from flask_login import current_user

    from school.privacy.consent import models, routes, staff_routes  # noqa: F401
    from school.privacy.consent.policies import version_needing_acceptance

    staff_routes.init_app(app)

    @app.context_processor
    def policy_banner_context():
        """Whether to ask the signed-in person to accept a significantly changed policy.

        Anonymous visitors cost no query; a signed-in person costs one, once per request.
        """
        if not has_request_context() or not current_user.is_authenticated:
            return {"policy_to_accept": None}
        if request.endpoint == "privacy.accept":
            return {"policy_to_accept": None}
        if "policy_to_accept" not in g:
            g.policy_to_accept = version_needing_acceptance(current_user)
        return {"policy_to_accept": g.policy_to_accept}
