"""Privacy, in three sub-packages by subject.

- ``data``: the registry of personal data and what reads it: finding one person's rows,
  what a person is shown, export, erasure and retention.
- ``consent``: the consent ledger, the policy versions consent is given to, the policy pages
  and the staff pages that publish versions.
- ``requests``: people's requests to exercise a right: lifecycle, legal clocks, carrying them
  out, the privacy centre, the staff queue, the access report and ``flask privacy``.
"""


def init_app(app) -> None:
    from school.privacy import consent, requests
    from school.privacy.blueprint import bp

    consent.init_app(app)
    requests.init_app(app)
    app.register_blueprint(bp)
