"""Secrets hidden from staff reading mail: the links and tokens a message was sent to carry.

A password-reset, confirmation or sign-in link in a sent message still works for as long as
the token lives, so whoever reads the outbox or the spool could use it. Staff need to see
that the message went and what it said, not the secret: every page where staff read mail
shows bodies and headers through :func:`mask_secrets`, at display time (the stored message
is what was sent, and delivery retries need it whole).

The site's own token links are recognised from the URL map (every rule with a ``token``
argument), so a new kind of link is masked without being listed here; long random-looking
strings (a token pasted on its own, or in a query string) are masked too.
"""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _

# A value of a URL part: up to the next slash, query, fragment, space or quote.
_URL_PART = r"[^\s/?#\"'<>]+"
# Random-looking: 24 or more URL-safe characters (with optional dotted parts, as signed
# tokens have), holding both letters and digits, so ordinary long words are left alone.
_TOKEN_LIKE = re.compile(
    r"(?<![\w-])(?=[\w.-]*\d)(?=[\w.-]*[A-Za-z])[\w-]{24,}(?:\.[\w-]+)*(?![\w-])"
)
_TOKEN_IN_QUERY = re.compile(r"(?i)([?&](?:token|key|code|signature)=)[^&\s\"'<>]+")


def _token_links(app) -> re.Pattern:
    """One pattern for the path of every token link of the site, the secret as a group."""
    cached = app.extensions.get("mail_token_links")
    if cached is not None:
        return cached
    alternatives = []
    for rule in app.url_map.iter_rules():
        if "token" not in rule.arguments:
            continue
        parts = re.split(r"<(?:[^:>]+:)?([^>]+)>", rule.rule)
        pattern = ""
        for index, part in enumerate(parts):
            if index % 2 == 0:
                pattern += re.escape(part)
            elif part == "token":
                pattern += f"(?P<secret{len(alternatives)}>{_URL_PART})"
            else:
                pattern += _URL_PART
        alternatives.append(pattern)
    compiled = re.compile("|".join(f"(?:{a})" for a in alternatives) or r"(?!x)x")
    app.extensions["mail_token_links"] = compiled
    return compiled


def _hide_group(match: re.Match, hidden: str) -> str:
    text = match.group(0)
    for name, value in match.groupdict().items():
        if value is not None and name.startswith("secret"):
            start, end = match.span(name)
            offset = match.start()
            return text[: start - offset] + hidden + text[end - offset :]
    return text


def mask_secrets(text: str | None) -> str:
    """``text`` with every token of the site's links and every token-like string replaced by
    a placeholder that says a secret was there."""
    if not text:
        return text or ""
    hidden = _("[secret hidden]")
    text = _token_links(current_app).sub(lambda m: _hide_group(m, hidden), text)
    text = _TOKEN_IN_QUERY.sub(lambda m: m.group(1) + hidden, text)
    return _TOKEN_LIKE.sub(hidden, text)
