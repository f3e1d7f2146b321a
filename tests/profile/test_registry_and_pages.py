"""The profile's data is declared in the registry, and the registry's pages show it."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from school.extensions import db
from school.privacy.data import registry, stores
from school.profile.models import LanguageLevel, Level, Profile
from tests.profile.helpers import FULL_PROFILE


@pytest.fixture
def throwaway_model(app):
    """A model added to the application's own metadata, removed again afterwards."""

    class ThrowawayDiary(db.Model):
        __tablename__ = "throwaway_diary"
        id: Mapped[int] = mapped_column(primary_key=True)
        secret: Mapped[str] = mapped_column(String(100))

    yield ThrowawayDiary
    db.metadata.remove(ThrowawayDiary.__table__)


def test_a_new_model_nobody_declared_fails_the_completeness_check(throwaway_model):
    missing = registry.unclassified_columns(db.metadata.sorted_tables)
    assert missing == ["throwaway_diary.id", "throwaway_diary.secret"]


def test_without_it_every_column_is_declared(app):
    assert registry.unclassified_columns(db.metadata.sorted_tables) == []


def test_sensitive_profile_fields_are_declared_encrypted(app):
    for column in ("phone", "address", "postal_code", "date_of_birth", "workplace", "position"):
        entry = registry.field("profile", column)
        assert entry.encrypted, column
        assert isinstance(Profile.__table__.c[column].type, type(Profile.phone.type)), column


def test_what_we_hold_lists_every_category_and_field(client):
    response = client.get("/privacy/data")
    assert response.status_code == 200
    page = response.text
    for category in registry.categories():
        assert str(category.label) in page
    for label in ("Date of birth", "Residential address", "Photograph", "Learning goals"):
        assert label in page
    assert "your consent" in page
    assert "3 years from the access, then deleted" in page


def test_what_we_hold_is_grouped_by_purpose_with_the_law_of_the_jurisdiction(make_app):
    """Each purpose is a section: its legal basis as the configured jurisdiction's law
    writes it, whose data it is, and the fields that serve it."""
    for jurisdiction, ground in (("BY", "Law 99-Z of the Republic of Belarus, Art. 5"),
                                 ("EU", "GDPR Art. 6(1)(a)")):  # fmt: skip
        page = make_app(PRIVACY_JURISDICTION=jurisdiction).test_client().get("/privacy/data").text
        page = html.unescape(page)
        for purpose in registry.purposes():
            assert f'id="purpose-{purpose.key}">{purpose.name}</h2>' in page
        assert ground in page
        assert "newsletter subscribers" in page  # whose data
        assert "Exact wording you agreed to" in page


def test_what_we_hold_lists_every_store_beyond_the_database(client):
    """Export archives, emailed messages, the spool, backups, the journal, keys and links."""
    page = html.unescape(client.get("/privacy/data").text)
    for store in stores.STORES.values():
        if store is not stores.DATABASE:
            assert str(store.label) in page, store.key
            assert str(store.erasure) in page, store.key
    assert str(stores.BACKUPS.keep_reason) in page


def test_the_policy_page_links_to_what_we_hold(client):
    assert 'href="/privacy/data"' in client.get("/privacy").text


def test_what_we_hold_in_russian(client):
    client.submit("/language", {"lang-language": "ru"}, csrf_field="lang-csrf_token")
    page = client.get("/privacy/data").text
    assert '<html lang="ru">' in page
    assert "Контактные данные" in page  # a category label
    assert "ваше согласие" in page  # a legal basis label


def test_my_data_shows_my_records_with_purpose_and_retention(student_client, student):
    student_client.submit("/profile", {**FULL_PROFILE, "locale": "en"})
    db.session.add(LanguageLevel(user_id=student.id, language="de", level=Level.B2))
    db.session.commit()

    page = student_client.get("/profile/my-data").text
    for name in ("phone", "address", "workplace", "learning_goals"):
        assert FULL_PROFILE[name] in page, name
    assert "student@example.com" in page
    assert "May 17, 1990" in page  # the date of birth, decrypted and formatted
    assert "German" in page and "B2" in page
    assert "Your profile" in page and "Languages and levels" in page  # kinds of record
    assert "Residential address" in page and "Learning goals" in page  # field labels
    assert "while your account exists" in page
    assert "to know you and fit your courses to you" in page
    assert "No member of staff has opened your data." in page


def test_my_data_shows_nobody_elses_values(student_client, make_user):
    other = make_user("other@example.com", full_name="Other Person")
    db.session.add(Profile(user_id=other.id, phone="+48 600 700 800"))
    db.session.commit()
    page = student_client.get("/profile/my-data").text
    assert "+48 600 700 800" not in page
    assert "other@example.com" not in page
