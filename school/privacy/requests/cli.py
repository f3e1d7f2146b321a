"""The ``flask privacy`` command group; each privacy concern attaches its own commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

privacy_cli = AppGroup("privacy", help="Privacy requests and their intake by email.")


@privacy_cli.command("overdue")
def overdue_command():
    """List open requests that are overdue or due within three days (for cron mail)."""
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
@click.option(
    "--dry-run", is_flag=True, help="List, per rule, what would go and how many; change nothing."
)
def retention_command(dry_run):
    """Carry out every retention the privacy registry declares with a period, and record
    the run (shown on the staff home). With --dry-run, only count."""
    from school.privacy.data import registry, retention

    if dry_run:
        for planned in retention.plan():
            click.echo(
                f"{planned.rule.description}: {planned.count} would go "
                f"(kept {registry.period_words(planned.days)}: anything from before "
                f"{planned.cutoff:%Y-%m-%d %H:%M} UTC)"
            )
        for task in retention.tasks():
            click.echo(f"{task.description}: not counted in a dry run")
        click.echo("Dry run: nothing was changed.")
        return
    record = retention.run()
    for line in record.removed:
        click.echo(f"{retention.described(line['rule'])}: {line['removed']}")
