"""Field encryption at rest: Fernet tokens in the database, keys in ``instance/fernet.keys``.

The keys file holds one key per line, newest first. The first key encrypts; every key in the
file decrypts, so rotation can add a key, re-encrypt every value and then retire the old ones.
A database copy (a backup, a stolen file) reveals nothing of these fields without the keys
file, which lives outside the database and is readable by its owner only.

A backup taken before a rotation holds values made with the old key. So rotation does not
drop it: it marks it ``retired=<time>``, and a retired key decrypts but never encrypts until
``BACKUP_RETENTION_DAYS`` have passed (no backup kept can still need it); the next rotation
after that drops it. Keeping the keys beside each backup was the other way, but a backup then
carries what reads it, which is what the keys file is kept apart to prevent.

The keys file holds nothing about a person (random keys and the times they were retired), so
the privacy registry has nothing to declare for it; it is personal data's lock, not its store.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import select, type_coerce, update
from sqlalchemy.types import Text, TypeDecorator


def keys_path(app=None) -> Path:
    app = app or current_app
    return Path(app.config["FERNET_KEYS_FILE"])


_RETIRED = b"retired="


@dataclass(frozen=True)
class StoredKey:
    """One line of the keys file: a Fernet key, and when rotation retired it (if it did)."""

    key: bytes
    retired_at: datetime | None = None

    def line(self) -> bytes:
        if self.retired_at is None:
            return self.key
        return self.key + b" " + _RETIRED + self.retired_at.isoformat().encode()

    @classmethod
    def parse(cls, line: bytes) -> StoredKey:
        key, _, note = line.strip().partition(b" ")
        if note.startswith(_RETIRED):
            return cls(key, datetime.fromisoformat(note.removeprefix(_RETIRED).decode()))
        return cls(key)


def _write_keys(path: Path, keys: list[StoredKey]) -> None:
    """Replace the keys file atomically, readable by the owner only."""
    temporary = path.with_name(path.name + ".new")
    if temporary.exists():
        temporary.unlink()
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(b"\n".join(key.line() for key in keys) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def read_stored_keys(path: Path) -> list[StoredKey]:
    return [StoredKey.parse(line) for line in path.read_bytes().splitlines() if line.strip()]


def read_keys(path: Path) -> list[bytes]:
    """Every key in the file, the encrypting one first."""
    return [stored.key for stored in read_stored_keys(path)]


def multi_fernet(keys: list[StoredKey]) -> MultiFernet:
    """Encrypts with the first key, decrypts with any. A retired key never encrypts."""
    if not keys:
        raise RuntimeError("the keys file holds no key")
    if keys[0].retired_at is not None:
        raise RuntimeError("the first key of the keys file is retired; it must not encrypt")
    return MultiFernet([Fernet(stored.key) for stored in keys])


def ensure_keys(app) -> Path:
    """Create the keys file with one fresh key on first run.

    Exclusive creation: when several workers start at once, exactly one writes the key.
    """
    path = keys_path(app)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key() + b"\n")
    return path


@dataclass
class _Cached:
    stamp: tuple[int, int]
    fernet: MultiFernet


def fernet() -> MultiFernet:
    """The MultiFernet for the current keys file, re-read whenever the file changes, so
    every worker process picks up a rotation without a restart."""
    path = keys_path()
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_ino)
    cached: _Cached | None = current_app.extensions.get("school.fernet")
    if cached is None or cached.stamp != stamp:
        cached = _Cached(stamp, multi_fernet(read_stored_keys(path)))
        current_app.extensions["school.fernet"] = cached
    return cached.fernet


class EncryptedText(TypeDecorator):
    """Text stored as a Fernet token. ``None`` stays NULL (an empty field is not a secret)."""

    impl = Text
    cache_ok = True

    def to_text(self, value) -> str:
        return str(value)

    def from_text(self, text: str):
        return text

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return fernet().encrypt(self.to_text(value).encode()).decode("ascii")

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return self.from_text(fernet().decrypt(value.encode("ascii")).decode())


class EncryptedDate(EncryptedText):
    """A date, encrypted as its ISO text."""

    cache_ok = True

    def to_text(self, value) -> str:
        return value.isoformat()

    def from_text(self, text: str):
        return date.fromisoformat(text)


def encrypted_columns(metadata) -> list:
    return [
        column
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]


def _reencrypt(db, rotator: MultiFernet, needs_rotation) -> int:
    """Re-encrypt, in one transaction, every stored token for which ``needs_rotation``."""
    count = 0
    try:
        for column in encrypted_columns(db.metadata):
            table = column.table
            keys = list(table.primary_key.columns)
            raw = type_coerce(column, Text)
            rows = db.session.execute(
                select(*keys, raw.label("token")).where(column.is_not(None))
            ).all()
            for row in rows:
                token = row.token.encode("ascii")
                if not needs_rotation(token):
                    continue
                fresh = rotator.rotate(token).decode("ascii")
                condition = [key == getattr(row, key.name) for key in keys]
                db.session.execute(
                    update(table).where(*condition).values({column.name: type_coerce(fresh, Text)})
                )
                count += 1
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return count


def rotate_keys(db, now: datetime | None = None) -> int:
    """Add a new key, re-encrypt every encrypted value with it, then retire the old keys.

    The new key goes first into the file before any value changes, and old keys are retired
    only after the re-encryption is committed and a second pass finds no value that the new
    key alone cannot read (a worker may have written one with the old key meanwhile). A
    failure at any point leaves every value readable. Retired keys stay, for decrypting the
    backups taken before, until ``BACKUP_RETENTION_DAYS`` after their retirement; older ones
    are dropped here. Returns the number of values re-encrypted.
    """
    now = now or datetime.now(UTC)
    path = ensure_keys(current_app)
    old_keys = read_stored_keys(path)
    new_key = Fernet.generate_key()
    _write_keys(path, [StoredKey(new_key), *old_keys])
    rotator = multi_fernet([StoredKey(new_key), *old_keys])
    only_new = Fernet(new_key)

    def unreadable_by_new_key(token: bytes) -> bool:
        try:
            only_new.decrypt(token)
        except InvalidToken:
            return True
        return False

    count = _reencrypt(db, rotator, lambda token: True)
    for _attempt in range(3):
        stragglers = _reencrypt(db, rotator, unreadable_by_new_key)
        if stragglers == 0:
            break
    else:
        raise RuntimeError("values keep arriving under the old key; old keys kept")
    kept_since = now - timedelta(days=current_app.config["BACKUP_RETENTION_DAYS"])
    retired = [
        StoredKey(old.key, old.retired_at or now)
        for old in old_keys
        if old.retired_at is None or old.retired_at > kept_since
    ]
    _write_keys(path, [StoredKey(new_key), *retired])
    return count
