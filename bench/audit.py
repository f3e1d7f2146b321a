"""``make audit``: measured quality of the main pages of a demo school.

- Lighthouse (npm ``lighthouse`` in bench/node_modules, driving Debian's chromium), each page
  ``AUDIT_RUNS`` times (default 3) with the desktop and with the mobile profile; the median
  score of each category counts. Public pages must score 100 in performance, accessibility,
  best practices and SEO; pages of a signed-in person or of staff 100 in the first three
  (they send ``noindex``, so search engines are told to leave them, and SEO is shown only).
- The Nu HTML Checker (npm ``vnu-jar``, run with the machine's java) on the HTML of every
  page, as the server sends it: no errors allowed.

Signed-in pages are fetched with the cookies of a real log-in in the browser. Reports are
kept in ``audit-reports/`` (git-ignored). ``AUDIT_PAGES=home,profile`` limits the pages.
Lighthouse's performance score depends on the machine's load: run it on a quiet machine.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.site import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    Page,
    Site,
    demo_site,
    pages,
    refuse_optional_cookies,
    sign_in,
)

TOOLS = ROOT / "bench" / "node_modules"
LIGHTHOUSE = TOOLS / ".bin" / "lighthouse"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
REPORTS = ROOT / "audit-reports"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PROFILES = ("desktop", "mobile")
ATTEMPTS = 3


def required_categories(entry: Page) -> tuple[str, ...]:
    return CATEGORIES if entry.who is None else CATEGORIES[:3]


def cookie_headers(site: Site, people: set[str]) -> dict[str, str]:
    """Each person's Cookie header after logging in (the cookie banner answered first)."""
    headers = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for who in people:
            context = browser.new_context()
            page = context.new_page()
            refuse_optional_cookies(page, site)
            sign_in(page, site, who)
            headers[who] = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
            context.close()
        browser.close()
    return headers


def fetch_html(site: Site, entries: list[Page], cookies: dict[str, str]) -> dict[str, Path]:
    """Save each page's HTML as the server sends it, for the checker."""
    folder = REPORTS / "html"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    saved = {}
    with sync_playwright() as playwright:
        context = playwright.request.new_context()
        for entry in entries:
            headers = {"Cookie": cookies[entry.who]} if entry.who else {}
            response = context.get(site.url + entry.path, headers=headers, max_redirects=0)
            if response.status != 200:
                raise SystemExit(f"{entry.name}: {entry.path} answered {response.status}")
            path = folder / f"{entry.name}.html"
            path.write_bytes(response.body())
            saved[entry.name] = path
        context.dispose()
    return saved


def html_errors(files: dict[str, Path]) -> dict[str, list[str]]:
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", *map(str, files.values())],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    by_file = {path.resolve().as_uri(): name for name, path in files.items()}
    errors: dict[str, list[str]] = {name: [] for name in files}
    for message in messages:
        if message.get("type") == "error":
            name = by_file.get(message.get("url"), message.get("url"))
            errors.setdefault(name, []).append(
                f"line {message.get('lastLine')}: {message.get('message')}"
            )
    return errors


def lighthouse(site: Site, entry: Page, profile: str, run: int, cookie: str | None) -> dict:
    output = REPORTS / "lighthouse" / f"{entry.name}.{profile}.{run}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(LIGHTHOUSE),
        site.url + entry.path,
        f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={output}",
        "--quiet",
    ]
    if profile == "desktop":
        command.append("--preset=desktop")
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    for _attempt in range(ATTEMPTS):
        # Lighthouse now and then loses its trace (NO_NAVSTART): it then exits non-zero, or
        # writes a report without a performance score. Either way, run again.
        finished = subprocess.run(command, check=False, env={**os.environ, "CHROME_PATH": CHROMIUM})
        if finished.returncode == 0:
            report = json.loads(output.read_text())
            scores = {name: report["categories"][name]["score"] for name in CATEGORIES}
            if None not in scores.values():
                return scores
    raise RuntimeError(f"Lighthouse lost its trace {ATTEMPTS} times on {entry.path} ({profile})")


def main() -> bool:
    runs = int(os.environ.get("AUDIT_RUNS", "3"))
    wanted = {name for name in os.environ.get("AUDIT_PAGES", "").split(",") if name}
    ok = True
    with demo_site() as site:
        entries = [entry for entry in pages(site) if not wanted or entry.name in wanted]
        cookies = cookie_headers(site, {entry.who for entry in entries if entry.who})

        errors = html_errors(fetch_html(site, entries, cookies))
        print(f"\nNu HTML Checker: {sum(map(len, errors.values()))} errors")
        for name, found in errors.items():
            print(f"  {name:24} {'clean' if not found else f'{len(found)} errors'}")
            for line in found:
                print(f"      {line}")
            ok = ok and not found

        print(f"\nLighthouse, median of {runs} runs")
        print(f"  {'page':24} {'profile':8} {'perf':>5} {'a11y':>5} {'bp':>5} {'seo':>5}  verdict")
        for entry in entries:
            for profile in PROFILES:
                scores = [
                    lighthouse(site, entry, profile, run, cookies.get(entry.who))
                    for run in range(1, runs + 1)
                ]
                median = {c: statistics.median(s[c] for s in scores) for c in CATEGORIES}
                passed = all(median[c] == 1 for c in required_categories(entry))
                ok = ok and passed
                cells = " ".join(f"{round(median[c] * 100):>5}" for c in CATEGORIES)
                note = "" if entry.who is None else "  (SEO not required: noindex)"
                print(
                    f"  {entry.name:24} {profile:8} {cells}  {'ok' if passed else 'MISSED'}{note}",
                    flush=True,
                )
    print(f"\nReports in {REPORTS}")
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
