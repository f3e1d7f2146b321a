"""Settings: every key the code reads has its one default in config.py; the environment is
read with each key's type."""

import ast
import re
from pathlib import Path

import pytest
from flask import Flask

import school
from school import create_app
from school.config import Defaults, _apply_environment, load_config


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


# --- every setting has its default in config.py ----------------------------------------------

SCHOOL = Path(school.__file__).parent
TEMPLATES = SCHOOL.parent / "templates"


def _is_config(node: ast.expr) -> bool:
    """``app.config``, ``current_app.config``, or a local named ``config`` bound to one."""
    return (isinstance(node, ast.Attribute) and node.attr == "config") or (
        isinstance(node, ast.Name) and node.id == "config"
    )


def config_reads(tree: ast.AST) -> list[ast.expr]:
    """The key expression of every ``….config[KEY]`` and ``….config.get/setdefault(KEY, …)``."""
    keys = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_config(node.value):
            keys.append(node.slice)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"get", "setdefault"}
            and _is_config(node.func.value)
            and node.args
        ):
            keys.append(node.args[0])
    return keys


def settings_read_by_the_code() -> dict[str, set[str]]:
    """Each key the school's Python code and templates read, with where it is read."""
    found: dict[str, set[str]] = {}
    for path in sorted(SCHOOL.rglob("*.py")):
        where = str(path.relative_to(SCHOOL.parent))
        for key in config_reads(ast.parse(path.read_text(), filename=where)):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                found.setdefault(key.value, set()).add(where)
            elif path.name != "config.py":  # config.py itself loops over its own tables
                found.setdefault(f"<not a literal: {ast.unparse(key)}>", set()).add(where)
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file():
            for key in re.findall(r"\bconfig\.([A-Z][A-Z0-9_]*)", path.read_text()):
                found.setdefault(key, set()).add(str(path.relative_to(TEMPLATES.parent)))
    return found


def test_the_source_scan_finds_the_reads_it_must_check():
    """The scan sees each way the code reads a setting, so the test below can be trusted."""
    source = (
        "current_app.config['A']\napp.config.get('B')\nconfig = current_app.config\n"
        "config['C']\napp.config.setdefault('D', 1)\ncurrent_app.config[name]\n"
    )
    keys = [ast.unparse(key) for key in config_reads(ast.parse(source))]
    assert sorted(keys) == ["'A'", "'B'", "'C'", "'D'", "name"]
    assert {"BCRYPT_LOG_ROUNDS", "PHOTO_MAX_BYTES", "INTAKE_DIR", "SCHOOL_NAME"} <= set(
        settings_read_by_the_code()
    )


def test_every_setting_the_code_reads_has_its_default_in_config_py():
    defaults = {name for name in vars(Defaults) if name.isupper()}
    missing = {
        key: sorted(places)
        for key, places in settings_read_by_the_code().items()
        if key not in defaults
    }
    assert missing == {}


def test_file_settings_default_to_the_instance_folder_and_can_be_moved(tmp_path):
    default = Flask(__name__, instance_path=str(tmp_path / "instance"))
    load_config(default, {})
    assert default.config["PHOTO_DIR"] == str(tmp_path / "instance" / "photos")
    assert default.config["INTAKE_DIR"] == str(tmp_path / "instance" / "intake")
    assert default.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/school.sqlite3")
    assert "UPLOAD_DIR" not in default.config  # set once and never read: gone
    moved = Flask(__name__, instance_path=str(tmp_path / "instance"))
    load_config(moved, {"PHOTO_DIR": "/srv/photos", "DATABASE_URL": "postgres://db/school"})
    assert moved.config["PHOTO_DIR"] == "/srv/photos"
    assert moved.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/school"  # psycopg 3


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
