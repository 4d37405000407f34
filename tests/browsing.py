"""What the browser tests share (their fixtures are in tests/conftest.py): Debian's Chromium,
the two viewports, and a check that the stylesheet was applied."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}


def assert_styled(page):
    """The stylesheet was served by the live server and applied."""
    rules = page.evaluate(
        """() => [...document.styleSheets]
             .filter(s => s.href && s.href.endsWith("/css/site.css"))
             .map(s => s.cssRules.length)"""
    )
    assert rules and rules[0] > 50, f"site.css not loaded on {page.url}"
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == (
        "absolute"
    )
