"""A newsletter's Markdown becomes sanitised HTML and a readable plain-text twin."""

from school.markdown_text import render_markdown
from school.newsletter.rendering import html_to_text


def text_of_markdown(source: str) -> str:
    return html_to_text(str(render_markdown(source)))


def test_the_text_version_keeps_structure_and_shows_link_targets():
    text = text_of_markdown(
        "## Summer\n\n- mornings\n- evenings\n\n1. apply\n2. pay\n\n"
        "See [the courses](https://school.test/courses) or write to [us](mailto:a@b.example)."
    )
    assert text == (
        "Summer\n\n- mornings\n- evenings\n\n1. apply\n2. pay\n\n"
        "See the courses (https://school.test/courses) or write to us."
    )


def test_scripts_never_reach_either_version():
    html = str(render_markdown("Hi <script>alert(1)</script> <img src=x onerror=alert(1)>"))
    assert "alert" not in html
    assert html_to_text(html) == "Hi"
