"""Version counters are read on a connection kept open for them: every read sees what is
committed at that moment, holds nothing open between reads, and survives a broken
connection, a fork and the engine's disposal."""

import os

from sqlalchemy import select, text, update

from school.database import committed_value
from school.extensions import db
from school.pagecache.models import SINGLE_ROW, ContentVersion

VERSION = select(ContentVersion.version).where(ContentVersion.id == SINGLE_ROW)


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
