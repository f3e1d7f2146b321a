"""What search engines and HTML validators read: descriptions, noindex, ids, selects, and the
language switch as two buttons in the header."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from school.extensions import db


class Markup(HTMLParser):
    """The bits of a page these tests look at."""

    def __init__(self, text: str):
        super().__init__()
        self.ids: list[str] = []
        self.meta: dict[str, str] = {}
        self.selects: list[dict] = []  # {"required": bool, "first": value of first option}
        self.language_buttons: list[str] = []
        self._in_switch = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "meta" and "name" in attrs:
            self.meta[attrs["name"]] = attrs.get("content", "")
        if tag == "select":
            self.selects.append({"required": "required" in attrs, "first": None})
        if tag == "option" and self.selects and self.selects[-1]["first"] is None:
            self.selects[-1]["first"] = attrs.get("value")
        if tag == "form" and "language-switch" in attrs.get("class", ""):
            self._in_switch = True
        if tag == "button" and self._in_switch:
            self.language_buttons.append(attrs.get("value"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_switch = False


PUBLIC = ["/", "/courses", "/privacy", "/privacy/data", "/cookies", "/terms", "/contact", "/login"]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_have_a_description_and_may_be_indexed(client, path):
    page = Markup(client.get(path).text)
    assert len(page.meta["description"]) > 50
    assert "robots" not in page.meta


def test_a_course_page_is_described_by_its_summary(client, make_course):
    course = make_course("German for Beginners")
    course.summary = "Your first steps in German."
    db.session.commit()
    page = Markup(client.get(f"/courses/{course.slug}").text)
    assert page.meta["description"] == "Your first steps in German."


@pytest.mark.parametrize("path", ["/", "/profile", "/dashboard", "/privacy/centre", "/account"])
def test_pages_of_a_signed_in_person_ask_not_to_be_indexed(student_client, path):
    assert Markup(student_client.get(path).text).meta["robots"] == "noindex"


def test_staff_pages_ask_not_to_be_indexed(staff_client):
    assert Markup(staff_client.get("/admin/").text).meta["robots"] == "noindex"


def pages_of(client, paths):
    return {path: Markup(client.get(path).text) for path in paths}


def test_ids_are_unique_and_required_selects_start_with_an_empty_choice(
    student_client, staff_client, make_course
):
    course = make_course()
    pages = {
        **pages_of(student_client, ["/profile", "/account", f"/courses/{course.slug}"]),
        **pages_of(staff_client, ["/admin/courses/new", f"/admin/courses/{course.slug}/edit"]),
    }
    for path, page in pages.items():
        duplicates = [name for name, n in Counter(page.ids).items() if n > 1]
        assert duplicates == [], path
        for select in page.selects:
            if select["required"]:
                assert select["first"] == "", path


def test_the_language_switch_is_a_button_for_the_other_language(client):
    english = Markup(client.get("/", headers={"Accept-Language": "en"}).text)
    assert english.language_buttons == ["ru"]
    text = client.get("/", headers={"Accept-Language": "ru"}).text
    assert Markup(text).language_buttons == ["en"]
    assert re.search(r'<span class="current-language" lang="ru" aria-current="true">', text)
