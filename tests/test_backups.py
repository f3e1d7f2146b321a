"""A backup outlives a key rotation: retired keys still decrypt it while backups are kept,
and ``flask backup --verify`` proves a backup restores and reads back before it is needed."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import text

from school import create_app
from school.extensions import db
from school.profile.encryption import (
    StoredKey,
    keys_path,
    multi_fernet,
    read_stored_keys,
    rotate_keys,
)
from school.profile.models import Profile
from tests.conftest import base_config
from tests.profile.helpers import FULL_PROFILE

# `flask backup` copies the SQLite file (on PostgreSQL the README's answer is pg_dump).
pytestmark = pytest.mark.sqlite_only

ENCRYPTED = ["phone", "address", "postal_code", "date_of_birth", "workplace", "position"]


@pytest.fixture
def profiles(student_client, student, make_user):
    """Two students' profiles: eight encrypted values in all."""
    assert student_client.submit("/profile", FULL_PROFILE).status_code == 302
    other = make_user("other@example.com")
    db.session.add(Profile(user_id=other.id, phone="+48 600 700 800", position="Pilot"))
    db.session.commit()
    return {student.id: {name: FULL_PROFILE[name] for name in ENCRYPTED},
            other.id: {"phone": "+48 600 700 800", "position": "Pilot"}}  # fmt: skip


def restore_into_a_fresh_instance(backup, keys_file, folder):
    """A new instance whose database is the backup, with the keys file of the old one."""
    folder.mkdir()
    shutil.copy(backup, folder / "school.sqlite3")
    config = base_config(folder, None)
    config["FERNET_KEYS_FILE"] = str(keys_file)
    return create_app(config)


def test_restore_drill_back_up_rotate_restore_and_every_value_reads_back(
    app, runner, profiles, tmp_path
):
    backup = tmp_path / "before-rotation.sqlite3"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    rotated = runner.invoke(args=["keys", "rotate"])
    assert rotated.exit_code == 0, rotated.output

    checked = runner.invoke(args=["backup", "--check", str(backup)])
    assert checked.exit_code == 0, checked.output
    assert "all 8 encrypted values decrypt" in checked.output

    fresh = restore_into_a_fresh_instance(backup, keys_path(), tmp_path / "fresh")
    with fresh.app_context():
        for user_id, values in profiles.items():
            profile = db.session.get(Profile, user_id)
            for name, expected in values.items():
                assert str(getattr(profile, name)) == expected, name
        db.engine.dispose()


def test_rotation_retires_the_old_key_for_decrypting_only(app, runner, profiles):
    (old,) = read_stored_keys(keys_path())
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0

    active, retired = read_stored_keys(keys_path())
    assert active.retired_at is None and active.key != old.key
    assert retired.key == old.key and retired.retired_at is not None
    # What is written now is written with the new key alone.
    db.session.get(Profile, next(iter(profiles))).phone = "+375 33 000 00 00"
    db.session.commit()
    token = db.session.execute(text("SELECT phone FROM profile ORDER BY user_id")).scalar()
    assert Fernet(active.key).decrypt(token.encode()) == b"+375 33 000 00 00"
    with pytest.raises(InvalidToken):
        Fernet(old.key).decrypt(token.encode())


def test_a_retired_key_never_encrypts():
    with pytest.raises(RuntimeError, match="retired"):
        multi_fernet([StoredKey(Fernet.generate_key(), datetime.now(UTC))])


def test_a_retired_key_is_dropped_once_no_kept_backup_can_need_it(app, runner, profiles, tmp_path):
    backup = tmp_path / "old.sqlite3"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    (original,) = read_stored_keys(keys_path())
    first_rotation = datetime.now(UTC)
    rotate_keys(db, now=first_rotation)
    kept_for = timedelta(days=app.config["BACKUP_RETENTION_DAYS"])

    rotate_keys(db, now=first_rotation + kept_for - timedelta(days=1))
    keys = [stored.key for stored in read_stored_keys(keys_path())]
    assert original.key in keys  # retired, and still needed by backups kept

    rotate_keys(db, now=first_rotation + kept_for + timedelta(days=1))
    keys = [stored.key for stored in read_stored_keys(keys_path())]
    assert original.key not in keys and len(keys) == 3
    # A backup older than the retention period no longer restores whole, and says so.
    checked = runner.invoke(args=["backup", "--check", str(backup)])
    assert checked.exit_code != 0
    assert "8 encrypted values do not decrypt" in checked.output
    assert "profile.phone: 2" in checked.output


def test_backup_verify_restores_the_new_copy_and_decrypts_it(app, runner, profiles, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "copy.sqlite3"), "--verify"])
    assert result.exit_code == 0, result.output
    assert "Backed up to" in result.output
    assert "all 8 encrypted values decrypt" in result.output


def test_a_damaged_backup_fails_verification_loudly(app, runner, profiles, tmp_path):
    backup = tmp_path / "copy.sqlite3"
    runner.invoke(args=["backup", str(backup)])
    with sqlite3.connect(backup) as copy:
        foreign = Fernet(Fernet.generate_key()).encrypt(b"from elsewhere").decode()
        copy.execute("UPDATE profile SET position = ?", (foreign,))
    result = runner.invoke(args=["backup", "--check", str(backup)])
    assert result.exit_code != 0
    assert "profile.position: 2" in result.output

    backup.write_bytes(b"not a database at all" * 100)
    result = runner.invoke(args=["backup", "--check", str(backup)])
    assert result.exit_code != 0
    assert "not a readable SQLite database" in result.output
