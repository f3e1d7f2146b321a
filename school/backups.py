"""Backups of the SQLite database, and the proof that one can be restored and read.

A backup is only as good as a restore: ``verify_backup`` restores a copy into a temporary
database, checks its integrity and decrypts its encrypted values with the keys in use now
(the active key and the retired ones kept for ``BACKUP_RETENTION_DAYS``, see
:mod:`school.profile.encryption`). A backup older than that, or taken with keys since lost,
fails loudly here rather than on the day it is needed.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import InvalidToken
from flask import current_app
from sqlalchemy import Text, create_engine, func, inspect, select, table, type_coerce
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from school.extensions import db
from school.files import private_folder
from school.profile.encryption import encrypted_columns, fernet


class BackupError(Exception):
    """The database cannot be backed up this way, or a backup does not restore."""


def sqlite_path() -> str:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        raise BackupError("backup is for SQLite; use pg_dump for PostgreSQL")
    return url.database


def _copy(source: Path | str, target: Path) -> None:
    """SQLite's online backup: a consistent copy, safe while the site writes."""
    origin = sqlite3.connect(source)
    copy = sqlite3.connect(target)
    try:
        origin.backup(copy)
    finally:
        copy.close()
        origin.close()


def make_backup(destination: str | None = None) -> Path:
    """Copy the database to ``destination`` (a file, or a folder for a dated file)."""
    source = sqlite_path()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = Path(destination or Path(current_app.instance_path) / "backups")
    if target.suffix == "":
        private_folder(target)
        target = target / f"school-{stamp}.sqlite3"
    _copy(source, target)
    target.chmod(0o600)
    return target


@dataclass
class Verification:
    """What a restore of one backup showed."""

    rows: int = 0  # rows in the restored database
    decrypted: int = 0  # encrypted values that read back
    unreadable: dict[str, int] = field(default_factory=dict)  # "table.column" -> count

    @property
    def ok(self) -> bool:
        return not self.unreadable


def verify_backup(backup: Path) -> Verification:
    """Restore ``backup`` into a temporary database and decrypt every encrypted value.

    Raises :class:`BackupError` when the copy is not a sound database of ours; unreadable
    values are counted in the answer (``ok`` is False then).
    """
    keys = fernet()
    report = Verification()
    with tempfile.TemporaryDirectory(prefix="school-restore-") as folder:
        restored = Path(folder) / "restored.sqlite3"
        try:
            _copy(backup, restored)
            with sqlite3.connect(restored) as check:
                verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{backup} is not a readable SQLite database: {error}") from error
        if verdict != "ok":
            raise BackupError(f"{backup} is damaged: {verdict}")
        engine = create_engine(f"sqlite:///{restored}")
        try:
            with engine.connect() as connection:
                present = inspect(connection)
                tables = set(present.get_table_names())
                for name in tables:
                    report.rows += connection.scalar(select(func.count()).select_from(table(name)))
                for column in encrypted_columns(db.metadata):
                    # A backup from before a migration may lack a newer column: nothing to read.
                    if column.table.name not in tables or column.name not in {
                        c["name"] for c in present.get_columns(column.table.name)
                    }:
                        continue
                    raw = type_coerce(column, Text)
                    tokens = connection.scalars(select(raw).where(column.is_not(None)))
                    for token in tokens:
                        try:
                            keys.decrypt(token.encode("ascii"))
                        except InvalidToken:
                            name = f"{column.table.name}.{column.name}"
                            report.unreadable[name] = report.unreadable.get(name, 0) + 1
                        else:
                            report.decrypted += 1
        except SQLAlchemyError as error:
            raise BackupError(f"{backup} does not restore: {error}") from error
        finally:
            engine.dispose()
    return report
