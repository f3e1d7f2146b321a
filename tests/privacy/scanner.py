"""Find a person's values anywhere under a folder, however they were written down.

Every file is read as raw bytes (the database with its ``-wal`` and ``-shm`` files, mail,
ZIP archives and their members), and each is looked at in every form a value can take on
the way to disk: as is, and after undoing base64 (standard and URL-safe, at any alignment,
with zlib inside, as itsdangerous writes it), quoted-printable, RFC 2047 encoded words, URL
escapes and JSON ``\\u`` escapes. Values and text are compared case-folded, so a Cyrillic name
is found in any case.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import email.header
import io
import quopri
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes

BASE64_RUN = re.compile(rb"(?:[A-Za-z0-9+/]{4,}[\r\n]{0,2}){4,}={0,2}")
BASE64URL_RUN = re.compile(rb"[A-Za-z0-9_-]{16,}")
ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
JSON_ESCAPE = re.compile(rb"\\u([0-9a-fA-F]{4})")


@dataclass(frozen=True)
class Finding:
    path: str
    value: str
    form: str


def _b64_variants(run: bytes, altchars: bytes | None) -> list[bytes]:
    run = re.sub(rb"[\r\n]", b"", run).rstrip(b"=")
    decoded = []
    for offset in range(4):
        part = run[offset:]
        if len(part) % 4 == 1:  # a lone last character decodes to nothing
            part = part[:-1]
        part += b"=" * (-len(part) % 4)
        if len(part) < 8:
            continue
        try:
            data = base64.b64decode(part, altchars=altchars, validate=False)
        except (binascii.Error, ValueError):
            continue
        decoded.append(data)
        with contextlib.suppress(zlib.error):
            decoded.append(zlib.decompress(data))
    return decoded


def _json_unescaped(data: bytes) -> bytes:
    def one(match):
        return chr(int(match.group(1), 16)).encode("utf-8", "surrogatepass")

    # Surrogate pairs (outside the BMP) are rare in names; each half decodes on its own.
    return JSON_ESCAPE.sub(one, data)


def _rfc2047(data: bytes) -> bytes:
    out = []
    for word in ENCODED_WORD.findall(data):
        try:
            for chunk, charset in email.header.decode_header(word.decode("ascii", "replace")):
                if isinstance(chunk, bytes):
                    out.append(chunk.decode(charset or "utf-8", "replace").encode())
        except (ValueError, LookupError):
            continue
    return b"\n".join(out)


def views(data: bytes) -> list[tuple[str, bytes]]:
    """The bytes as stored, and decoded from each encoding a value may hide in."""
    found = [("raw", data), ("json escapes", _json_unescaped(data))]
    found.append(("quoted-printable", quopri.decodestring(data)))
    found.append(("url", unquote_to_bytes(data.replace(b"+", b" "))))
    found.append(("rfc2047", _rfc2047(data)))
    decoded = []
    for run in BASE64_RUN.findall(data):
        decoded += _b64_variants(run, None)
    for run in BASE64URL_RUN.findall(data):
        decoded += _b64_variants(run, b"-_")
    found.append(("base64", b"\n".join(decoded)))
    return found


def _texts(data: bytes):
    for form, view in views(data):
        yield form, view.decode("utf-8", "ignore").casefold()


def scan_bytes(label: str, data: bytes, values: list[str | bytes]) -> list[Finding]:
    findings = []
    texts = list(_texts(data))
    for value in values:
        if isinstance(value, bytes):
            if value in data:
                findings.append(Finding(label, repr(value[:16]), "raw bytes"))
            continue
        needle = value.casefold()
        for form, text in texts:
            if needle in text:
                findings.append(Finding(label, value, form))
                break
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                findings += scan_bytes(f"{label}!{name}", archive.read(name), values)
    return findings


def scan_folder(folder: Path, values: list[str | bytes]) -> list[Finding]:
    """Every place under ``folder`` where one of ``values`` can be read, in any form."""
    findings = []
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            relative = path.relative_to(folder).as_posix()
            findings += scan_bytes(relative, path.read_bytes(), values)
    return findings
