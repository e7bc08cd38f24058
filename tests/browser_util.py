"""Headless Debian chromium through Playwright (executable_path: no browser download), for the
static-page tests; skips with the reason when either is missing."""

from __future__ import annotations

import shutil
from contextlib import contextmanager

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip


@contextmanager
def browser_page(width: int = 1300, height: int = 900):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    pw = pytest.importorskip("playwright.sync_api")
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.js_errors = errors
            yield page
        finally:
            browser.close()


def visible_texts(page, selector: str) -> list[str]:
    """Inner text of the matching elements that are not hidden."""
    return page.eval_on_selector_all(
        selector, "els => els.filter(e => !e.closest('tr').hidden).map(e => e.textContent.trim())"
    )
