"""Error pages: the site's own page, from a usable session, saying only what is true."""

import pytest
from flask_login import current_user
from sqlalchemy import select, text

from school.accounts.models import User
from school.extensions import db
from tests.conftest import AuthActions, create_user


@pytest.fixture
def failing_app(make_app, smtp):
    """An app with one extra page that fails as ``failure`` says, for a signed-in person
    (whose pages run queries of their own: the account and the policy banner)."""

    def build(failure):
        app = make_app(PROPAGATE_EXCEPTIONS=False)

        def fail():
            failure()
            return "not reached"

        app.add_url_rule("/failing", "failing", fail)
        with app.app_context():
            create_user("careful@example.com", full_name="Careful Person")
            db.engine.dispose()
        client = app.test_client()
        assert AuthActions(client).login("careful@example.com").status_code == 302
        return app, client

    return build


def full_name(app) -> str:
    with app.app_context():
        name = db.session.scalar(select(User.full_name))
        db.engine.dispose()
    return name


def test_a_failed_statement_gets_the_sites_page_saying_nothing_changed(failing_app):
    def rename_then_break_a_constraint():
        current_user.full_name = "Half Renamed"
        db.session.flush()
        # PostgreSQL now refuses every further query of this transaction, the page's own too.
        db.session.execute(text('INSERT INTO "user" (id) VALUES (NULL)'))

    app, client = failing_app(rename_then_break_a_constraint)
    response = client.get("/failing")
    assert response.status_code == 500
    assert "Go to the home page" in response.text  # the site's page, not Werkzeug's
    assert "Nothing was changed." in response.text
    assert full_name(app) == "Careful Person"


def test_a_failed_flush_gets_the_sites_page_saying_nothing_changed(failing_app):
    def rename_and_take_a_used_address():
        current_user.full_name = "Half Renamed"
        db.session.add(User(email=current_user.email, full_name="A Copy"))
        # The session now refuses to load anything, the signed-in person for the page too.
        db.session.flush()

    app, client = failing_app(rename_and_take_a_used_address)
    response = client.get("/failing")
    assert response.status_code == 500
    assert "Go to the home page" in response.text
    assert "Nothing was changed." in response.text
    assert full_name(app) == "Careful Person"


def test_a_failure_after_a_commit_does_not_claim_nothing_changed(failing_app):
    def rename_commit_then_fail():
        current_user.full_name = "Renamed Already"
        db.session.commit()
        raise RuntimeError("a step after the commit failed")

    app, client = failing_app(rename_commit_then_fail)
    response = client.get("/failing")
    assert response.status_code == 500
    assert "Nothing was changed" not in response.text
    assert "after part of it was saved" in response.text
    assert full_name(app) == "Renamed Already"
