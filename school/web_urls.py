"""Absolute URLs for links in emails."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link on the configured ``SITE_URL``.

    Never built from the request's Host header: a forged Host would otherwise put an
    attacker's domain into password-reset and confirmation links.
    """
    site = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(
        site.netloc, url_scheme=site.scheme or "http", script_name=site.path or "/"
    )
    return adapter.build(endpoint, values, force_external=True)
