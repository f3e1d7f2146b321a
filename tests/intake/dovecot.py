"""A real Dovecot IMAP server for tests: private config, free port, mail owned by nobody."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
USER = "intake"
PASSWORD = "intake-secret"  # noqa: S105

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = nobody
default_internal_group = nogroup
default_login_user = nobody
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Dovecot:
    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="dovecot-test-"))
        self.root.chmod(0o755)
        self.port = _free_port()
        self.process = None

    def start(self):
        nobody = pwd.getpwnam("nobody").pw_uid
        nogroup = grp.getgrnam("nogroup").gr_gid
        home = self.root / "home"
        home.mkdir()
        os.chown(home, nobody, nogroup)
        users = self.root / "users"
        users.write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        config = self.root / "dovecot.conf"
        config.write_text(CONFIG.format(root=self.root, port=self.port))
        # Read by dovecot's processes running as nobody; the site's umask (077, set by
        # create_app for the whole process) would leave them readable by root alone.
        users.chmod(0o644)
        config.chmod(0o644)
        self.process = subprocess.Popen(  # noqa: S603
            [DOVECOT, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        log_file = self.root / "dovecot.log"
        log = log_file.read_text() if log_file.exists() else ""
        self.stop()
        raise RuntimeError(f"dovecot did not start:\n{log}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.root, ignore_errors=True)

    def connect(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        connection.login(USER, PASSWORD)
        return connection

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        connection = self.connect()
        try:
            status, data = connection.append(folder, None, None, raw)
            assert status == "OK", data
        finally:
            connection.logout()

    def uids(self, folder: str, criteria: str = "ALL") -> list[bytes]:
        connection = self.connect()
        try:
            status, data = connection.select(f'"{folder}"')
            if status != "OK":
                return []
            return connection.uid("SEARCH", None, criteria)[1][0].split()
        finally:
            connection.logout()

    def config(self) -> dict:
        return {
            "INTAKE_IMAP_HOST": "127.0.0.1",
            "INTAKE_IMAP_PORT": self.port,
            "INTAKE_IMAP_TLS": False,
            "INTAKE_IMAP_USER": USER,
            "INTAKE_IMAP_PASSWORD": PASSWORD,
            "INTAKE_IMAP_TIMEOUT": 10,
        }
