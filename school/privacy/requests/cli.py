"""The ``flask privacy`` command group; each privacy concern attaches its own commands."""

from __future__ import annotations

from flask.cli import AppGroup

privacy_cli = AppGroup("privacy", help="Privacy requests and their intake by email.")


@privacy_cli.command("overdue")
def overdue_command():
    """List open requests that are overdue or due within three days (for cron mail)."""
    import click

    from school.database import utcnow
    from school.privacy.requests.queue import overdue_requests

    today = utcnow().date()
    found = overdue_requests(today)
    for request in found:
        state = "OVERDUE" if request.deadline < today else "due soon"
        click.echo(
            f"{state:9} {request.deadline.isoformat()}  {request.type.value:18} "
            f"{request.status.value:22} {request.subject_email}  {request.public_id}"
        )
    overdue = sum(1 for r in found if r.deadline < today)
    click.echo(f"{overdue} overdue, {len(found) - overdue} due within three days.")


@privacy_cli.command("retention")
def retention_command():
    """Apply the retention rules: expire unconfirmed requests and old export files,
    and delete visit statistics past their days."""
    import click

    from school.privacy.data.retention import run_retention

    for line in run_retention():
        click.echo(line)
