"""Serving the seeded school with gunicorn, signing in over HTTP, and loading pages with wrk."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 32
WORKERS = 2
CSRF = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*\bvalue="([^"]+)"')
# Every request the benchmark makes comes from one browser, as a person's do. The sign-in
# notes the browser it was made in (Flask-Login's session protection); a page asked for by
# another marks the session as no longer fresh, and wrk, which sends the cookie it was given
# and never the one it gets back, would have every page re-sign the session cookie.
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) school-bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(instance: Path):
    """The app on 127.0.0.1 with two workers; yields (base URL, master process)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "bench.web_app:app"],
        cwd=ROOT,
        env={**os.environ, "SCHOOL_INSTANCE": str(instance)},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        yield base, server
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


def sign_in(base: str, email: str, password: str) -> str:
    """Log in as a browser would (form, CSRF token, cookies); return the Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", BROWSER)]
    form = opener.open(f"{base}/login", timeout=10).read().decode()  # noqa: S310
    token = CSRF.search(form).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    response = opener.open(f"{base}/login", data=body.encode(), timeout=30)  # noqa: S310
    if urllib.parse.urlparse(response.url).path == "/login":
        raise RuntimeError(f"could not sign in as {email}")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check_page(base: str, path: str, cookie: str | None, expect: str | None) -> None:
    """The page answers 200 itself (no redirect to the login form) and shows ``expect``:
    otherwise wrk would be timing a redirect or an error page. A signed-in page must not
    hand back a new session cookie either: wrk keeps sending the one it was given, so the
    page would change and re-sign the session on every request it times."""
    opener = urllib.request.build_opener(_NoRedirect)
    headers = {"User-Agent": BROWSER, **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(base + path, headers=headers)
    try:
        response = opener.open(request, timeout=30)  # noqa: S310
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{path} answered {error.code}, not 200") from None
    text = response.read().decode()
    if expect and expect not in text:
        raise RuntimeError(f"{path} does not show {expect!r}")
    if cookie and response.headers.get_all("Set-Cookie"):
        raise RuntimeError(f"{path} sets a cookie on every request wrk would make")


@dataclass
class Load:
    rate: float  # requests per second
    p99_ms: float
    bad: int  # non-2xx/3xx responses and socket errors: the figure is void if any


def wrk(url: str, duration: str, cookie: str | None = None) -> Load:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}", "--latency"]
    command += ["-H", f"User-Agent: {BROWSER}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    value, unit = float(p99.group(1)), p99.group(2)
    millis = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", output))
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if errors:
        bad += sum(int(n) for n in errors.groups())
    return Load(rate, millis, bad)


def worker_rss_mb(master_pid: int) -> float:
    """The largest resident set of the master's worker processes."""
    children = subprocess.run(
        ["pgrep", "-P", str(master_pid)], capture_output=True, text=True
    ).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return max(sizes) if sizes else 0.0
