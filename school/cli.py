"""Commands that belong to no single domain: demo data and backups."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import make_url

from school.extensions import db
from school.files import private_folder


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Seed even in production (SCHOOL_ENV=production).")
def seed_demo_command(force):
    """Add the demo school (admin, students, courses) unless it is already there."""
    from school.demo import DemoRefused, seed_demo

    try:
        lines = seed_demo(force=force)
    except DemoRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    for line in lines:
        click.echo(line)


@click.command("backup")
@click.argument("destination", required=False, type=click.Path(dir_okay=True))
def backup_command(destination):
    """Copy the SQLite database with SQLite's online backup (safe while the site runs)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        raise click.ClickException("backup is for SQLite; use pg_dump for PostgreSQL")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = Path(destination or Path(current_app.instance_path) / "backups")
    if target.suffix == "":
        private_folder(target)
        target = target / f"school-{stamp}.sqlite3"
    source = sqlite3.connect(url.database)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    target.chmod(0o600)
    click.echo(f"Backed up to {target}")


def init_app(app) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(backup_command)

    @app.shell_context_processor
    def shell_context():
        return {"db": db}
