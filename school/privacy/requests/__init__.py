"""People's requests to exercise a right: their lifecycle (``lifecycle``), legal clocks
(``clocks``, on ``school.clocks``), carrying them out, the privacy centre (``centre_routes``),
the staff queue (``staff_routes``), the access report (``report``) and the ``flask privacy``
commands (``cli``).

Above accounts and profile (a correction goes through the profile service, a staff look into
its access log), below intake and the newsletter, which register the email field names and
what a marketing withdrawal does."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l  # noqa: PLC0415

    from school.pagecache import fragments  # noqa: PLC0415
    from school.privacy.data import erasure, holdings, registry, retention  # noqa: PLC0415
    from school.privacy.requests import centre_routes, models, staff_routes  # noqa: F401, PLC0415
    from school.privacy.requests.cli import privacy_cli  # noqa: PLC0415
    from school.privacy.requests.erasing import (  # noqa: PLC0415
        forget_requests,
        resume_deferred_erasure,
        resume_deferred_erasures,
    )
    from school.privacy.requests.labels import STATUS_LABELS, TYPE_LABELS  # noqa: PLC0415
    from school.privacy.requests.lifecycle import expire_unconfirmed  # noqa: PLC0415
    from school.privacy.requests.retention_rules import (  # noqa: PLC0415
        count_closed_requests,
        count_expired_exports,
        delete_closed_requests,
        expire_exports,
    )

    retention.register_rule(
        registry.EXPORT_LINK,
        "exports",
        _l("data export archives whose link expired, deleted"),
        covers=("export_archives",),
        count=count_expired_exports,
        apply=expire_exports,
    )
    retention.register_rule(
        registry.REQUEST_EVIDENCE,
        "requests",
        _l("closed privacy requests and their history, deleted"),
        covers=("privacy_request", "privacy_request_event"),
        count=count_closed_requests,
        apply=delete_closed_requests,
    )
    retention.register_task(
        "unconfirmed_requests", _l("requests never confirmed, expired"), expire_unconfirmed
    )
    holdings.register_words("privacy_request.type", TYPE_LABELS)
    holdings.register_words("privacy_request.status", STATUS_LABELS)
    holdings.register_words("privacy_request_event.to_status", STATUS_LABELS)
    retention.register_task(
        "deferred_erasures",
        _l("deferred erasures carried out now nothing blocks them"),
        resume_deferred_erasures,
    )
    erasure.register_hook(forget_requests)
    erasure.register_resumer(resume_deferred_erasure)

    app.register_blueprint(staff_routes.bp)
    app.cli.add_command(privacy_cli)
    fragments.register(
        "privacy/_request_forms.html",
        lambda restricted: centre_routes.request_forms_context(restricted),
    )
    fragments.register(
        "privacy/_queue_filter.html",
        lambda kind, status: staff_routes.queue_filter_context(kind, status),
    )
