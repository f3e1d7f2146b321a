"""Absolute URLs for links in emails."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

# Where ``make run`` serves: the address links point to when SITE_URL is not set, outside
# production.
DEVELOPMENT_SITE_URL = "http://127.0.0.1:5000"


class SiteURLMissing(RuntimeError):
    """Production with no ``SITE_URL``: links in emails would point nowhere, or somewhere
    wrong, so no email is written or sent until it is set."""


def site_url() -> str:
    """The configured ``SITE_URL``; outside production, the development address if unset."""
    configured = current_app.config["SITE_URL"]
    if configured:
        return configured
    if current_app.config["SCHOOL_ENV"] == "production":
        raise SiteURLMissing(
            "SITE_URL is not set: set it to the site's public address (e.g. "
            "https://school.example) before the site sends any email"
        )
    return DEVELOPMENT_SITE_URL


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link on the configured ``SITE_URL``.

    Never built from the request's Host header: a forged Host would otherwise put an
    attacker's domain into password-reset and confirmation links.
    """
    site = urlsplit(site_url())
    adapter = current_app.url_map.bind(
        site.netloc, url_scheme=site.scheme or "http", script_name=site.path or "/"
    )
    return adapter.build(endpoint, values, force_external=True)
