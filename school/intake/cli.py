"""``flask privacy ingest | poll | ingest-maildir``: the three ways mail comes in.

Exit status follows the MTA convention (sysexits.h): 0 when the message was taken, whatever
became of it, and 75 (EX_TEMPFAIL) only when it could not be recorded now and must be
offered again later.

Wiring, for example: a Postfix alias ``privacy: "|/srv/school/.venv/bin/flask --app
/srv/school/app.py privacy ingest"``; or cron running ``flask privacy poll`` every minute
(a run still going makes the next one exit at once); or ``flask privacy ingest-maildir
/var/mail/privacy/Maildir`` for a mailbox the MTA delivers to.
"""

from __future__ import annotations

import imaplib
import sys

import click
from flask import current_app

from school.privacy.requests.cli import privacy_cli

EX_TEMPFAIL = 75


@privacy_cli.command("ingest")
@click.pass_context
def ingest_command(ctx):
    """Read one RFC 822 message on standard input (for an MTA pipe)."""
    from school.intake.services import TemporaryFailure, ingest_stream

    stream = sys.stdin.buffer
    try:
        result = ingest_stream(stream, source="pipe")
    except TemporaryFailure as error:
        click.echo(f"temporary failure, try again later: {error}", err=True)
        ctx.exit(EX_TEMPFAIL)
    except Exception as error:  # the boundary: the MTA keeps the message and retries
        current_app.logger.exception("intake: could not take the message")
        click.echo(f"temporary failure, try again later: {error}", err=True)
        ctx.exit(EX_TEMPFAIL)
    note = " (duplicate)" if result.duplicate else ""
    click.echo(f"{result.outcome.value}{note}: {result.message.reason}")


@privacy_cli.command("poll")
@click.pass_context
def poll_command(ctx):
    """Take unseen messages from the IMAP mailbox (INTAKE_IMAP_* settings)."""
    from school.intake.sources import Busy, TemporaryFailure, poll_imap

    if not current_app.config.get("INTAKE_IMAP_HOST"):
        raise click.ClickException("INTAKE_IMAP_HOST is not set")
    try:
        report = poll_imap()
    except Busy:
        return  # another poll is still running; it will take what is there
    except (TemporaryFailure, imaplib.IMAP4.error, OSError) as error:
        click.echo(f"temporary failure, try again later: {error}", err=True)
        ctx.exit(EX_TEMPFAIL)
    click.echo(report.summary())


@privacy_cli.command("ingest-maildir")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.pass_context
def ingest_maildir_command(ctx, directory):
    """Take every message in a maildir's new/ and cur/ and move it out of the way."""
    from school.intake.sources import Busy, TemporaryFailure, ingest_maildir

    try:
        report = ingest_maildir(directory)
    except Busy:
        return
    except (TemporaryFailure, OSError) as error:
        click.echo(f"temporary failure, try again later: {error}", err=True)
        ctx.exit(EX_TEMPFAIL)
    click.echo(report.summary())
