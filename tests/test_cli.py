"""Everything staff can do from a shell."""

import sqlite3

import pytest
from sqlalchemy import func, select

from school.accounts.models import Role, User
from school.extensions import db


def test_create_admin_with_generated_password(runner):
    result = runner.invoke(args=["users", "create-admin", "boss@example.com", "--generate"])
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.com"))
    assert user.role is Role.STAFF and user.is_confirmed


def test_create_admin_promotes_an_existing_account(runner, student):
    result = runner.invoke(
        args=["users", "create-admin", student.email, "--password", "a long admin password"]
    )
    assert result.exit_code == 0
    db.session.refresh(student)
    assert student.role is Role.STAFF


def test_seed_demo_is_idempotent(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Staff login:" in first.output
    count = db.session.scalar(select(func.count()).select_from(User))
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == count
    # The same admin password is shown again, so `make run` twice still tells you it.
    assert first.output.splitlines()[0] == second.output.splitlines()[0]


def test_seed_demo_adds_a_catalogue_once(runner):
    from school.courses.models import Course, Lesson

    runner.invoke(args=["seed-demo"])
    courses = db.session.scalars(select(Course)).all()
    assert len(courses) >= 12
    assert len({c.language for c in courses}) >= 5
    assert len({c.level for c in courses}) >= 5
    assert db.session.scalar(select(func.count()).select_from(Lesson)) >= 12 * 5
    runner.invoke(args=["seed-demo"])
    assert db.session.scalar(select(func.count()).select_from(Course)) == len(courses)


@pytest.mark.sqlite_only
def test_backup_makes_a_readable_copy(runner, student, tmp_path):
    target = tmp_path / "copy.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        emails = [row[0] for row in copy.execute("SELECT email FROM user")]
    assert student.email in emails


@pytest.mark.postgresql_only
def test_backup_on_postgresql_points_to_pg_dump(runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "copy")])
    assert result.exit_code != 0
    assert "use pg_dump for PostgreSQL" in result.output
    assert not (tmp_path / "copy").exists()
