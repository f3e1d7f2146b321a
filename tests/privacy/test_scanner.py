"""The scanner used by the erasure tests finds a value in every form it can be written in."""

from __future__ import annotations

import base64
import email.header
import io
import json
import quopri
import zipfile
from urllib.parse import quote, quote_plus

import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.privacy.scanner import scan_bytes

NAME = "Алёна Сидоренко"


def zipped(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "written",
    [
        NAME.encode(),
        NAME.upper().encode(),
        json.dumps({"name": NAME}).encode(),
        base64.b64encode(f"To: {NAME}".encode()),
        base64.b64encode(f"Dear {NAME},".encode()),
        quopri.encodestring(f"Hello {NAME}".encode()),
        email.header.Header(NAME, "utf-8").encode().encode(),
        quote(NAME).encode(),
        quote_plus(NAME).encode(),
        URLSafeTimedSerializer("key").dumps({"n": NAME}).encode(),
        zipped(json.dumps({"name": NAME}, ensure_ascii=False)),
    ],
)
def test_the_name_is_found_however_it_was_written(written):
    assert scan_bytes("file", b"before " + written + b" after", [NAME])


def test_nothing_is_found_where_the_value_is_not():
    assert scan_bytes("file", base64.b64encode("Ольга Петрова".encode()), [NAME]) == []
