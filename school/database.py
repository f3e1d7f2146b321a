"""Database helpers shared by every domain package: UTC time, SQLite tuning, and the
backend-specific clean-up after personal data is overwritten."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.types import DateTime, Enum, TypeDecorator


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
