"""Markdown for staff-written and bundled texts, rendered then sanitised."""

from __future__ import annotations

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "hr", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


def render_markdown(text: str) -> Markup:
    """HTML from Markdown with everything but plain formatting and links removed."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    return Markup(  # noqa: S704  (sanitised by nh3 just above)
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes={"a": {"href", "title"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
        )
    )
