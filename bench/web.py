"""Pages under load: gunicorn with 2 workers on 127.0.0.1, measured with wrk.

Each page's requests/s is printed as a ratio to a bare route of the same app on the same
server under the same load (``/health``), with its p99 latency, and the memory of one worker
after the load. The school is seeded far larger than a small one first.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = int(os.environ.get("BENCH_STUDENTS", "10000"))
CONNECTIONS = 32
DURATION = os.environ.get("BENCH_DURATION", "5s")

PAGES = [  # (path, minimum ratio to the bare route, p99 limit in ms or None)
    ("/", 0.6, 50),
    ("/privacy", 0.6, 50),
    ("/courses", 0.6, 50),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(instance: Path) -> None:
    """A large school: many students with consents, straight into a migrated database."""
    env = {**os.environ, "SCHOOL_INSTANCE": str(instance)}
    code = f"""
import secrets
from school import create_app
from school.extensions import db
from flask_migrate import upgrade
app = create_app({{"INSTANCE_PATH": {str(instance)!r}, "SECRET_KEY": "bench"}})
with app.app_context():
    upgrade()
    from school.accounts.models import User
    from school.privacy.models import ConsentRecord, ConsentAction, ConsentPurpose
    from school.privacy.services import current_policy
    from school.database import utcnow
    policy = current_policy()
    now = utcnow()
    users = [dict(email=f"s{{i}}@bench.example", full_name=f"Student {{i}}", role="student",
                  locale="en" if i % 3 else "ru", session_token=secrets.token_urlsafe(24),
                  password_hash="x", email_confirmed_at=now, created_at=now, login_count=0)
             for i in range({STUDENTS})]
    db.session.execute(db.insert(User), users)
    ids = db.session.scalars(db.select(User.id)).all()
    db.session.execute(db.insert(ConsentRecord), [
        dict(user_id=i, purpose=ConsentPurpose.PROCESSING, action=ConsentAction.GIVEN,
             policy_version_id=policy.id, wording="bench", language="en", method="bench",
             created_at=now) for i in ids])
    db.session.commit()
    try:
        from school.demo import seed_demo
        seed_demo()
    except Exception as error:
        print("demo data:", error)
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)


def wrk(url: str) -> tuple[float, float]:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    value, unit = float(p99.group(1)), p99.group(2)
    millis = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    return rate, millis


def worker_rss_mb(master_pid: int) -> float:
    children = subprocess.run(
        ["pgrep", "-P", str(master_pid)], capture_output=True, text=True
    ).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return max(sizes) if sizes else 0.0


def main() -> bool:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk); skipped")
        return True
    instance = Path(tempfile.mkdtemp(prefix="bench-web-"))
    print(f"seeding {STUDENTS} students ...")
    seed(instance)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "bench.web_app:app"],
        cwd=ROOT,
        env={**os.environ, "SCHOOL_INSTANCE": str(instance)},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        baseline, baseline_p99 = wrk(f"{base}/health")
        print(f"{'bare route /health':32} {baseline:8.0f} req/s  p99 {baseline_p99:6.1f} ms")
        ok = True
        for path, minimum, p99_limit in PAGES:
            rate, p99 = wrk(base + path)
            ratio = rate / baseline
            fast_enough = p99_limit is None or p99 <= p99_limit
            verdict = "ok" if ratio >= minimum and fast_enough else "BELOW"
            ok &= verdict == "ok"
            print(f"{path:32} {rate:8.0f} req/s  ratio {ratio:4.2f} (target {minimum})"
                  f"  p99 {p99:6.1f} ms (target {p99_limit})  {verdict}")  # fmt: skip
        rss = worker_rss_mb(server.pid)
        print(f"worker memory after the load: {rss:.0f} MB (target < 120)")
        return ok and rss < 120
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
