"""Work that belongs to one database: after an erasure, PostgreSQL vacuums what it touched,
and that clean-up never turns a done erasure into an error."""

import logging

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from school.accounts.models import Role, User
from school.extensions import db
from tests.conftest import GIVE_UP_QUICKLY, AuthActions, create_user
from tests.privacy.helpers import ask, decide, latest

pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def erasure_awaiting_review(make_app, smtp):
    """An app whose connections give up on a held lock at once, a person who asked for
    erasure, and a signed-in staff member's client to approve it."""
    app = make_app(**GIVE_UP_QUICKLY)
    with app.app_context():
        create_user("leaving@example.com", full_name="Leaving Person")
        create_user("staff@example.com", role=Role.STAFF)
        person, staff = app.test_client(), app.test_client()
        AuthActions(person).login("leaving@example.com")
        AuthActions(staff).login("staff@example.com")
        ask(person, "erasure")
        yield app, staff, latest()
        db.session.remove()
        db.engine.dispose()


def last_vacuum(table: str):
    db.session.execute(text("SELECT pg_stat_clear_snapshot()"))
    return db.session.scalar(
        text("SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = :table"),
        {"table": table},
    )


def test_an_erasure_vacuums_the_tables_it_changed(erasure_awaiting_review):
    app, staff, request = erasure_awaiting_review
    assert last_vacuum("user") is None and last_vacuum("consent_record") is None
    assert "Done; the person is told by email." in decide(staff, request)
    assert last_vacuum("user") is not None
    assert last_vacuum("consent_record") is not None


def test_an_erasure_whose_vacuum_cannot_start_is_still_done_and_logged(
    erasure_awaiting_review, caplog
):
    app, staff, request = erasure_awaiting_review
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with engine.connect() as other, caplog.at_level(logging.ERROR):
        # The lock another VACUUM (or an index build) holds: writes go on, a VACUUM waits.
        other.execute(text('LOCK TABLE "user" IN SHARE UPDATE EXCLUSIVE MODE'))
        page = decide(staff, request)
        other.rollback()
    engine.dispose()
    assert "Done; the person is told by email." in page
    db.session.expire_all()
    erased = db.session.scalar(select(User).where(User.role == Role.STUDENT))
    assert erased.erased_at is not None
    assert "could not clear overwritten values" in caplog.text
