"""SQLite backups that say when they were taken, and a restore that cannot undo an erasure.

A backup holds everyone as they were when it was taken. Restoring it as it is would bring
back every person erased since; so a backup carries the moment it was taken (a one-row table
inside the copy, where it cannot be separated from it), and :func:`restore` re-applies every
erasure the journal (``school.privacy.data.journal``, a file beside the database that the
restore leaves alone) recorded after that moment. Without a recorded moment, every journaled
erasure is re-applied: erasing someone already erased changes nothing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.engine import make_url

from school.accounts.models import User
from school.database import utcnow
from school.extensions import db
from school.files import private_folder
from school.privacy.data import erasure, journal
from school.privacy.data.personal_data import fingerprint


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def sqlite_file() -> Path:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database:
        raise BackupError("backup and restore are for SQLite; use pg_dump for PostgreSQL")
    return Path(url.database)


def default_folder() -> Path:
    return Path(current_app.instance_path) / "backups"


def take_backup(destination: Path | None = None) -> Path:
    """Copy the database with SQLite's online backup (safe while the site runs), stamped
    inside the copy with the moment it was taken; readable by the owner only."""
    source_path = sqlite_file()
    taken = utcnow()
    target = Path(destination or default_folder())
    if target.suffix == "":
        private_folder(target)
        target = target / f"school-{taken.strftime('%Y%m%dT%H%M%S%fZ')}.sqlite3"
    source = sqlite3.connect(source_path)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("CREATE TABLE IF NOT EXISTS backup_taken (taken_at TEXT NOT NULL)")
        copy.execute("DELETE FROM backup_taken")
        copy.execute("INSERT INTO backup_taken (taken_at) VALUES (?)", (taken.isoformat(),))
        copy.commit()
    finally:
        copy.close()
        source.close()
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
class RestoreReport:
    taken_at: datetime | None
    reapplied: int


def reapply_erasures(since: datetime | None) -> int:
    """Erase again, in one transaction, every account the journal says was erased after
    ``since`` and that the database (just restored) still holds. Returns how many."""
    entries = journal.entries(since)
    users = {entry.user for entry in entries}
    addresses = {entry.address for entry in entries}
    done = 0
    for user in db.session.scalars(select(User).where(User.erased_at.is_(None))).all():
        if journal.user_fingerprint(user.id) in users or fingerprint(user.email) in addresses:
            erasure.erase(user, journaled=False)
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
