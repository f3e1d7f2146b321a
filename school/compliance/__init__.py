"""Compliance registers: processors and transfers, authority inquiries, breaches."""


def init_app(app) -> None:
    from school.compliance import models, staff_routes  # noqa: F401

    app.register_blueprint(staff_routes.bp)
