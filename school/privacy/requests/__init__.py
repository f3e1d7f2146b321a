"""People's requests to exercise a right: their lifecycle (``lifecycle``), legal clocks
(``clocks``), carrying them out, the privacy centre (``centre_routes``), the staff queue
(``staff_routes``), the access report (``report``) and the ``flask privacy`` commands (``cli``)."""


def init_app(app) -> None:
    from school.privacy.data import erasure
    from school.privacy.requests import centre_routes, models, staff_routes  # noqa: F401
    from school.privacy.requests.cli import privacy_cli
    from school.privacy.requests.erasing import forget_requests, resume_deferred_erasure

    erasure.register_hook(forget_requests)
    erasure.register_resumer(resume_deferred_erasure)

    app.register_blueprint(staff_routes.bp)
    app.cli.add_command(privacy_cli)
