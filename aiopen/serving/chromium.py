"""The headless Chromium the kit drives through Playwright, with flags that keep it offline.

Which browser: :func:`aiopen.paths.find_chromium` (an environment variable, the usual install
locations, then a clear message); ``make export`` (the PDF) and ``make check`` use it. The
tests, CI and the benchmarks launch Debian's Chromium (``aiopen.paths.CHROMIUM``) explicitly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiopen.paths import ChromiumNotFound, find_chromium

# Chromium's own update, sync and component traffic would otherwise try to leave the
# machine (and count as requests off localhost); --no-sandbox lets it run as root in CI.
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def launch(playwright: Any, executable: Path | None = None) -> Any:
    """Start a headless browser through Playwright: ``executable``, or :func:`find_chromium`'s.
    A missing browser is a plain error."""
    executable = executable or find_chromium()
    if not Path(executable).is_file():
        raise ChromiumNotFound(f"{executable} is missing: install it (Debian: `apt-get install chromium`).")
    return playwright.chromium.launch(executable_path=str(executable), args=ARGS)
