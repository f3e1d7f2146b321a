"""Schema changes go through migrations, and the migrations match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from school import create_app
from school.extensions import db
from school.privacy.consent.models import PolicyVersion
from tests.conftest import base_config


def app_on_blank_database(tmp_path, blank_database):
    return create_app({**base_config(tmp_path, None), "SQLALCHEMY_DATABASE_URI": blank_database})


def test_migrations_build_the_schema_the_models_describe(tmp_path, blank_database):
    app = app_on_blank_database(tmp_path, blank_database)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"render_as_batch": True, "compare_type": True}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == [], "run `make migration m=...` and commit the file"
        db.engine.dispose()


def test_first_migration_publishes_the_bundled_policy(tmp_path, blank_database):
    app = app_on_blank_database(tmp_path, blank_database)
    with app.app_context():
        upgrade()
        version = db.session.scalar(select(PolicyVersion))
        assert version.version == "1.0"
        assert version.body_en.startswith("#")
        db.engine.dispose()


def test_upgrade_twice_keeps_data(tmp_path, blank_database):
    """`make run` upgrades an existing database without losing what is in it."""
    app = app_on_blank_database(tmp_path, blank_database)
    with app.app_context():
        upgrade()
        db.session.execute(
            db.text(
                'INSERT INTO "user" (email, full_name, role, locale, created_at,'
                " login_count) VALUES ('keep@example.com', 'Keep Me', 'student', 'en',"
                " '2026-01-01 00:00:00', 0)"
            )
        )
        db.session.commit()
        upgrade()
        assert "user" in inspect(db.engine).get_table_names()
        emails = db.session.scalars(db.text('SELECT email FROM "user"')).all()
        assert emails == ["keep@example.com"]
        db.engine.dispose()


def test_every_migration_downgrades_and_upgrades_again(tmp_path, blank_database):
    app = app_on_blank_database(tmp_path, blank_database)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "consent_record" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_migrating_in_the_apps_process_leaves_its_error_log_on(tmp_path, blank_database, caplog):
    """The bench and these tests upgrade inside a process whose app already has its logger:
    Alembic's logging set-up must not switch it off (an erasure's failed clean-up, say, would
    then go unrecorded)."""
    app = app_on_blank_database(tmp_path, blank_database)
    logger = app.logger  # made before the migration, as a running app's is
    with app.app_context():
        upgrade()
        db.engine.dispose()
    logger.addHandler(caplog.handler)  # Alembic's set-up replaced the root's handlers
    try:
        logger.error("still heard after a migration")
    finally:
        logger.removeHandler(caplog.handler)
    assert "still heard after a migration" in caplog.text


def test_the_database_itself_raises_the_privacy_queue_version(tmp_path, blank_database):
    """The stored lists of the staff queue are keyed by a number triggers raise, whatever
    path a change takes: raw SQL here, and the database's own SET NULL when an account row
    goes. A later migration that rebuilds ``privacy_request`` (SQLite's batch mode copies the
    table) and drops the triggers fails here."""
    app = app_on_blank_database(tmp_path, blank_database)
    with app.app_context():
        upgrade()

        def version():
            return db.session.scalar(db.text("SELECT version FROM privacy_queue_version"))

        def run(sql):
            before = version()
            db.session.execute(db.text(sql))
            db.session.commit()
            return version() - before

        run(
            'INSERT INTO "user" (id, email, full_name, role, locale, created_at, login_count)'
            " VALUES (7, 'q@example.com', 'Q', 'student', 'en', '2026-01-01 00:00:00', 0)"
        )
        filed = (
            "INSERT INTO privacy_request (id, public_id, type, status, channel, user_id,"
            " details, requested_changes, language, received_at, due_by, outcome) VALUES"
            " (1, 'pub1', 'access', 'received', 'web', 7, '', '{}', 'en',"
            " '2026-01-01 00:00:00', '9999-12-31', '{}')"
        )
        assert run(filed) >= 1
        assert run("UPDATE privacy_request SET details = 'more words'") == 0
        assert run("UPDATE privacy_request SET status = 'completed'") >= 1
        assert run('DELETE FROM "user" WHERE id = 7') >= 1  # user_id set to NULL
        assert db.session.scalar(db.text("SELECT user_id FROM privacy_request")) is None
        assert run("DELETE FROM privacy_request") >= 1
        db.engine.dispose()
