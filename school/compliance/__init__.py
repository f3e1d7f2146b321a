"""Compliance registers: processors and transfers, authority inquiries, breaches."""


def init_app(app) -> None:
    from school.compliance import models, staff_routes  # noqa: F401, PLC0415
    from school.compliance.services import active_processors  # noqa: PLC0415
    from school.privacy.data.recipients import register_processor_source  # noqa: PLC0415

    register_processor_source(active_processors)
    app.register_blueprint(staff_routes.bp)
