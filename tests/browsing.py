"""Helpers of the browser tests (Playwright)."""

from __future__ import annotations

from playwright.sync_api import Page


def errors_of(page: Page) -> list[str]:
    """The errors a page logs from now on (console errors and uncaught exceptions)."""
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: found.append(str(e)))
    return found
