"""Staff pages. Every route here is staff-only; admin owns no models of its own."""

from flask import Blueprint

from school.security import staff_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@staff_required
def require_staff():
    """Defence in depth: even a route that forgets its decorator is staff-only."""


def init_app(app) -> None:
    from school.admin import routes  # noqa: F401, PLC0415

    app.register_blueprint(bp)
