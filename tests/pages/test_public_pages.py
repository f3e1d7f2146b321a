"""The public addresses exist from the start and speak both languages."""

import pytest


def switch(client, language, next=""):
    return client.submit(
        "/language",
        {"lang-language": language, "lang-next": next},
        csrf_field="lang-csrf_token",
    )


@pytest.mark.parametrize(
    "path",
    ["/", "/courses", "/signup", "/login", "/logout", "/privacy", "/cookies", "/terms", "/contact"],
)
def test_public_address_answers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "<main" in response.text
    assert 'lang="en"' in response.text


def test_privacy_page_shows_the_version_in_force_and_its_history(client):
    page = client.get("/privacy").text
    assert "Version 1.0" in page
    assert "Versions of this policy" in page


def test_unknown_address_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "There is nothing at this address." in response.text


def test_language_switch_remembers_russian_in_the_session(client):
    response = switch(client, "ru", next="/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    page = client.get("/login")
    assert 'lang="ru"' in page.text
    assert "Log in</h1>" not in page.text  # the heading is translated


def test_language_switch_refuses_unknown_languages(client):
    assert switch(client, "xx").status_code == 400


def test_language_switch_never_redirects_off_site(client):
    response = switch(client, "en", next="https://evil.example/")
    assert response.headers["Location"] == "/"


def test_browser_language_is_used_when_nothing_was_chosen(client):
    page = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert 'lang="ru"' in page.text


def test_signed_in_choice_is_saved_on_the_account(student_client, student):
    from school.extensions import db

    switch(student_client, "ru")
    db.session.refresh(student)
    assert student.locale == "ru"


def test_every_message_has_a_russian_translation():
    """No string shown to a person bypasses translation: every string marked in the code
    and templates, extracted afresh, has a Russian translation in the catalogue."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    with (root / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    marked = set()
    for directory in ("school", "templates"):
        for _filename, _line, message, _comments, _context in extract_from_dir(
            root / directory,
            [
                (pattern.removeprefix(f"{directory}/"), method)
                for pattern, method in method_map
                if pattern.startswith(directory)
            ],
            options_map,
            keywords=keywords,
        ):
            marked.add(message if isinstance(message, str) else message[0])
    with (root / "school/translations/ru/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalogue
        if m.id and (all(m.string) if m.pluralizable else m.string)
    }
    missing = sorted(marked - translated)
    assert missing == [], "run `make i18n-update` and translate: " + repr(missing[:20])
