"""Run a command against a throwaway PostgreSQL server, then remove the server.

Usage: python tools/throwaway_postgres.py COMMAND [ARG ...]

The server is Debian's PostgreSQL (``postgresql`` package, binaries under
``/usr/lib/postgresql/<version>/bin``; ``PG_BIN`` overrides), initialised in a temporary
folder, listening on 127.0.0.1 on a free port, with ``fsync`` off because its data is thrown
away. PostgreSQL refuses to run as root, so as root (as CI runs) the server runs as the
``postgres`` user the package creates. The command gets ``TEST_DATABASE_URL`` pointing at the
server's maintenance database; the server is stopped and its folder removed however the
command ends, and the command's exit status is returned.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

SUPERUSER = "postgres"


def server_binaries() -> Path:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if not versions:
        sys.exit("No PostgreSQL server found: apt-get install postgresql (or set PG_BIN)")
    return versions[-1].parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_server_user(command: list[str]) -> list[str]:
    """The command run by the user the server may run as: ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", SUPERUSER, "--", *command]


def main(command: list[str]) -> int:
    if not command:
        sys.exit(__doc__)
    binaries = server_binaries()
    # A CI job stopped by SIGTERM still stops the server (the ``finally`` below).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    folder = Path(tempfile.mkdtemp(prefix="school-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        owner = pwd.getpwnam(SUPERUSER)
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    port = free_port()
    started = False
    try:
        subprocess.run(
            as_server_user(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    SUPERUSER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]  # fmt: skip
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        settings = (
            f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            as_server_user(
                [
                    str(binaries / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    settings,
                    "-l",
                    str(folder / "server.log"),
                    "-w",
                    "start",
                ]  # fmt: skip
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        started = True
        environment = {
            **os.environ,
            "TEST_DATABASE_URL": f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres",
        }
        return subprocess.run(command, env=environment).returncode
    finally:
        if started:
            subprocess.run(
                as_server_user(
                    [str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
                ),
                stdout=subprocess.DEVNULL,
            )
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
