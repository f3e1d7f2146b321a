"""Export: every registry field marked for export, as JSON and CSV in a ZIP, with the
photo and an index.html a person can open without any program but a browser.

The file is built once when the request is carried out and fetched through a signed link
that works only for its owner and only for ``EXPORT_LINK_DAYS``.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import secrets
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from school.accounts.models import User
from school.database import utcnow
from school.privacy.data import registry
from school.privacy.data.holdings import label_of
from school.privacy.data.personal_data import Subject, rows
from school.security import make_token, read_token

DOWNLOAD_PURPOSE = "export-download"

# Where the person's photo comes from (the profile registers its store at start-up): the
# JPEG's bytes, or None when there is none.
PhotoSource = Callable[[User], bytes | None]
_photo_sources: list[PhotoSource] = []


class ExportUnavailable(Exception):
    """The export file is gone (expired and removed) or never existed."""


def export_dir() -> Path:
    folder = Path(current_app.instance_path) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return None
    return value


def collect(user: User) -> dict[str, list[dict]]:
    """The person's exported values, table by table, read through the registry."""
    subject = Subject(user.id, user.email)
    data: dict[str, list[dict]] = {}
    for ownership in registry.ownerships():
        columns = [e.column for e in registry.fields_of(ownership.table) if e.export]
        if not columns:
            continue
        found = rows(ownership, subject, columns)
        if found:
            data[ownership.table] = [{k: _plain(v) for k, v in row.items()} for row in found]
    return data


def _csv(table_rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(table_rows[0]))
    writer.writeheader()
    writer.writerows(table_rows)
    return buffer.getvalue()


def register_photo_source(source: PhotoSource) -> None:
    if source not in _photo_sources:
        _photo_sources.append(source)


def _photo(user: User) -> bytes | None:
    for source in _photo_sources:
        photo = source(user)
        if photo is not None:
            return photo
    return None


def build(user: User) -> tuple[str, datetime]:
    """Write the ZIP; returns its file name and when its link stops working."""
    data = collect(user)
    generated = utcnow()
    expires = generated + timedelta(days=current_app.config["EXPORT_LINK_DAYS"])
    photo = _photo(user)
    sections = []
    for table_name, table_rows in data.items():
        labels = {e.column: label_of(e) for e in registry.fields_of(table_name) if e.export}
        sections.append((table_name, labels, table_rows))
    with force_locale(user.locale or "en"):
        index = render_template(
            "privacy/export_index.html",
            sections=sections,
            generated=generated,
            has_photo=photo is not None,
            person=user,
        )
    name = f"{secrets.token_urlsafe(16)}.zip"
    path = export_dir() / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", index)
        archive.writestr(
            "data.json",
            json.dumps(
                {"generated_at": generated.isoformat(), "tables": data},
                ensure_ascii=False,
                indent=2,
            ),
        )
        for table_name, table_rows in data.items():
            archive.writestr(f"csv/{table_name}.csv", _csv(table_rows))
        if photo is not None:
            archive.writestr("photo.jpg", photo)
    path.chmod(0o600)
    return name, expires


def download_token(request) -> str:
    return make_token(DOWNLOAD_PURPOSE, {"r": request.public_id, "u": request.user_id})


def read_download_token(token: str) -> dict:
    """The token's payload; raises TokenError when tampered with or past its days."""
    max_age = current_app.config["EXPORT_LINK_DAYS"] * 24 * 3600
    return read_token(DOWNLOAD_PURPOSE, token, max_age)


def file_path(name: str | None) -> Path:
    if not name:
        raise ExportUnavailable
    path = export_dir() / Path(name).name
    if not path.exists():
        raise ExportUnavailable
    return path


def remove(name: str | None) -> None:
    if name:
        (export_dir() / Path(name).name).unlink(missing_ok=True)
