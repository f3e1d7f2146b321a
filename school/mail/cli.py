"""The ``flask mail`` commands."""

from __future__ import annotations

import os

import click
from flask.cli import AppGroup

from school.web_urls import SiteURLMissing, site_url

mail_cli = AppGroup("mail", help="Send and inspect outgoing mail.")


def _require_site_url() -> None:
    """Stop a sending command with the reason, rather than a traceback, when production has
    no SITE_URL."""
    try:
        site_url()
    except SiteURLMissing as missing:
        raise click.ClickException(str(missing)) from missing


@mail_cli.command("send")
@click.option("--limit", default=None, type=int, help="At most this many messages.")
def send_command(limit):
    """Send every due message in the outbox, batch after batch (run it from cron)."""
    from school.mail.services import DeliveryReport, deliver, due_ids, release_stale_claims

    _require_site_url()
    stale = release_stale_claims()
    if stale:
        click.echo(f"{stale} message(s) were interrupted mid-send and need a decision.")
    total = DeliveryReport()
    while True:
        report = deliver(limit=limit)
        total.sent += report.sent
        total.retrying += report.retrying
        total.failed += report.failed
        total.errors += report.errors
        # Failures are rescheduled into the future, so this ends when nothing is due.
        if limit is not None or not (report.sent or report.failed) or not due_ids(1):
            break
    click.echo(f"sent {total.sent}, retrying {total.retrying}, failed {total.failed}")
    for error in total.errors[:5]:
        click.echo(f"  {error}", err=True)


@mail_cli.command("worker")
@click.option("--interval", default=5.0, show_default=True, help="Seconds to wait when idle.")
@click.option("--exit-when-idle", is_flag=True, help="Stop once nothing is due.")
def worker_command(interval, exit_when_idle):
    """Deliver mail continuously, batch after batch (``make run`` starts one)."""
    import signal

    from school.mail.services import run_worker

    _require_site_url()
    stopping = []

    def request_stop(signum, frame):
        stopping.append(signum)  # finish the message in hand, then leave

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    def report(batch):
        click.echo(f"sent {batch.sent}, retrying {batch.retrying}, failed {batch.failed}")

    click.echo(f"mail worker started (pid {os.getpid()})")
    run_worker(
        interval=interval, stop=lambda: bool(stopping), idle_exit=exit_when_idle, on_batch=report
    )
    click.echo("mail worker stopped")
