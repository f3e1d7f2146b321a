"""gunicorn's settings for the school; ``gunicorn app:app`` run in this folder reads them.

Anything here can be overridden on the command line (``-b``, ``-w``, ``--control-socket``)
or in ``GUNICORN_CMD_ARGS``. Settings an older gunicorn does not know are ignored by it.
"""

import os
import re
from pathlib import Path

INSTANCE = Path(__file__).resolve().parent / "instance"

# Behind the TLS proxy on the same host; several hosts each run one of these.
bind = "127.0.0.1:8000"
forwarded_allow_ips = "127.0.0.1"
# Synchronous workers: a request holds one for its whole length. Two per core is plenty for a
# small school; WEB_CONCURRENCY sets it per host, as with most platforms.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A worker silent this long is replaced. Longer than the database's own limits (SQLite's
# busy timeout, PostgreSQL's statement timeout), so a slow request ends in the site's "busy"
# page rather than a killed worker.
timeout = 30
graceful_timeout = 30
keepalive = 5
# No access log: its lines would hold visitors' addresses and paths, which the privacy
# registry does not declare. Errors go to stderr, for the service manager's journal.
accesslog = None
errorlog = "-"


def on_starting(server):
    """Give this instance a control socket of its own, named after the address it serves.

    gunicorn 27 opens one at ``$HOME/.gunicorn/gunicorn.ctl`` (or in ``$XDG_RUNTIME_DIR``) by
    default: a second instance run by the same user on the same host takes it over from the
    first. An explicit ``--control-socket`` or ``--no-control-socket`` is respected.
    """
    settings = server.cfg.settings
    if "control_socket" not in settings:  # a gunicorn without a control socket
        return
    if server.cfg.control_socket != settings["control_socket"].default:
        return
    names = (re.sub(r"[^A-Za-z0-9.]+", "-", str(a)).strip("-") for a in server.cfg.address)
    address = "_".join(names)
    INSTANCE.mkdir(exist_ok=True)
    server.cfg.set("control_socket", str(INSTANCE / f"gunicorn-{address}.ctl"))
