"""The one headless Chromium the kit drives: Debian's, with flags that keep it offline.

Used by ``make export`` (PDF printing), ``make check``, the browser tests and the
Voila benchmark.
"""

from __future__ import annotations

from typing import Any

from aiopen.paths import CHROMIUM

# Chromium's own update, sync and component traffic would otherwise try to leave the
# machine (and count as requests off localhost); --no-sandbox lets it run as root in CI.
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def launch(playwright: Any) -> Any:
    """Start headless Chromium through Playwright; a missing browser is a plain error."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`).")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
