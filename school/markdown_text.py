"""Markdown for staff-written and bundled texts, rendered then sanitised."""

from __future__ import annotations

from functools import lru_cache

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "hr", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


def render_markdown(text: str) -> Markup:
    """HTML from Markdown with everything but plain formatting and links removed."""
    return Markup(_render(text or ""))  # noqa: S704  (sanitised by nh3 in _render)


@lru_cache(maxsize=256)
def _render(text: str) -> str:
    """The same text always gives the same HTML, so the policy page and course pages do not
    parse their Markdown again on every request."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
