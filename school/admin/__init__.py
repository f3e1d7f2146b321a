"""The staff home. Each domain keeps its own staff pages; admin owns no models of its own."""


def init_app(app) -> None:
    from school.admin import staff_routes  # noqa: PLC0415

    app.register_blueprint(staff_routes.bp)
