"""Everything the site writes under ``instance/`` is for its own user only: 0600 and 0700.

The folder holds the database, the mail spool (with reset links), raw emailed requests,
exports, photos, backups, the secret key and the encryption keys.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from school.extensions import db
from tests.conftest import AuthActions, create_user
from tests.intake.conftest import build
from tests.privacy.helpers import ask
from tests.profile.helpers import png


def modes(folder: Path) -> dict[str, str]:
    """Every path under ``folder`` (and itself), with its permission bits in octal."""
    found = {".": oct(stat.S_IMODE(folder.stat().st_mode))}
    for here, subfolders, files in os.walk(folder):
        for name in subfolders + files:
            path = Path(here) / name
            found[str(path.relative_to(folder))] = oct(stat.S_IMODE(path.stat().st_mode))
    return found


@pytest.mark.sqlite_only  # the day includes `flask backup`, which copies the SQLite file
def test_a_day_of_use_leaves_only_private_files_in_the_instance_folder(make_app, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("What lives here.\n")
    readme.chmod(0o644)
    # Left by an older version, before files were made private: tightened at start.
    old_spool = tmp_path / "mail_spool"
    old_spool.mkdir(mode=0o755)
    (old_spool / "old.eml").write_text("Subject: a reset link\n")
    (old_spool / "old.eml").chmod(0o644)

    app = make_app(MAIL_SERVER="", SECRET_KEY="", PRIVACY_AUTO_APPROVE_EXPORTS=True)
    with app.app_context():
        create_user("sam@example.com")
        db.session.remove()
    client = app.test_client()
    client.submit("/forgot-password", {"email": "sam@example.com"})  # into the spool
    assert AuthActions(client).login("sam@example.com").status_code == 302
    client.submit(
        "/profile/photo",
        {"photo": (io.BytesIO(png()), "me.png", "image/png")},
        content_type="multipart/form-data",
    )
    ask(client, "export")
    runner = app.test_cli_runner()
    raw = build(sender="sam@example.com")
    with app.app_context():
        assert runner.invoke(args=["privacy", "ingest"], input=raw).exit_code == 0
        assert runner.invoke(args=["backup"]).exit_code == 0
        assert runner.invoke(args=["seed-demo"]).exit_code == 0
        db.engine.dispose()

    found = modes(tmp_path)
    # The journey really wrote each kind of file.
    for expected in ("school.sqlite3", "secret_key", "demo-credentials.txt"):
        assert expected in found, sorted(found)
    for folder in ("mail_spool", "photos", "exports", "intake", "backups"):
        assert any(path.startswith(folder + "/") for path in found), (folder, sorted(found))
    assert found.pop("README.md") == "0o644"  # tracked by git, left as git made it
    wrong = {
        path: mode
        for path, mode in found.items()
        if mode != ("0o700" if (tmp_path / path).is_dir() else "0o600")
    }
    assert wrong == {}
