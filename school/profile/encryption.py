"""Field encryption at rest: Fernet tokens in the database, keys in ``instance/fernet.keys``.

The keys file holds one key per line, newest first. The newest key encrypts; every key in
the file decrypts, so rotation can add a key, re-encrypt every value and only then drop the
old ones. A database copy (a backup, a stolen file) reveals nothing of these fields without
the keys file, which lives outside the database and is readable by its owner only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import select, type_coerce, update
from sqlalchemy.types import Text, TypeDecorator


def keys_path(app=None) -> Path:
    app = app or current_app
    return Path(app.config["FERNET_KEYS_FILE"])


def _write_keys(path: Path, keys: list[bytes]) -> None:
    """Replace the keys file atomically, readable by the owner only."""
    temporary = path.with_name(path.name + ".new")
    if temporary.exists():
        temporary.unlink()
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(b"\n".join(keys) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def read_keys(path: Path) -> list[bytes]:
    return [line.strip() for line in path.read_bytes().splitlines() if line.strip()]


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
        keys = read_keys(path)
        if not keys:
            raise RuntimeError(f"{path} holds no key")
        cached = _Cached(stamp, MultiFernet([Fernet(key) for key in keys]))
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


def rotate_keys(db) -> int:
    """Add a new key, re-encrypt every encrypted value with it, then drop the old keys.

    The new key goes first into the file before any value changes, and old keys leave only
    after the re-encryption is committed and a second pass finds no value that the new key
    alone cannot read (a worker may have written one with the old key meanwhile). A failure
    at any point leaves every value readable. Returns the number of values re-encrypted.
    """
    path = ensure_keys(current_app)
    old_keys = read_keys(path)
    new_key = Fernet.generate_key()
    _write_keys(path, [new_key, *old_keys])
    rotator = MultiFernet([Fernet(key) for key in (new_key, *old_keys)])
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
    _write_keys(path, [new_key])
    return count
