"""Privacy: the data registry, consents, policy versions, and people's requests."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
admin_bp = Blueprint("privacy_admin", __name__, url_prefix="/admin/privacy")


def init_app(app) -> None:
    from school.privacy import admin_routes, centre_routes, models, routes  # noqa: F401

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)

    from school.privacy.cli import privacy_cli

    app.cli.add_command(privacy_cli)
