"""Schema changes go through migrations, and the migrations match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, select

from school import create_app
from school.extensions import db
from school.privacy.consent.models import PolicyVersion
from tests.conftest import base_config


def test_migrations_build_the_schema_the_models_describe(tmp_path):
    app = create_app(base_config(tmp_path, None))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"render_as_batch": True, "compare_type": True}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == [], "run `make migration m=...` and commit the file"
        db.engine.dispose()


def test_first_migration_publishes_the_bundled_policy(tmp_path):
    app = create_app(base_config(tmp_path, None))
    with app.app_context():
        upgrade()
        version = db.session.scalar(select(PolicyVersion))
        assert version.version == "1.0"
        assert version.body_en.startswith("#")
        db.engine.dispose()


def test_upgrade_twice_keeps_data(tmp_path):
    """`make run` upgrades an existing database without losing what is in it."""
    app = create_app(base_config(tmp_path, None))
    with app.app_context():
        upgrade()
        db.session.execute(
            db.text(
                "INSERT INTO user (email, full_name, role, locale, created_at,"
                " login_count) VALUES ('keep@example.com', 'Keep Me', 'student', 'en',"
                " '2026-01-01 00:00:00', 0)"
            )
        )
        db.session.commit()
        upgrade()
        assert "user" in inspect(db.engine).get_table_names()
        emails = db.session.scalars(db.text("SELECT email FROM user")).all()
        assert emails == ["keep@example.com"]
        db.engine.dispose()
