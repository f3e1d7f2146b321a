"""Database helpers shared by every domain package: UTC time, SQLite tuning, counters read
as committed, and the backend-specific clean-up after personal data is overwritten."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Collection
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.sql import Executable, Select
from sqlalchemy.types import DateTime, Enum, TypeDecorator

from school.extensions import db


def utcnow() -> datetime:
    """Now, timezone-aware in UTC; the callable default of every timestamp column."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always read back timezone-aware.

    SQLite keeps no zone information, so without this a value written aware comes back naive
    and comparisons with :func:`utcnow` fail.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def value_enum(kind, length: int = 32) -> Enum:
    """A Python enum stored as its values in a plain string column, not a database enum type,
    so a new member needs no schema change."""
    return Enum(
        kind, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record):
    """WAL, enforced foreign keys and secure delete for every SQLite connection.

    The busy timeout is the driver's ``timeout`` (``SQLITE_BUSY_TIMEOUT`` seconds), set in
    the engine options by the configuration.
    """
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Erased values are overwritten on disk, not left in free pages of the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def forget_overwritten_values(engine, tables: Collection[str]) -> None:
    """After a commit that overwrote or deleted personal data, let the old values go.

    SQLite (with ``secure_delete``, the file keeps none of them) folds its write-ahead log,
    where they live on until a checkpoint, into the file. PostgreSQL ``VACUUM``s the tables,
    outside any transaction, which marks the dead row versions as free space to be reused:
    it does not overwrite them (README, "Scaling out", says what stays where and how long).

    This runs after the commit, on a connection of its own (the committed session may emit
    no more SQL): what the person asked for is done, so a failure here (a lock held too
    long, say) is logged and never turns the answer into an error.
    """
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        elif engine.dialect.name == "postgresql":
            quote = engine.dialect.identifier_preparer.quote
            names = ", ".join(quote(name) for name in sorted(set(tables)))
            if names:
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text(f"VACUUM {names}"))
    except SQLAlchemyError:
        current_app.logger.exception("could not clear overwritten values of %s", sorted(tables))


class _CompiledByIdentity(dict):
    """The compiled forms of one statement, one per dialect, found by identity.

    SQLAlchemy asks its compiled cache with ``(dialect, cache key, column keys, flags)``.
    The cache key of a statement that never changes is the same tuple object on every
    execution (SQLAlchemy memoizes it), so it is compared with ``is`` here instead of hashed:
    a dictionary would hash the whole nested tuple again each time. Only ``get`` and item
    assignment are used by SQLAlchemy.
    """

    MOST_DIALECTS = 8  # one per engine: more only in a test run making app after app

    def get(self, key, default=None):
        found = dict.get(self, key[0])
        if found is not None and found[0] is key[1] and found[1] == key[2:]:
            return found[2]
        return default

    def __setitem__(self, key, compiled) -> None:
        if len(self) >= self.MOST_DIALECTS:
            self.clear()
        dict.__setitem__(self, key[0], (key[1], key[2:], compiled))


