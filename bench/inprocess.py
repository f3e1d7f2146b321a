"""Figures taken inside the bench process: SQL queries per page, and the export's time."""

from __future__ import annotations

import json
import statistics
import time
import zipfile

from sqlalchemy import event, select

from bench import seed as seeded
from bench.load import CSRF
from school.accounts.models import User
from school.extensions import db


def _signed_in_client(app, email: str | None):
    client = app.test_client()
    if email:
        token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
        response = client.post(
            "/login", data={"csrf_token": token, "email": email, "password": seeded.PASSWORD}
        )
        if response.status_code != 302:
            raise RuntimeError(f"could not sign in as {email} in-process")
    return client


def query_counts(app, pages) -> dict[str, int]:
    """SQL statements one request for each page runs, after a first request has warmed up
    whatever the app caches. ``pages`` is [(label, path, email or None)]."""
    counts = {}
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    clients: dict[str | None, object] = {}
    for label, path, email in pages:
        client = clients.get(email) or clients.setdefault(email, _signed_in_client(app, email))
        client.get(path)  # warm-up
        event.listen(engine, "before_cursor_execute", count)
        try:
            statements.clear()
            response = client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code} in-process")
        counts[label] = len(statements)
    return counts


def export_seconds(app, email: str, runs: int = 3) -> tuple[float, list[float], int]:
    """Median wall time of ``school.privacy.data.export.build`` for one student over a few runs,
    the times, and how many lesson-progress rows the archive holds (so a fast export that
    left the rows out cannot pass)."""
    from school.privacy.data import export

    times = []
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.email == email))
        for _ in range(runs):
            db.session.expire_all()
            started = time.perf_counter()
            name, _expires = export.build(user)
            times.append(time.perf_counter() - started)
        with zipfile.ZipFile(export.export_dir() / name) as archive:
            tables = json.loads(archive.read("data.json"))["tables"]
    return statistics.median(times), times, len(tables.get("lesson_progress", []))
