"""Privacy: the data registry, consents, policy versions, and people's requests."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
admin_bp = Blueprint("privacy_admin", __name__, url_prefix="/admin/privacy")


def init_app(app) -> None:
    from school.pagecache import watch
    from school.privacy import admin_routes, centre_routes, models, routes  # noqa: F401

    watch(models.PolicyVersion)

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)

    from school.privacy import policy_admin

    policy_admin.init_app(app)

    @app.context_processor
    def policy_banner_context():
        """Whether to ask the signed-in person to accept a significantly changed policy.

        Anonymous visitors cost no query; a signed-in person costs one, once per request.
        """
        from flask import g, has_request_context, request
        from flask_login import current_user

        if not has_request_context() or not current_user.is_authenticated:
            return {"policy_to_accept": None}
        if request.endpoint == "privacy.accept":
            return {"policy_to_accept": None}
        if "policy_to_accept" not in g:
            from school.privacy.policies import version_needing_acceptance

            g.policy_to_accept = version_needing_acceptance(current_user)
        return {"policy_to_accept": g.policy_to_accept}

    from school.privacy.cli import privacy_cli

    app.cli.add_command(privacy_cli)