class Prebuilt:
    """A statement built once, at import, and run by many requests (the sign-in lookup, the
    lists of the dashboard and the privacy centre).

    SQLAlchemy finds a statement's compiled SQL by hashing its cache key, a nested tuple as
    large as the statement, in which each annotated column hashes itself in Python. For the
    statements every signed-in page runs, that hashing was about 6% of the dashboard's time
    in a gunicorn worker (py-spy). A prebuilt statement keeps its own compiled SQL and finds
    it by identity (:class:`_CompiledByIdentity`); everything else about executing it is
    SQLAlchemy's, events and statement counts included.

    A query every signed-in page runs can also be read as plain rows (:meth:`rows`), on the
    driver's own cursor.
    """

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._options = {"compiled_cache": _CompiledByIdentity()}
        self._plans: dict[object, _CursorPlan | None] = {}

    def execute(self, connection: Connection, parameters: dict | None = None):
        return connection.execute(self.statement, parameters or {}, execution_options=self._options)

    def rows(self, connection: Connection, parameters: dict | None = None) -> list[tuple]:
        """The rows of this query as tuples of the values ``execute`` would give.

        Run on ``connection``'s driver cursor, in its transaction, with the SQL compiled
        once per database and the types' own conversions of parameters and columns (dates,
        enumerations, UTC timestamps, encrypted text) applied here. SQLAlchemy's execution
        context, result and row objects cost about 100,000 machine instructions a statement
        (callgrind): 4% of the dashboard, the privacy centre and the staff queue, which
        run two such statements each. Timed in a loop, the sign-in lookup took 46 µs through
        SQLAlchemy and 15 µs in SQLite alone.

        The engine's ``before_cursor_execute`` and ``after_cursor_execute`` listeners still
        see the statement (without an execution context, which those events allow), and a
        driver's error is raised as SQLAlchemy's, as ``execute`` raises it. A statement the
        plan cannot run as compiled (parameters expanded when run, say) goes through
        ``execute``.
        """
        dialect = connection.dialect
        plan = self._plans.get(dialect, _UNPLANNED)
        if plan is _UNPLANNED:
            if len(self._plans) >= _CompiledByIdentity.MOST_DIALECTS:
                self._plans.clear()
            plan = self._plans[dialect] = _CursorPlan.made(self.statement, dialect)
        if plan is None:
            return [tuple(row) for row in self.execute(connection, parameters)]
        return plan.run(connection, parameters or {})


_UNPLANNED = object()
_ASKED = object()  # a parameter the caller gives on each run


class _CursorPlan:
    """A query compiled for one database, with what running it on the driver's cursor
    needs: its SQL, its parameters in order with their conversions, and the conversions of
    its columns (known once the driver has described them, on the first run)."""

    def __init__(self, compiled, dialect, column_types) -> None:
        self.sql = compiled.string
        self.dialect = dialect
        self.positional = compiled.positional
        escaped = compiled.escaped_bind_names or {}
        names = compiled.positiontup if compiled.positional else list(compiled.binds)
        self.parameters = []
        for name in names:
            bind = compiled.binds[name]
            value = _ASKED if bind.required else bind.effective_value
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            self.parameters.append((name, escaped.get(name, name), value, convert))
        self.column_types = column_types
        self.conversions: list[tuple[int, object]] | None = None
        self.errors = dialect.loaded_dbapi.Error

    @classmethod
    def made(cls, statement, dialect) -> _CursorPlan | None:
        if not isinstance(statement, Select):
            return None
        compiled = statement.compile(dialect=dialect)
        if compiled.literal_execute_params or compiled.post_compile_params:
            return None  # its SQL is finished only when run
        return cls(compiled, dialect, [column.type for column in statement.selected_columns])

    def _bound(self, given: dict):
        values = []
        for name, _key, value, convert in self.parameters:
            if value is _ASKED:
                value = given[name]
            values.append(value if convert is None else convert(value))
        if self.positional:
            return tuple(values)
        keys = (key for _name, key, _value, _convert in self.parameters)
        return dict(zip(keys, values, strict=True))

    def _learn_conversions(self, description) -> None:
        conversions = []
        pairs = zip(self.column_types, description, strict=True)
        for index, (type_, described) in enumerate(pairs):
            convert = type_.dialect_impl(self.dialect).result_processor(self.dialect, described[1])
            if convert is not None:
                conversions.append((index, convert))
        self.conversions = conversions

    def run(self, connection: Connection, given: dict) -> list[tuple]:
        parameters = self._bound(given)
        cursor = connection.connection.cursor()
        try:
            connection.dispatch.before_cursor_execute(
                connection, cursor, self.sql, parameters, None, False
            )
            cursor.execute(self.sql, parameters)
            connection.dispatch.after_cursor_execute(
                connection, cursor, self.sql, parameters, None, False
            )
            if self.conversions is None:
                self._learn_conversions(cursor.description)
            read = cursor.fetchall()
        except self.errors as error:
            invalidated = self.dialect.is_disconnect(error, connection.connection, cursor)
            if invalidated:
                connection.invalidate(error)
            raise DBAPIError.instance(
                self.sql,
                parameters,
                error,
                self.errors,
                dialect=self.dialect,
                connection_invalidated=invalidated,
            ) from error
        finally:
            cursor.close()
        if not self.conversions:
            return [tuple(row) for row in read]
        rows = []
        for row in read:
            values = list(row)
            for index, convert in self.conversions:
                values[index] = convert(values[index])
            rows.append(tuple(values))
        return rows


