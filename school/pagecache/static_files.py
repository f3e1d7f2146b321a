"""Static files addressed by their content, so browsers may keep them for a year.

``url_for('static', filename=...)`` adds ``?v=`` and a hash of the file's bytes; a response
whose ``v`` matches the file as it is now is marked immutable for a year. A changed file gets
a new address, and an old address keeps working, only without the long cache.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import current_app, request

ONE_YEAR = 365 * 24 * 3600
_hashes: dict[tuple[str, int], str] = {}


def fingerprint(filename: str) -> str | None:
    """A short hash of a static file's bytes; None for a file that does not exist."""
    path = Path(current_app.static_folder, filename)
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        return None
    key = (str(path), stamp)
    if key not in _hashes:
        _hashes[key] = hashlib.blake2b(path.read_bytes(), digest_size=8).hexdigest()
    return _hashes[key]


def add_fingerprint(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        tag = fingerprint(values["filename"])
        if tag:
            values["v"] = tag


def cache_fingerprinted(response):
    if (
        request.endpoint == "static"
        and response.status_code in (200, 304)
        and request.args.get("v")
        and request.args["v"] == fingerprint(request.view_args.get("filename", ""))
    ):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.immutable = True
    return response
