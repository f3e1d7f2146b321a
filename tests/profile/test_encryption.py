"""Sensitive profile fields are encrypted at rest, and keys rotate without losing a value."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from school.extensions import db
from school.profile.encryption import keys_path, read_keys
from school.profile.models import Profile
from tests.profile.helpers import FULL_PROFILE

ENCRYPTED = ["phone", "address", "postal_code", "date_of_birth", "workplace", "position"]


def database_bytes(app) -> bytes:
    """Every byte SQLite keeps on disk for the database: the file, its WAL and journal."""
    main = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    return b"".join(path.read_bytes() for path in main.parent.glob(main.name + "*"))


def test_the_keys_file_is_created_private_with_one_key(app):
    path = keys_path()
    assert path.parent == Path(app.instance_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keys = read_keys(path)
    assert len(keys) == 1
    Fernet(keys[0])  # a valid key


@pytest.mark.sqlite_only
def test_the_raw_database_holds_no_plaintext_of_encrypted_fields(app, student_client, student):
    assert student_client.submit("/profile", FULL_PROFILE).status_code == 302
    db.session.remove()
    raw = database_bytes(app)
    for name in ENCRYPTED:
        assert FULL_PROFILE[name].encode() not in raw, name
    assert b"1990-05-17" not in raw
    assert b"+375" not in raw
    # Unencrypted fields are in the file, which proves the search itself works.
    assert FULL_PROFILE["learning_goals"].encode() in raw


def test_stored_values_are_fernet_tokens(app, student_client, student):
    student_client.submit("/profile", FULL_PROFILE)
    row = db.session.execute(text("SELECT phone, date_of_birth FROM profile")).one()
    fernet = Fernet(read_keys(keys_path())[0])
    assert fernet.decrypt(row.phone.encode()) == b"+375 29 123 45 67"
    assert fernet.decrypt(row.date_of_birth.encode()) == b"1990-05-17"


def test_rotating_keys_keeps_every_value_readable(app, runner, make_user, student_client, student):
    student_client.submit("/profile", FULL_PROFILE)
    other = make_user("other@example.com")
    db.session.add(Profile(user_id=other.id, phone="+48 600 700 800", position="Pilot"))
    db.session.commit()
    old_keys = read_keys(keys_path())
    old_tokens = db.session.execute(text("SELECT phone FROM profile ORDER BY user_id")).all()

    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 8 values" in result.output

    new_keys = read_keys(keys_path())
    # The new key first; the old one kept after it, retired, for the backups taken before.
    assert new_keys[0] not in old_keys and new_keys[1:] == old_keys
    assert stat.S_IMODE(keys_path().stat().st_mode) == 0o600
    new_tokens = db.session.execute(text("SELECT phone FROM profile ORDER BY user_id")).all()
    assert new_tokens != old_tokens
    # The new key alone reads every value.
    only_new = Fernet(new_keys[0])
    assert only_new.decrypt(new_tokens[1].phone.encode()) == b"+48 600 700 800"

    db.session.expire_all()
    mine = db.session.get(Profile, student.id)
    for name in ENCRYPTED:
        expected = FULL_PROFILE[name]
        assert str(getattr(mine, name)) == expected, name
    assert db.session.get(Profile, other.id).position == "Pilot"
    page = student_client.get("/profile").text
    assert "Acme Translation Bureau" in page


def test_a_failed_rotation_keeps_the_old_key_and_every_value(
    app, runner, make_user, student_client, student
):
    """A value no key can read stops the rotation: nothing is committed, no key dropped."""
    student_client.submit("/profile", FULL_PROFILE)
    stranger = make_user("stranger@example.com")
    foreign = Fernet(Fernet.generate_key()).encrypt(b"from another install").decode()
    db.session.execute(
        text("INSERT INTO profile (user_id, phone, updated_at) VALUES (:id, :phone, :now)"),
        {"id": stranger.id, "phone": foreign, "now": "2026-01-01 00:00:00"},
    )
    db.session.commit()
    old_keys = read_keys(keys_path())
    before = db.session.execute(
        text("SELECT phone FROM profile WHERE user_id = :id"), {"id": student.id}
    ).scalar()

    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code != 0

    keys = read_keys(keys_path())
    assert keys[1:] == old_keys  # the new key was added first; the old one is still there
    after = db.session.execute(
        text("SELECT phone FROM profile WHERE user_id = :id"), {"id": student.id}
    ).scalar()
    assert after == before  # the half-done re-encryption was rolled back
    db.session.expire_all()
    assert db.session.get(Profile, student.id).phone == FULL_PROFILE["phone"]
