"""The erasure journal: one line per erasure, made of keyed fingerprints, never a value.

A backup restored later would bring back everyone erased since it was taken. The journal is
what prevents it: it lives in a file of its own beside the database (``ERASURE_JOURNAL_FILE``,
default ``instance/erasure-journal.jsonl``), so restoring the database cannot roll it back,
and ``flask restore`` re-applies every erasure journaled after the backup was taken.

Each line holds when the erasure happened, a fingerprint of the account id (empty for an
address that had no account) and one of the address (keyed with ``SECRET_KEY``: they prove
a match, reveal nothing) and how many rows and stored items were erased. The fingerprints
only work with the same ``SECRET_KEY``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from flask import current_app

from school.database import utcnow
from school.privacy.data.personal_data import fingerprint


@dataclass(frozen=True)
class Entry:
    at: datetime
    user: str
    address: str


def journal_path() -> Path:
    return Path(current_app.config["ERASURE_JOURNAL_FILE"])


def user_fingerprint(user_id: int) -> str:
    """The account id as the journal knows it: ids are small numbers, so keyed like a value."""
    return fingerprint(f"user:{user_id}")


class Erased(Protocol):
    """What the journal keeps of an erasure (``erasure.ErasureResult`` is one): fingerprints
    and counts, never a value."""

    user_fingerprint: str
    address_fingerprint: str
    rows_deleted: dict[str, int]
    rows_anonymised: dict[str, int]
    stores: dict[str, int]


def record(result: Erased) -> None:
    """Append one erasure, flushed to disk before returning (the erasure has committed)."""
    line = json.dumps(
        {
            "at": utcnow().isoformat(),
            "user": result.user_fingerprint,
            "address": result.address_fingerprint,
            "rows_deleted": result.rows_deleted,
            "rows_anonymised": result.rows_anonymised,
            "stores": result.stores,
        },
        sort_keys=True,
    )
    path = journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def entries(since: datetime | None = None) -> list[Entry]:
    """Every journaled erasure, oldest first; with ``since``, only those after it."""
    path = journal_path()
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        data = json.loads(line)
        entry = Entry(datetime.fromisoformat(data["at"]), data["user"], data["address"])
        if since is None or entry.at > since:
            found.append(entry)
    return found
