"""Privacy, in three rooms, each built on the one below it.

- ``data`` (the core, just above plumbing): the registry of personal data and what reads it:
  finding one person's rows, what a person is shown, export, erasure and retention.
- ``consent``: the consent ledger, the policy versions consent is given to, the policy pages
  and the staff pages that publish versions.
- ``requests`` (above accounts and profile): people's requests to exercise a right:
  lifecycle, legal clocks, carrying them out, the privacy centre, the staff queue, the access
  report and ``flask privacy``.

Nothing here imports a feature. A feature that holds personal data hands the core what it
needs at start-up, in its ``init_app``: erasure hooks and blockers, retention jobs, the photo
for an export, the processor list, what a marketing withdrawal does, the email field names.
The layers are written down in pyproject.toml (``[tool.importlinter]``).
"""


def init_app(app) -> None:
    from school.mail.services import forget_messages, purge_mail_log  # noqa: PLC0415
    from school.privacy import consent, requests  # noqa: PLC0415
    from school.privacy.blueprint import bp  # noqa: PLC0415
    from school.privacy.data import erasure, retention  # noqa: PLC0415

    # Mail is plumbing, below privacy: the sent-mail log's retention and what erasure does to
    # messages (spooled copies deleted, queued ones not sent) are registered here.
    retention.register_job("sent mail older than 90 days removed", purge_mail_log)
    erasure.register_hook(forget_messages)

    consent.init_app(app)
    requests.init_app(app)
    app.register_blueprint(bp)
