"""Where mail comes from: the MTA pipe, a maildir, an IMAP mailbox.

Each source hands every message to :func:`school.intake.services.ingest_stream` and only then
moves it out of the way (maildir file renamed, IMAP message moved to a folder), so a crash in
between means the message is seen again and recognised by its Message-ID, never lost.
"""

from __future__ import annotations

import fcntl
import imaplib
import io
import os
import re
import ssl
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from school.intake.models import IntakeOutcome
from school.intake.services import IntakeResult, TemporaryFailure, ingest_stream


@dataclass
class RunReport:
    requests: int = 0
    ignored: int = 0
    quarantined: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, result: IntakeResult) -> None:
        if result.duplicate:
            self.duplicates += 1
        elif result.outcome is IntakeOutcome.REQUEST:
            self.requests += 1
        elif result.outcome is IntakeOutcome.IGNORED:
            self.ignored += 1
        else:
            self.quarantined += 1

    def summary(self) -> str:
        return (
            f"requests {self.requests}, ignored {self.ignored}, "
            f"quarantined {self.quarantined}, duplicates {self.duplicates}"
        )


class Busy(Exception):
    """Another run holds the lock."""


@contextmanager
def run_lock(name: str):
    """An exclusive, non-blocking lock file in the instance folder; released on exit or death."""
    path = Path(current_app.instance_path) / f"{name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 (held for the whole run)
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise Busy(name) from error
        yield
    finally:
        handle.close()


# --- maildir ----------------------------------------------------------------------------------


def ingest_maildir(directory: str | Path) -> RunReport:
    """Take every message in ``new/`` and ``cur/``, then move it to ``.processed/cur``.

    Handled files leave ``new/`` and ``cur/``, so a re-run does not see them again; a file
    copied back is still recognised by its Message-ID.
    """
    root = Path(directory)
    report = RunReport()
    with run_lock("intake-maildir"):
        for sub in ("new", "cur"):
            folder = root / sub
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.name.startswith(".") or not path.is_file():
                    continue
                try:
                    with open(path, "rb") as handle:
                        result = ingest_stream(handle, source="maildir")
                except FileNotFoundError:
                    continue  # another reader took it meanwhile
                report.count(result)
                _move_handled(root, path, result)
    return report


def _move_handled(root: Path, path: Path, result: IntakeResult) -> None:
    folder = ".quarantine" if result.outcome is IntakeOutcome.QUARANTINED else ".processed"
    target_dir = root / folder / "cur"
    for sub in ("new", "cur", "tmp"):
        (root / folder / sub).mkdir(parents=True, exist_ok=True)
    name = path.name if ":2," in path.name else path.name + ":2,S"
    os.replace(path, target_dir / name)


# --- IMAP -------------------------------------------------------------------------------------


def _connect() -> imaplib.IMAP4:
    config = current_app.config
    host = config["INTAKE_IMAP_HOST"]
    port = config["INTAKE_IMAP_PORT"]
    timeout = config["INTAKE_IMAP_TIMEOUT"]
    if config["INTAKE_IMAP_TLS"]:
        connection = imaplib.IMAP4_SSL(
            host, port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    else:
        connection = imaplib.IMAP4(host, port, timeout=timeout)
        if config["INTAKE_IMAP_STARTTLS"]:
            connection.starttls(ssl.create_default_context())
    connection.login(config["INTAKE_IMAP_USER"], config["INTAKE_IMAP_PASSWORD"])
    # Servers announce more (MOVE, UIDPLUS) once logged in; imaplib keeps the first list.
    status, data = connection.capability()
    if status == "OK" and data and data[-1]:
        connection.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())
    return connection


def _check(response, what: str):
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(f"{what}: {status} {data!r}")
    return data


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ensure_folder(connection: imaplib.IMAP4, folder: str) -> None:
    status, data = connection.list('""', _quote(folder))
    if status == "OK" and any(item for item in data if item):
        return
    status, data = connection.create(_quote(folder))
    if status != "OK" and b"exists" not in b" ".join(d for d in data if d).lower():
        raise imaplib.IMAP4.error(f"cannot create folder {folder}: {data!r}")
    connection.subscribe(_quote(folder))


def _move(connection: imaplib.IMAP4, uid: bytes, folder: str, can_move: bool) -> None:
    if can_move:
        _check(connection.uid("MOVE", uid, _quote(folder)), "MOVE")
        return
    _check(connection.uid("COPY", uid, _quote(folder)), "COPY")
    _check(connection.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"), "STORE")
    if "UIDPLUS" in connection.capabilities:
        _check(connection.uid("EXPUNGE", uid), "UID EXPUNGE")
    else:
        _check(connection.expunge(), "EXPUNGE")


_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


def _fetch(connection: imaplib.IMAP4, uid: bytes, limit: int) -> tuple[bytes, int]:
    """The message's bytes, at most ``limit + 1`` of them (PEEK: not marked as seen)."""
    data = _check(connection.uid("FETCH", uid, "(RFC822.SIZE)"), "FETCH size")
    match = _SIZE.search(b" ".join(d if isinstance(d, bytes) else d[0] for d in data if d))
    size = int(match.group(1)) if match else 0
    if size > limit:
        data = _check(connection.uid("FETCH", uid, f"(BODY.PEEK[]<0.{limit + 1}>)"), "FETCH")
    else:
        data = _check(connection.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
    for item in data:
        if isinstance(item, tuple):
            return item[1], size
    raise imaplib.IMAP4.error(f"no body returned for UID {uid!r}")


def poll_imap() -> RunReport:
    """Take every unseen message in the inbox folder and move it to processed or quarantine.

    One run at a time (a lock file); a second run finds it held and returns at once (Busy).
    """
    config = current_app.config
    limit = config["INTAKE_MAX_BYTES"]
    report = RunReport()
    with run_lock("intake-imap"):
        connection = _connect()
        try:
            processed = config["INTAKE_IMAP_PROCESSED_FOLDER"]
            quarantine = config["INTAKE_IMAP_QUARANTINE_FOLDER"]
            for folder in (processed, quarantine):
                _ensure_folder(connection, folder)
            _check(connection.select(_quote(config["INTAKE_IMAP_FOLDER"])), "SELECT")
            can_move = "MOVE" in connection.capabilities
            uids = _check(connection.uid("SEARCH", None, "UNSEEN"), "SEARCH")[0].split()
            for uid in uids:
                raw, _size = _fetch(connection, uid, limit)
                # An oversized message arrives cut at limit + 1 bytes: the intake sees it is
                # over the limit and quarantines it; the whole original stays on the server.
                result = ingest_stream(io.BytesIO(raw), source="imap")
                report.count(result)
                target = quarantine if result.outcome is IntakeOutcome.QUARANTINED else processed
                _move(connection, uid, target, can_move)
            connection.close()
        finally:
            with suppress(imaplib.IMAP4.error, OSError):
                connection.logout()
    return report


__all__ = ["Busy", "RunReport", "TemporaryFailure", "ingest_maildir", "poll_imap", "run_lock"]
