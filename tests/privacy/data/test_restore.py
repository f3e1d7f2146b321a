"""A restored backup cannot bring back anyone erased after it was taken."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from school.accounts.models import User
from school.extensions import db
from tests.privacy.helpers import ask, decide, latest
from tests.privacy.scanner import scan_folder

PHONE = "+375 29 555 01 02"


def backups_in(app) -> list[Path]:
    return sorted((Path(app.instance_path) / "backups").glob("*.sqlite3"))


def erase(student_client, staff_client) -> None:
    ask(student_client, "erasure")
    decide(staff_client, latest("erasure"))


@pytest.mark.sqlite_only  # flask backup and restore copy the SQLite file
def test_restore_drill_back_up_erase_restore_and_the_person_is_gone_again(
    app, runner, student, student_client, staff_client, make_user, smtp
):
    student_client.submit("/profile", {"full_name": "Sam Student", "locale": "en", "phone": PHONE})
    kept = make_user("kept@example.com", full_name="Kept Person")
    email, student_id, kept_id = student.email, student.id, kept.id
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    (backup,) = backups_in(app)

    erase(student_client, staff_client)
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert "re-applied: 1" in result.output

    restored = db.session.get(User, student_id)
    assert restored.erased_at is not None and restored.email.endswith("@erased.invalid")
    assert db.session.scalar(select(User).where(User.email == email)) is None
    assert db.session.get(User, kept_id).full_name == "Kept Person"  # the rest came back
    # Nothing of the person in the live database; only the backup file, kept as declared.
    findings = {f.path for f in scan_folder(Path(app.instance_path), [email, PHONE])}
    assert findings and all(path.startswith("backups/") for path in findings)


@pytest.mark.sqlite_only  # flask backup and restore copy the SQLite file
def test_a_backup_records_when_it_was_taken_and_only_later_erasures_are_reapplied(
    app, runner, make_user, student, student_client, staff_client, smtp
):
    erase(student_client, staff_client)  # before the backup: the backup already has it
    runner.invoke(args=["backup"])
    (backup,) = backups_in(app)
    with sqlite3.connect(backup) as copy:
        (taken,) = copy.execute("SELECT taken_at FROM backup_taken").fetchone()
    assert taken.startswith("20")
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert "re-applied: 0" in result.output
    tables = [row[0] for row in db.session.execute(db.text("SELECT name FROM sqlite_master"))]
    assert "backup_taken" not in tables


@pytest.mark.sqlite_only  # flask backup and restore copy the SQLite file
def test_a_copy_that_does_not_say_when_it_was_taken_gets_every_erasure_reapplied(
    app, runner, student, student_client, staff_client, smtp, tmp_path_factory
):
    email = student.email
    outside = tmp_path_factory.mktemp("elsewhere") / "plain-copy.sqlite3"
    db.session.commit()
    with (
        sqlite3.connect(Path(app.instance_path) / "school.sqlite3") as live,
        sqlite3.connect(outside) as copy,
    ):
        live.backup(copy)
    erase(student_client, staff_client)
    result = runner.invoke(args=["restore", str(outside), "--yes"])
    assert "taken at an unknown time" in result.output and "re-applied: 1" in result.output
    assert db.session.scalar(select(User).where(User.email == email)) is None


def test_after_a_restore_by_other_means_the_journal_is_reapplied_from_a_time(
    app, runner, student, student_client, staff_client, smtp
):
    """PostgreSQL is restored with pg_restore; the journal is re-applied by a command."""
    email, student_id = student.email, student.id
    erase(student_client, staff_client)
    # As if the database came back from a dump taken before the erasure.
    db.session.execute(
        db.text('UPDATE "user" SET erased_at = NULL, email = :email WHERE id = :id'),
        {"email": email, "id": student_id},
    )
    db.session.commit()
    later = runner.invoke(args=["reapply-erasures", "--since", "2999-01-01 00:00:00"])
    assert "re-applied: 0" in later.output
    result = runner.invoke(args=["reapply-erasures", "--since", "2000-01-01 00:00:00"])
    assert "re-applied: 1" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == email)) is None
