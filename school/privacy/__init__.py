"""Privacy, in three rooms, each built on the one below it.

- ``data`` (the core, just above plumbing): the registry of personal data and what reads it:
  finding one person's rows, what a person is shown, export, erasure and retention.
- ``consent``: the consent ledger, the policy versions consent is given to, the policy pages
  and the staff pages that publish versions.
- ``requests`` (above accounts and profile): people's requests to exercise a right:
  lifecycle, legal clocks, carrying them out, the privacy centre, the staff queue, the access
  report and ``flask privacy``.

Nothing here imports a feature. A feature that holds personal data hands the core what it
needs at start-up, in its ``init_app``: erasure hooks and blockers, retention rules and
tasks, the photo for an export, the processor list, what a marketing withdrawal does, the
email field names.
The layers are written down in pyproject.toml (``[tool.importlinter]``).
"""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l  # noqa: PLC0415

    from school.mail import services as mail  # noqa: PLC0415
    from school.mail.models import SuppressedAddress  # noqa: PLC0415
    from school.privacy import consent, requests  # noqa: PLC0415
    from school.privacy.blueprint import bp  # noqa: PLC0415
    from school.privacy.data import erasure, registry, retention  # noqa: PLC0415

    # Mail is plumbing, below privacy: the retention of the sent-mail log, of the spool that
    # stands in for a mail server and of hard-bounce suppressions, and what erasure does to
    # messages (spooled copies deleted, queued ones not sent) are registered here.
    retention.register_rule(
        registry.MAIL_LOG,
        "outbox",
        _l("sent mail emptied or deleted"),
        covers=("outbox_message", "outbox_bodies"),
        count=mail.count_old_mail,
        apply=mail.purge_mail_log,
    )
    retention.register_rule(
        registry.MAIL_LOG,
        "spool",
        _l("copies of sent mail in the mail spool deleted"),
        covers=("mail_spool",),
        count=mail.count_old_spool_files,
        apply=mail.purge_spool,
    )
    retention.register_deletion(
        registry.MAIL_SUPPRESSION,
        "addresses",
        _l("addresses refused by their mail server, stop lifted and deleted"),
        SuppressedAddress,
        lambda cutoff: SuppressedAddress.created_at < cutoff,
    )
    erasure.register_hook(mail.forget_messages)

    consent.init_app(app)
    requests.init_app(app)
    app.register_blueprint(bp)
