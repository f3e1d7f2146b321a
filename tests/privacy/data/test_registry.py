"""The data registry declares every column the school stores."""

import pytest
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
            category=registry.IDENTITY,
            purpose="x",
            basis=registry.Basis.CONSENT,
            retention=registry.WHILE_ACCOUNT_EXISTS,
            export=True,
            erasure=registry.Erasure.KEEP,
        )


def test_every_store_names_a_file_setting_with_a_default():
    """A store's folder is one of the file settings that default into the instance folder."""
    for entry in (*stores.STORES.values(), *stores.PLAIN_FILES):
        if entry.folder is not None:
            assert entry.folder in INSTANCE_FILES, entry.key
        if isinstance(entry, stores.Store):
            assert entry.location and str(entry.label) and str(entry.erasure), entry.key
