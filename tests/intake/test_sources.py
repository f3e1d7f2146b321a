"""Two of the ways in: the MTA pipe and a maildir (IMAP is in test_imap.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from school.extensions import db
from school.intake.sources import ingest_maildir
from school.mail.services import send_committed
from school.privacy.requests.models import RequestStatus, RequestType
from tests.conftest import GIVE_UP_QUICKLY, database_locked
from tests.intake.conftest import MALFORMED_SAMPLE, build, intake_rows, privacy_requests

# --- the pipe ------------------------------------------------------------------------------------


def test_pipe_takes_one_message_and_exits_zero(app, runner, smtp, student):
    raw = build("Personal Data Update", sender=student.email)
    result = runner.invoke(args=["privacy", "ingest"], input=raw)
    assert result.exit_code == 0, result.output
    assert "request" in result.output
    (request,) = privacy_requests()
    assert request.status is RequestStatus.AWAITING_CONFIRMATION
    send_committed()  # in production the command's own app context does this on exit
    assert smtp.last_to(student.email)


def test_the_pipe_command_sends_the_confirmation_as_it_exits(make_app, smtp):
    """Run as the MTA runs it: the command's own app context delivers what it committed."""
    application = make_app()
    result = application.test_cli_runner().invoke(
        args=["privacy", "ingest"], input=build("Unsubscribe", sender="reader@example.org")
    )
    assert result.exit_code == 0, result.output
    assert "confirm" in smtp.last_to("reader@example.org")["Subject"].lower()
    with application.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    "raw",
    [MALFORMED_SAMPLE, build("Re: x", headers={"Auto-Submitted": "auto-replied"}), b""],
    ids=["quarantined", "ignored", "empty"],
)
def test_pipe_exits_zero_for_ignored_and_quarantined_mail(app, runner, raw):
    """The MTA must not bounce or retry what we took; it is recorded either way."""
    result = runner.invoke(args=["privacy", "ingest"], input=raw)
    assert result.exit_code == 0, result.output
    assert len(intake_rows()) == 1


def test_pipe_exits_75_while_the_database_is_locked(make_app, smtp):
    app = make_app(**GIVE_UP_QUICKLY)
    with database_locked(app):
        result = app.test_cli_runner().invoke(
            args=["privacy", "ingest"], input=build(sender="someone@example.org")
        )
    assert result.exit_code == 75, result.output
    with app.app_context():
        assert intake_rows() == []
        # Nothing half-kept: the MTA still holds the message and offers it again.
        assert list((Path(app.config["INTAKE_DIR"]) / "raw").rglob("*.eml")) == []
        result = app.test_cli_runner().invoke(
            args=["privacy", "ingest"], input=build(sender="someone@example.org")
        )
        assert result.exit_code == 0
        assert len(intake_rows()) == 1
        db.session.remove()
        db.engine.dispose()


# --- a maildir ------------------------------------------------------------------------------------


def make_maildir(root: Path, messages: dict[str, bytes]) -> Path:
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for name, raw in messages.items():
        (root / name).write_bytes(raw)
    return root


@pytest.fixture
def mailbox_folder(tmp_path_factory):
    """Where the mail server keeps the maildir: outside the site's instance folder."""
    return tmp_path_factory.mktemp("mailbox")


def test_maildir_messages_are_taken_once_and_moved(app, runner, mailbox_folder, student):
    maildir = make_maildir(
        mailbox_folder / "Maildir",
        {
            "new/1.host": build("Personal Data Update", sender=student.email),
            "cur/2.host:2,S": build("Отписаться", sender="ivan@example.ru"),
            "new/3.host": build("Re: out", headers={"X-Autoreply": "yes"}),
            "new/4.host": MALFORMED_SAMPLE,
        },
    )
    result = runner.invoke(args=["privacy", "ingest-maildir", str(maildir)])
    assert result.exit_code == 0, result.output
    assert "requests 2, ignored 1, quarantined 1" in result.output
    assert list((maildir / "new").iterdir()) == [] and list((maildir / "cur").iterdir()) == []
    assert len(list((maildir / ".processed" / "cur").iterdir())) == 3
    assert len(list((maildir / ".quarantine" / "cur").iterdir())) == 1
    kinds = sorted(r.type for r in privacy_requests())
    assert kinds == sorted([RequestType.CORRECTION, RequestType.WITHDRAW_MARKETING])

    again = runner.invoke(args=["privacy", "ingest-maildir", str(maildir)])
    assert "requests 0, ignored 0, quarantined 0, duplicates 0" in again.output
    assert len(intake_rows()) == 4


def test_a_maildir_run_reads_each_message_row_once(app, mailbox_folder, student, count_queries):
    """Counting a message and filing it away use the outcome decided for it: the row its
    commit expired is not loaded again for that, whatever the outcome."""
    maildir = make_maildir(
        mailbox_folder / "Maildir",
        {
            "new/1.host": build("Personal Data Update", sender=student.email),
            "new/2.host": build("Re: out", headers={"X-Autoreply": "yes"}),
            "new/3.host": MALFORMED_SAMPLE,
        },
    )
    with count_queries() as counter:
        report = ingest_maildir(maildir)
    assert report.summary() == "requests 1, ignored 1, quarantined 1, duplicates 0"
    assert len(list((maildir / ".processed" / "cur").iterdir())) == 2
    reads = [s for s in counter.statements if s.startswith("SELECT intake_message.")]
    assert len(reads) == 3  # the duplicate check, one per message


def test_a_maildir_file_seen_again_is_a_duplicate(app, runner, mailbox_folder, student):
    raw = build("Personal Data Update", sender=student.email)
    maildir = make_maildir(mailbox_folder / "Maildir", {"new/1.host": raw})
    runner.invoke(args=["privacy", "ingest-maildir", str(maildir)])
    (maildir / "new" / "1-copy.host").write_bytes(raw)
    result = runner.invoke(args=["privacy", "ingest-maildir", str(maildir)])
    assert "duplicates 1" in result.output
    assert len(privacy_requests()) == 1


def test_poll_without_a_server_configured_says_so(app, runner):
    result = runner.invoke(args=["privacy", "poll"])
    assert result.exit_code != 0
    assert "INTAKE_IMAP_HOST" in result.output
