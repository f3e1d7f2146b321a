"""Files the site writes under ``instance/``: readable and writable by its own user only.

The instance folder holds the database, the mail spool (reset links), raw emailed requests,
exports, photos, backups and keys: everything about everyone. The cause of world-readable
files was the process umask (usually 022), so :func:`protect_instance` sets 077 for the
process at start-up: every file and folder created afterwards, by us, by SQLite (the
database and its -wal and -shm files) or by a library, is 0600 or 0700. The few places that
write the most sensitive files also give the mode explicitly, and files left by an older
version are tightened at start.

The umask is process-wide: anything else the same process writes (a backup outside
``instance/``, a log file) is private too, which is what a server holding personal data
wants. ``instance/README.md``, tracked by git, is left as git made it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

PRIVATE_UMASK = 0o077
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
TRACKED = {"README.md"}  # files of the instance folder that belong to the repository


def protect_instance(instance: Path) -> None:
    """Make new files private, and tighten what an older version left readable."""
    os.umask(PRIVATE_UMASK)
    private_folder(instance)
    for folder, subfolders, files in os.walk(instance):
        here = Path(folder)
        for name in subfolders:
            _tighten(here / name, PRIVATE_FOLDER)
        for name in files:
            if here == instance and name in TRACKED:
                continue
            _tighten(here / name, PRIVATE_FILE)


def private_folder(path: Path) -> Path:
    """``path`` as a folder only the site's user can enter, created if missing."""
    path.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    _tighten(path, PRIVATE_FOLDER)
    return path


def open_private(path: Path) -> BinaryIO:
    """Open ``path`` for writing as a file only the site's user can read (mode given, not
    inherited from the umask), emptied if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    _tighten(path, PRIVATE_FILE)
    return os.fdopen(fd, "wb")


def write_private(path: Path, data: bytes) -> None:
    with open_private(path) as handle:
        handle.write(data)


def _tighten(path: Path, mode: int) -> None:
    if path.is_symlink():
        return
    if path.stat().st_mode & 0o777 != mode:
        path.chmod(mode)
