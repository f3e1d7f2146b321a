"""Sign-ups that race, and a database that is busy."""

import threading

from sqlalchemy import func, select

from school.accounts.models import User
from school.extensions import db
from school.privacy.consent.models import ConsentRecord
from tests.conftest import GIVE_UP_QUICKLY, database_locked


def test_two_signups_racing_for_one_address_make_one_account(app, smtp):
    clients = [app.test_client() for _ in range(4)]
    tokens = [c.csrf_token() for c in clients]
    start = threading.Barrier(len(clients))
    answers = []

    def sign_up(client, token, number):
        start.wait()
        response = client.post(
            "/signup",
            data={
                "csrf_token": token,
                "full_name": f"Racer {number}",
                "email": "race@example.com",
                "password": "a long enough password",
                "date_of_birth": "1990-05-17",
                "processing_consent": "y",
            },
        )
        answers.append(response.status_code)

    threads = [
        threading.Thread(target=sign_up, args=(c, t, n))
        for n, (c, t) in enumerate(zip(clients, tokens, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [302] * len(clients)  # everyone sees the same neutral answer
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    user = db.session.scalar(select(User))
    consents = db.session.scalars(select(ConsentRecord.user_id)).all()
    assert consents == [user.id]  # no orphan consent from a losing sign-up


def test_a_busy_database_gets_a_clear_answer_and_changes_nothing(make_app, smtp):
    """SQLite's busy timeout and PostgreSQL's lock timeout end in the same page."""
    app = make_app(**GIVE_UP_QUICKLY)
    client = app.test_client()
    token = client.csrf_token()
    with database_locked(app):
        response = client.post(
            "/signup",
            data={
                "csrf_token": token,
                "full_name": "Patient Person",
                "email": "patient@example.com",
                "password": "a long enough password",
                "date_of_birth": "1990-05-17",
                "processing_consent": "y",
            },
        )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "nothing was changed" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        db.engine.dispose()
