"""Privacy: the data registry, consents, policy versions, and (to come) people's requests."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)


def init_app(app) -> None:
    from school.privacy import models, routes  # noqa: F401

    app.register_blueprint(bp)

    from school.privacy.cli import privacy_cli

    app.cli.add_command(privacy_cli)
