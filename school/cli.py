"""Commands that belong to no single domain: demo data and backups."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import click

from school.backups import BackupError, reapply_erasures, restore, take_backup, verify_backup
from school.extensions import db


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
@click.option(
    "--verify",
    is_flag=True,
    help="Then restore the copy into a temporary database and decrypt its encrypted values.",
)
@click.option(
    "--check",
    "existing",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Verify this existing backup instead of taking one.",
)
def backup_command(destination, verify, existing):
    """Copy the SQLite database with SQLite's online backup (safe while the site runs)."""
    try:
        if existing is None:
            target = take_backup(Path(destination) if destination else None)
            click.echo(f"Backed up to {target}")
        if verify or existing is not None:
            checked = existing or target
            report = verify_backup(checked)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    if not (verify or existing is not None):
        return
    if not report.ok:
        lost = ", ".join(f"{name}: {count}" for name, count in sorted(report.unreadable.items()))
        raise click.ClickException(
            f"{checked} restores, but {sum(report.unreadable.values())} encrypted values do "
            f"not decrypt with the keys in use ({lost}). Its keys were retired more than "
            "BACKUP_RETENTION_DAYS ago, or lost: restoring it would lose these values."
        )
    click.echo(
        f"Verified {checked}: restored {report.rows} rows into a temporary database; "
        f"all {report.decrypted} encrypted values decrypt."
    )


@click.command("restore")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False))
@click.confirmation_option(prompt="Replace the database with this backup? Stop the site first.")
def restore_command(backup):
    """Put a backup in place of the SQLite database, then erase again everyone the erasure
    journal says was erased after the backup was taken. Run ``flask db upgrade`` next if the
    backup is older than the code."""
    try:
        report = restore(Path(backup))
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    taken = report.taken_at.isoformat() if report.taken_at else "an unknown time"
    click.echo(f"Restored {backup}, taken at {taken}.")
    click.echo(f"Erasures journaled since then and re-applied: {report.reapplied}")


@click.command("reapply-erasures")
@click.option("--since", type=click.DateTime(), help="When the restored backup was taken (UTC).")
def reapply_erasures_command(since):
    """After restoring a database some other way (pg_restore): erase again everyone the
    erasure journal says was erased after ``--since`` (every journaled erasure without it)."""
    moment = since.replace(tzinfo=UTC) if since is not None else None
    click.echo(f"Erasures re-applied: {reapply_erasures(moment)}")


def init_app(app) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(reapply_erasures_command)

    @app.shell_context_processor
    def shell_context():
        return {"db": db}
