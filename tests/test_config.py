"""Settings from the environment: every documented key is read, with its type."""

import pytest

from school import create_app
from school.config import _apply_environment


def test_environment_settings_are_read_with_their_types(monkeypatch):
    monkeypatch.setenv("INTAKE_IMAP_HOST", "imap.example.org")
    monkeypatch.setenv("INTAKE_IMAP_PORT", "1993")
    monkeypatch.setenv("INTAKE_IMAP_TLS", "false")
    monkeypatch.setenv("INTAKE_IMAP_PASSWORD", "from-the-environment")
    monkeypatch.setenv("PRIVACY_JURISDICTION", "EU")
    monkeypatch.setenv("MINOR_AGE", "14")
    monkeypatch.setenv("PRIVACY_AUTO_APPROVE_EXPORTS", "yes")
    config: dict = {}
    _apply_environment(config)
    assert config["INTAKE_IMAP_HOST"] == "imap.example.org"
    assert config["INTAKE_IMAP_PORT"] == 1993
    assert config["INTAKE_IMAP_TLS"] is False
    assert config["INTAKE_IMAP_PASSWORD"] == "from-the-environment"
    assert config["PRIVACY_JURISDICTION"] == "EU"
    assert config["MINOR_AGE"] == 14
    assert config["PRIVACY_AUTO_APPROVE_EXPORTS"] is True


@pytest.mark.parametrize(
    ("given", "used"),
    [
        (
            "postgresql://school@db.internal/school",
            "postgresql+psycopg://school@db.internal/school",
        ),
        ("postgres://school@db.internal/school", "postgresql+psycopg://school@db.internal/school"),
        ("postgresql+psycopg://s@db/school", "postgresql+psycopg://s@db/school"),
        ("sqlite:////srv/school.sqlite3", "sqlite:////srv/school.sqlite3"),
    ],
)
def test_a_postgresql_url_uses_psycopg_3_unless_it_names_a_driver(tmp_path, given, used):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k", "DATABASE_URL": given})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == used


def test_postgresql_connections_give_up_waiting_like_a_busy_sqlite_database(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "k",
            "DATABASE_URL": "postgresql://school@db.internal/school",
            "POSTGRES_LOCK_TIMEOUT": 2.5,
            "POSTGRES_STATEMENT_TIMEOUT": 30,
        }
    )
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"]
    assert options == "-c lock_timeout=2500 -c statement_timeout=30000"
