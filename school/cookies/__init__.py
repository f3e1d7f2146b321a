"""Cookie consent: essential cookies only, until a person chooses otherwise."""

from flask import Blueprint, has_request_context, request

from school.cookie_choice import read_choice

bp = Blueprint("cookies", __name__)


def init_app(app) -> None:
    from school.cookies import routes  # noqa: PLC0415

    app.register_blueprint(bp)

    @app.context_processor
    def cookie_context():
        if not has_request_context():  # emails and other renders outside a page
            return {"show_cookie_banner": False}

        choice = read_choice(request._get_current_object())
        return {
            "cookie_choice": choice,
            "show_cookie_banner": not choice.decided,
        }

    assert routes  # registered by import
