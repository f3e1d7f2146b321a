"""Shared database helpers.

Version counters are read on a connection kept open for them: every read sees what is
committed at that moment, holds nothing open between reads, and survives a broken
connection, a fork and the engine's disposal. A prebuilt statement finds its compiled SQL by
identity, once per database, and runs like any other statement."""

import os
import threading
from datetime import date

import pytest
from sqlalchemy import bindparam, event, select, text, update
from sqlalchemy.engine.interfaces import CacheStats
from sqlalchemy.exc import DBAPIError

from school.accounts.models import Role, User
from school.database import Prebuilt, committed_value, utcnow
from school.enrollment.models import Enrollment, EnrollmentStatus
from school.extensions import db
from school.pagecache.models import SINGLE_ROW, ContentVersion
from school.profile.models import Profile

VERSION = Prebuilt(select(ContentVersion.version).where(ContentVersion.id == SINGLE_ROW))


def reader(app):
    return app.extensions["committed_value_readers"][db.engine]


def bump() -> None:
    db.session.execute(
        update(ContentVersion)
        .where(ContentVersion.id == SINGLE_ROW)
        .values(version=ContentVersion.version + 1)
    )
    db.session.commit()


def test_each_read_sees_what_was_committed_since_the_last(app):
    before = committed_value(VERSION)
    bump()
    assert committed_value(VERSION) == before + 1
    bump()
    assert committed_value(VERSION) == before + 2


def test_a_change_not_yet_committed_is_not_seen(app):
    before = committed_value(VERSION)
    db.session.execute(update(ContentVersion).values(version=ContentVersion.version + 1))
    db.session.flush()  # written in the session's transaction, which is still open
    assert committed_value(VERSION) == before
    db.session.rollback()


