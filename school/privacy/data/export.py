"""Export: every registry field marked for export, as JSON and CSV in a ZIP, with the
photo and an index.html a person can open without any program but a browser.

The values come from ``collector.collect``, the same reader "My data" and the access report
use: data.json and the CSV files hold them table by table, index.html as the records they are.

The file is built once when the request is carried out and fetched through a signed link
that works only for the registry's ``EXPORT_LINK`` period: an account's only for its owner,
signed in; that of someone without an account (whose request came by email and was confirmed
from the address) for whoever holds the link, which was sent to that address only and names
nothing but the request's random id.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from school.accounts.models import User
from school.database import utcnow
from school.privacy.data import collector, holdings, registry
from school.privacy.data.personal_data import subject_of
from school.security import make_token, read_token

DOWNLOAD_PURPOSE = "export-download"
# A link of its own for an export of an address alone: it never opens an account's export.
ADDRESS_DOWNLOAD_PURPOSE = "export-download-address"

# Deflate at a fast level, still an ordinary ZIP: for an export of 5,000 rows (2.2 MB of text)
# it takes a third of the default level's time for an archive a seventh larger (81 KB, not 72).
ARCHIVE_COMPRESSION = 3

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


def _csv(table_rows: list[dict]) -> str:
    """One table's rows, a header of their columns first. Every row of a table has the same
    columns in the same order (its fields in the registry), so each is written as its values,
    without a DictWriter checking each row's keys against the header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table_rows[0])
    writer.writerows(row.values() for row in table_rows)
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


def build(
    user: User | None, *, address: str | None = None, locale: str = "en"
) -> tuple[str, datetime]:
    """Write the ZIP of everything held about an account, or (``user`` None) about an address
    alone; returns its file name and when its link stops working."""
    kinds = collector.collect(subject_of(user, address))
    data = collector.tables(kinds)
    generated = utcnow()
    expires = generated + timedelta(days=registry.retention_days(registry.EXPORT_LINK))
    photo = _photo(user) if user is not None else None
    with force_locale((user.locale if user is not None else locale) or "en"):
        index = render_template(
            "privacy/export_index.html",
            kinds=kinds,
            write=holdings.ValueWriter(),
            generated=generated,
            has_photo=photo is not None,
            person=user,
        )
    name = f"{secrets.token_urlsafe(16)}.zip"
    path = export_dir() / name
    with zipfile.ZipFile(
        path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ARCHIVE_COMPRESSION
    ) as archive:
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
    """The link's token: an account's names the account; an address's is of its own kind."""
    if request.user_id is None:
        return make_token(ADDRESS_DOWNLOAD_PURPOSE, {"r": request.public_id})
    return make_token(DOWNLOAD_PURPOSE, {"r": request.public_id, "u": request.user_id})


def read_download_token(token: str, *, address: bool = False) -> dict:
    """The token's payload; raises TokenError when tampered with, past its days or (with
    ``address``) not an address's link."""
    max_age = registry.retention_days(registry.EXPORT_LINK) * 24 * 3600
    return read_token(ADDRESS_DOWNLOAD_PURPOSE if address else DOWNLOAD_PURPOSE, token, max_age)


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