class CommittedValueReader:
    """Reads one value as committed, on a database connection kept open for nothing else.

    Stored pages and fragments are keyed by version counters, and every request they serve
    reads one. Through a connection from the pool a read is a checkout, a statement through
    SQLAlchemy's compiled cache and a rollback on return: 44 µs on SQLite, and a seventh of a
    stored anonymous page's time in a profiled worker. Here it is one statement on one
    connection kept for it: about 13 µs as a request meets it (caches cold), against 69 µs
    for the same statement executed through SQLAlchemy on that connection.

    The connection is the engine's (its connect events, so the SQLite pragmas, apply), kept
    in autocommit mode: each read sees what is committed at that moment and holds no
    transaction between reads (on SQLite, no read snapshot that would keep the write-ahead
    log from being folded into the file). A counter is read with no parameters, so its SQL
    is compiled once per database with its constants written in, and run on the driver's
    own cursor: SQLAlchemy's execution context, result and row objects were four fifths of
    the read. The read is still reported to the engine's ``before_cursor_execute`` and
    ``after_cursor_execute`` listeners (without an execution context, which those events
    allow), so the statement counts of tests and benchmarks include it. Reads take a lock,
    so threads share the connection; a forked process opens its own; a failed read is retried
    once on a new connection (a database restarted); ``engine.dispose()`` closes it.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        self._opened_in: int | None = None
        self._inherited: list[Connection] = []
        self._sql: dict[Prebuilt, str] = {}
        self._failures = (SQLAlchemyError, engine.dialect.loaded_dbapi.Error)
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def value(self, statement: Prebuilt):
        """The first column of the first row ``statement`` (which takes no parameters)
        returns now, or None."""
        with self._lock:
            try:
                return self._read(statement)
            except self._failures:
                self._forget()
                return self._read(statement)

    def close(self) -> None:
        with self._lock:
            self._leave_inherited()
            self._forget()

    def _read(self, statement: Prebuilt):
        connection = self._kept()
        sql = self._sql.get(statement)
        if sql is None:
            compiled = statement.statement.compile(
                dialect=self._engine.dialect, compile_kwargs={"literal_binds": True}
            )
            sql = self._sql[statement] = str(compiled)
        cursor = connection.connection.cursor()
        try:
            connection.dispatch.before_cursor_execute(connection, cursor, sql, (), None, False)
            cursor.execute(sql)
            connection.dispatch.after_cursor_execute(connection, cursor, sql, (), None, False)
            rows = cursor.fetchall()  # to the end: SQLite ends the read there
        finally:
            cursor.close()
        return rows[0][0] if rows else None

    def _leave_inherited(self) -> None:
        """A connection opened before a fork is the parent's, and is left alone (not even
        closed): SQLite and libpq both say a connection must not be used, or closed, by any
        process but the one that opened it."""
        if self._connection is not None and self._opened_in != os.getpid():
            self._inherited.append(self._connection)
            self._connection = None

    def _kept(self) -> Connection:
        self._leave_inherited()
        if self._connection is None:
            self._connection = self._engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            )
            self._opened_in = os.getpid()
        return self._connection

    def _forget(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(*self._failures):
                connection.invalidate()  # broken, most likely: what failed the read
                connection.close()


def committed_value(statement: Prebuilt):
    """``statement``'s value as committed now (see :class:`CommittedValueReader`), read
    outside the request's session and transaction."""
    engine = db.engine
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        with engine.connect() as connection:  # a connection of its own would be another database
            return statement.execute(connection).scalar()
    readers = current_app.extensions.setdefault("committed_value_readers", {})
    reader = readers.get(engine)
    if reader is None:
        reader = readers[engine] = CommittedValueReader(engine)
    return reader.value(statement)