def test_no_transaction_is_held_between_reads(app):
    committed_value(VERSION)
    if db.engine.dialect.name == "sqlite":
        # A read snapshot left open would keep the log from being folded into the file.
        busy, _, _ = db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).one()
        assert busy == 0
    else:
        states = db.session.scalars(
            text(
                "SELECT state FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).all()
        assert "idle in transaction" not in states
    db.session.rollback()


def test_a_broken_connection_is_replaced_on_the_next_read(app):
    before = committed_value(VERSION)
    reader(app)._connection.connection.dbapi_connection.close()  # the database restarted, say
    bump()
    assert committed_value(VERSION) == before + 1


def test_disposing_of_the_engine_closes_it(app):
    committed_value(VERSION)
    assert reader(app)._connection is not None
    db.engine.dispose()
    assert reader(app)._connection is None
    assert committed_value(VERSION) is not None


def test_threads_share_the_kept_connection(app):
    """The development server answers each request on a thread of its own."""
    before = committed_value(VERSION)
    seen = []

    def read():
        with app.app_context():
            seen.append((committed_value(VERSION), reader(app)._connection))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [value for value, _ in seen] == [before] * 4
    assert {id(connection) for _, connection in seen} == {id(reader(app)._connection)}


def test_a_forked_process_reads_on_its_own_connection_and_leaves_the_parents_open(app):
    before = committed_value(VERSION)
    parents = reader(app)._connection
    child = os.fork()
    if child == 0:  # pragma: no cover (the child's result is its exit status)
        ok = False
        try:
            ok = committed_value(VERSION) == before and reader(app)._connection is not parents
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert parents.exec_driver_sql("SELECT 1").scalar() == 1  # still open after the child's exit
    assert reader(app)._connection is parents
    assert committed_value(VERSION) == before


def test_the_reads_are_counted_with_the_pages_statements(app, count_queries):
    with count_queries() as counter:
        committed_value(VERSION)
    assert counter.count == 1


def test_a_prebuilt_statement_is_compiled_once_and_found_again(app, count_queries):
    prebuilt = Prebuilt(select(User.id).where(User.email == bindparam("email")))
    hits = []

    def record(conn, cursor, statement, parameters, context, executemany):
        hits.append(context.cache_hit)

    event.listen(db.engine, "after_cursor_execute", record)
    try:
        with count_queries() as counter:
            for _ in range(3):
                prebuilt.execute(db.session.connection(), {"email": "nobody@example.com"})
    finally:
        event.remove(db.engine, "after_cursor_execute", record)
    assert hits == [CacheStats.CACHE_MISS, CacheStats.CACHE_HIT, CacheStats.CACHE_HIT]
    assert counter.count == 3


def test_a_prebuilt_statement_answers_like_the_statement(app, make_user):
    person = make_user("someone@example.com")
    statement = select(User.email).where(User.id == bindparam("user_id"))
    prebuilt = Prebuilt(statement)
    for _ in range(2):
        found = prebuilt.execute(db.session.connection(), {"user_id": person.id}).scalar()
        assert found == db.session.execute(statement, {"user_id": person.id}).scalar()
        assert found == "someone@example.com"


def test_each_database_gets_its_own_compiled_statement(make_app):
    prebuilt = Prebuilt(select(User.id).where(User.email == bindparam("email")))
    for _ in range(2):
        application = make_app()
        with application.app_context():
            found = prebuilt.execute(db.session.connection(), {"email": "x@example.com"})
            assert found.all() == []
            db.session.remove()
            db.engine.dispose()
    assert len(prebuilt._options["compiled_cache"]) == 2


# --- plain rows on the driver's cursor ------------------------------------------------------


def _as_execute_gives(prebuilt: Prebuilt, parameters: dict) -> list[tuple]:
    return [tuple(row) for row in prebuilt.execute(db.session.connection(), parameters)]


def test_plain_rows_hold_the_values_sqlalchemy_would_give(app, make_user):
    """Dates, UTC timestamps, enumerations, encrypted text, nulls, and a parameter the
    statement fixes itself (the limit), each converted by its type on the way in and out."""
    person = make_user("rows@example.com", role=Role.STAFF)
    db.session.add(Profile(user=person, phone="+44 20 7946 0000", date_of_birth=date(1990, 5, 17)))
    db.session.commit()
    statement = (
        select(
            User.email,
            User.role,
            User.created_at,
            User.erased_at,
            Profile.phone,
            Profile.date_of_birth,
            Profile.address,
        )
        .join(Profile, Profile.user_id == User.id)
        .where(User.id == bindparam("user_id"), User.created_at <= bindparam("now"))
        .limit(1)
    )
    prebuilt = Prebuilt(statement)
    asked = {"user_id": person.id, "now": utcnow()}
    for _ in range(2):  # the first run learns the columns' conversions, the second uses them
        rows = prebuilt.rows(db.session.connection(), asked)
        assert rows == _as_execute_gives(prebuilt, asked)
    [(email, role, created_at, erased_at, phone, born, address)] = rows
    assert (email, role, phone, born) == ("rows@example.com", Role.STAFF, "+44 20 7946 0000",
                                          date(1990, 5, 17))  # fmt: skip
    assert created_at.tzinfo is not None and erased_at is None and address is None


def test_the_pages_statements_read_as_plain_rows_what_they_read_through_sqlalchemy(
    app, make_user, make_course
):
    from school.accounts import sessions
    from school.enrollment import services as enrolment
    from school.privacy.requests import asking, lifecycle, queue
    from school.privacy.requests.models import RequestChannel, RequestType

    person = make_user()
    sign_in = sessions.start(person)
    db.session.commit()
    course = make_course()
    db.session.add(Enrollment(user=person, course=course, status=EnrollmentStatus.ACTIVE))
    lifecycle.submit_request(
        RequestType.ACCESS,
        channel=RequestChannel.WEB,
        language="en",
        user=person,
        confirmed_by_session=True,
    )
    db.session.commit()
    today = utcnow().date()
    for prebuilt, asked in (
        (sessions._SIGN_IN_WITH_ACCOUNT, {"token": sign_in.token, "today": today}),
        (enrolment._DASHBOARD, {"user_id": person.id}),
        (asking._REQUESTS_OF, {"user_id": person.id}),
        (queue._DEADLINES, queue._deadline_bounds(today)),
    ):
        rows = prebuilt.rows(db.session.connection(), asked)
        assert rows, prebuilt.statement
        assert rows == _as_execute_gives(prebuilt, asked)


def test_plain_rows_are_counted_with_the_pages_statements(app, count_queries):
    prebuilt = Prebuilt(select(User.id).where(User.email == bindparam("email")))
    with count_queries() as counter:
        assert prebuilt.rows(db.session.connection(), {"email": "nobody@example.com"}) == []
    assert counter.count == 1


def test_a_statement_finished_only_when_run_goes_through_sqlalchemy(app, make_user):
    """Parameters expanded when the statement runs (``IN`` a list) have no fixed SQL."""
    person = make_user("in@example.com")
    prebuilt = Prebuilt(select(User.email).where(User.id.in_(bindparam("ids", expanding=True))))
    assert prebuilt.rows(db.session.connection(), {"ids": [person.id, -1]}) == [("in@example.com",)]


def test_a_failing_plain_read_raises_sqlalchemys_error(app):
    prebuilt = Prebuilt(select(text("no_such_column")).select_from(User))
    with pytest.raises(DBAPIError):
        prebuilt.rows(db.session.connection())
    db.session.rollback()
