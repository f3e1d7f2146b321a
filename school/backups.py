"""SQLite backups: taken with the moment they were taken, proved readable, and restored
without bringing back anyone erased since.

A backup is only as good as a restore: ``verify_backup`` restores a copy into a temporary
database, checks its integrity and decrypts its encrypted values with the keys in use now
(the active key and the retired ones kept for ``BACKUP_RETENTION_DAYS``, see
:mod:`school.profile.encryption`). A backup older than that, or taken with keys since lost,
fails loudly here rather than on the day it is needed.

A backup also holds everyone as they were when it was taken. Restoring it as it is would
bring back every person erased since; so a backup carries the moment it was taken (a one-row
table inside the copy, where it cannot be separated from it), and :func:`restore` re-applies
every erasure the journal (``school.privacy.data.journal``, a file beside the database that
the restore leaves alone) recorded after that moment. Without a recorded moment, every
journaled erasure is re-applied: erasing someone already erased changes nothing.
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

from school.accounts.models import User
from school.database import utcnow
from school.extensions import db
from school.files import private_folder
from school.privacy.data import erasure, journal, personal_data
from school.privacy.data.personal_data import fingerprint
from school.profile.encryption import encrypted_columns, fernet


class BackupError(Exception):
    """The database cannot be backed up this way, or a backup does not restore."""


def sqlite_file() -> Path:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database:
        raise BackupError("backup and restore are for SQLite; use pg_dump for PostgreSQL")
    return Path(url.database)


def default_folder() -> Path:
    return Path(current_app.instance_path) / "backups"


def _copy(source: Path | str, target: Path) -> None:
    """SQLite's online backup: a consistent copy, safe while the site writes."""
    origin = sqlite3.connect(source)
    copy = sqlite3.connect(target)
    try:
        origin.backup(copy)
    finally:
        copy.close()
        origin.close()


def take_backup(destination: Path | None = None) -> Path:
    """Copy the database with SQLite's online backup (safe while the site runs), stamped
    inside the copy with the moment it was taken; readable by the owner only."""
    source = sqlite_file()
    taken = utcnow()
    target = Path(destination or default_folder())
    if target.suffix == "":
        private_folder(target)
        target = target / f"school-{taken.strftime('%Y%m%dT%H%M%S%fZ')}.sqlite3"
    _copy(source, target)
    copy = sqlite3.connect(target)
    try:
        copy.execute("CREATE TABLE IF NOT EXISTS backup_taken (taken_at TEXT NOT NULL)")
        copy.execute("DELETE FROM backup_taken")
        copy.execute("INSERT INTO backup_taken (taken_at) VALUES (?)", (taken.isoformat(),))
        copy.commit()
    finally:
        copy.close()
    target.chmod(0o600)
    return target


def taken_at(backup: Path) -> datetime | None:
    """When the backup was taken, or None for a copy that does not say."""
    with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as connection:
        try:
            row = connection.execute("SELECT taken_at FROM backup_taken").fetchone()
        except sqlite3.DatabaseError:
            return None
    if row is None:
        return None
    moment = datetime.fromisoformat(row[0])
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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


@dataclass
class RestoreReport:
    taken_at: datetime | None
    reapplied: int


def reapply_erasures(since: datetime | None) -> int:
    """Erase again, in one transaction, every account the journal says was erased after
    ``since`` and that the database (just restored) still holds, and every address without
    an account erased since (its rows found by address, as the erasure found them). Returns
    how many."""
    entries = journal.entries(since)
    users = {entry.user for entry in entries if entry.user}
    addresses = {entry.address for entry in entries}
    done = 0
    for user in db.session.scalars(select(User).where(User.erased_at.is_(None))).all():
        if journal.user_fingerprint(user.id) in users or fingerprint(user.email) in addresses:
            erasure.erase(user, journaled=False)
            done += 1
    address_only = {entry.address for entry in entries if not entry.user}
    if address_only:
        for address in sorted(personal_data.addresses()):
            if fingerprint(address) in address_only:
                erasure.erase_address(address, journaled=False)
                done += 1
    db.session.commit()
    return done


def restore(backup: Path) -> RestoreReport:
    """Put ``backup`` in place of the database, then re-apply the erasures made since it was
    taken. The site must be stopped; the journal and the files beside the database stay."""
    backup = Path(backup)
    if not backup.is_file():
        raise BackupError(f"no backup at {backup}")
    try:
        moment = taken_at(backup)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{backup} is not a SQLite database: {error}") from error
    live = sqlite_file()
    db.session.remove()
    db.engine.dispose()
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(live)
    try:
        source.backup(target)
        target.execute("DROP TABLE IF EXISTS backup_taken")
        target.commit()
    finally:
        target.close()
        source.close()
    return RestoreReport(taken_at=moment, reapplied=reapply_erasures(moment))
