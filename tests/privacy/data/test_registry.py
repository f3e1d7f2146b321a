"""The data registry declares every column the school stores."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Integer, MetaData, String, Table

from school.config import INSTANCE_FILES
from school.extensions import db
from school.privacy.data import registry, stores


def test_every_column_of_every_model_is_classified(app):
    """A new model or column that is not in the registry fails here, naming it."""
    missing = registry.unclassified_columns(db.metadata.sorted_tables)
    assert missing == [], f"declare these in school/privacy/data/registry.py: {missing}"


def test_registry_names_only_columns_that_exist(app):
    """A stale declaration (a renamed or dropped column) is caught too."""
    existing = {
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
    }
    assert registry.declared_keys() - existing == set()


def test_an_unclassified_column_is_detected():
    """Proven with a throwaway table that the registry has never heard of."""
    throwaway = Table(
        "throwaway_notes",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("secret_diary", String(100)),
    )
    assert registry.unclassified_columns([throwaway]) == [
        "throwaway_notes.id",
        "throwaway_notes.secret_diary",
    ]


def test_kept_fields_state_their_legal_reason():
    for entry in registry.fields():
        if entry.erasure is registry.Erasure.KEEP:
            assert str(entry.keep_reason).strip(), entry.key


def test_a_field_cannot_be_kept_without_a_reason():
    with pytest.raises(ValueError, match="without a stated reason"):
        registry.personal(
            "user",
            "imaginary",
            label=_l("Imaginary"),
            category=registry.IDENTITY,
            purpose=registry.ACCOUNT_PURPOSE,
            retention=registry.WHILE_ACCOUNT_EXISTS,
            export=True,
            erasure=registry.Erasure.KEEP,
        )


def test_a_field_cannot_be_declared_without_a_label():
    """What a value is must be said in words; a raw column name never reaches a person."""
    with pytest.raises(ValueError, match="has no label"):
        registry.personal(
            "user",
            "imaginary",
            label="",
            category=registry.IDENTITY,
            purpose=registry.ACCOUNT_PURPOSE,
            retention=registry.WHILE_ACCOUNT_EXISTS,
            export=True,
            erasure=registry.Erasure.DELETE,
        )


def test_a_field_must_name_a_declared_purpose():
    """A purpose is an entry of its own, not a sentence repeated on the field."""
    with pytest.raises(ValueError, match="declared purpose"):
        registry.personal(
            "user",
            "imaginary",
            label=_l("Imaginary"),
            category=registry.IDENTITY,
            purpose=_l("to run your account"),
            retention=registry.WHILE_ACCOUNT_EXISTS,
            export=True,
            erasure=registry.Erasure.DELETE,
        )


def test_every_purpose_has_a_legal_ground_in_each_jurisdiction_and_whose_data():
    for purpose in registry.purposes():
        assert purpose.people, purpose.key
        for jurisdiction in registry.LEGAL_GROUNDS:
            assert str(purpose.legal_ground(jurisdiction)).strip(), (purpose.key, jurisdiction)
    consent = registry.field("consent_record", "wording").purpose
    assert "99-Z" in str(consent.legal_ground("BY"))
    assert "GDPR Art. 6(1)(c)" in str(consent.legal_ground("EU"))


def _msgid(text) -> str:
    """The English source of a lazily translated label."""
    return text._args[0]


def registry_labels() -> dict[str, object]:
    """Every piece of text the registry shows a person, by where it is declared."""
    labels: dict[str, object] = {}
    for entry in registry.fields():
        labels[f"field {entry.key}"] = entry.label
        labels[f"category {entry.category.key}"] = entry.category.label
        labels[f"category description {entry.category.key}"] = entry.category.description
        labels[f"retention {entry.retention.key}"] = entry.retention.label
        if entry.keep_reason is not None:
            labels[f"keep reason {entry.key}"] = entry.keep_reason
    for purpose in registry.purposes():
        labels[f"purpose {purpose.key}"] = purpose.name
        labels[f"purpose description {purpose.key}"] = purpose.description
        for people in purpose.people:
            labels[f"people {people.key}"] = people.label
        for jurisdiction in registry.LEGAL_GROUNDS:
            labels[f"ground {purpose.key} {jurisdiction}"] = purpose.legal_ground(jurisdiction)
    for ownership in registry.ownerships():
        labels[f"records {ownership.table}"] = ownership.label
    return labels


def test_every_registry_label_is_in_english_and_russian():
    """Each field, purpose, kind of record, category and rule reads in both site languages:
    an English text, and a Russian translation in the catalogue."""
    root = Path(__file__).resolve().parents[3]
    with (root / "school/translations/ru/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    untranslated = []
    for where, label in registry_labels().items():
        assert str(label).strip(), where
        message = catalogue.get(_msgid(label))
        if message is None or not message.string:
            untranslated.append(f"{where}: {_msgid(label)}")
    assert untranslated == []
    assert len([k for k in registry_labels() if k.startswith("field ")]) == len(
        list(registry.fields())
    )


def test_labels_read_in_russian(app):
    with force_locale("ru"):
        assert str(registry.field("user", "email").label) == "Адрес электронной почты"


def test_every_store_names_a_file_setting_with_a_default():
    """A store's folder is one of the file settings that default into the instance folder."""
    for entry in (*stores.STORES.values(), *stores.PLAIN_FILES):
        if entry.folder is not None:
            assert entry.folder in INSTANCE_FILES, entry.key
        if isinstance(entry, stores.Store):
            assert entry.location and str(entry.label) and str(entry.erasure), entry.key
