"""``make screenshots``: the main pages at 375, 768 and 1280 pixels, in English and Russian.

Full-page PNGs go to ``screenshots/<language>/<width>/<page>.png`` (git-ignored) for a
person to review; at 375 pixels the open menu is photographed too. Nothing is asserted here:
the browser tests check the layout, this is for the eye.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.site import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    demo_site,
    pages,
    refuse_optional_cookies,
    sign_in,
)

WIDTHS = (375, 768, 1280)
LANGUAGES = ("en", "ru")
OUTPUT = ROOT / "screenshots"


def shoot(page, path: Path) -> None:
    # Scroll to the end first, so pictures that load lazily are in the picture.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, 0)")
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)


def main() -> bool:
    count = 0
    with demo_site() as site, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for language in LANGUAGES:
            by_person: dict[str | None, list] = {}
            for entry in pages(site):
                by_person.setdefault(entry.who, []).append(entry)
            for who, entries in by_person.items():
                context = browser.new_context(
                    locale=language, extra_http_headers={"Accept-Language": language}
                )
                page = context.new_page()
                refuse_optional_cookies(page, site)
                if who:
                    sign_in(page, site, who)
                    # The account's own language wins over the browser's: choose it.
                    switch = page.locator(f".language-switch button[value={language}]")
                    if switch.count():
                        switch.click()
                        page.wait_for_load_state()
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 800})
                    for entry in entries:
                        page.goto(site.url + entry.path)
                        shoot(page, OUTPUT / language / str(width) / f"{entry.name}.png")
                        count += 1
                    if width == WIDTHS[0]:
                        page.goto(site.url + "/")
                        page.locator(".menu-button").click()
                        name = f"menu-open-{'visitor' if who is None else entries[0].name}.png"
                        page.screenshot(path=str(OUTPUT / language / str(width) / name))
                        count += 1
                context.close()
        browser.close()
    print(f"{count} screenshots in {OUTPUT}")
    return True


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
