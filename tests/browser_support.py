"""Helpers for the browser tests: a headless Chromium that records every request
and console message, and small actions on ipywidgets + plotly figures."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, Playwright, Request

from aiopen.paths import CHROMIUM
from aiopen.serving.chromium import launch as launch_chromium

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about", "file", "chrome-extension"}
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium (whatever a presenter's machine would find), headless. A missing
    browser is a failure, never a skip."""
    try:
        return launch_chromium(playwright, CHROMIUM)
    except RuntimeError as error:
        raise RuntimeError(f"{error} `.ci/run` installs it. Browser tests are never skipped.") from None


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in LOCAL_SCHEMES or parsed.hostname in LOCAL_HOSTS


@dataclass
class Watch:
    """Everything a page asked for and complained about, for assertions at the end."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> Page:
        page.on("request", self._on_request)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        return page

    def _on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def off_machine(self) -> list[str]:
        return [url for url in self.requests if not is_local(url)]

    def assert_clean(self) -> None:
        leaving = self.off_machine()
        assert not leaving, f"{len(leaving)} request(s) left localhost: {leaving[:10]}"
        assert not self.errors, "console errors:\n" + "\n".join(self.errors[:20])


def screenshot(page: Page, *parts: str) -> Path:
    path = ARTIFACTS.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    return path


def figure_signature(scope: Locator) -> str:
    """A string that changes whenever the plotly figure inside ``scope`` redraws
    different marks (bar, scatter and heatmap geometry and colours, text labels, axis ticks)."""
    return scope.locator(".js-plotly-plot").first.evaluate(
        """plot => Array.from(plot.querySelectorAll(
             '.bars path, .points path, .scatterlayer path, .heatmaplayer image, .hm image, text.xtick, text.ytick, .textpoint text'))
             .map(e => (e.getAttribute('d') || e.getAttribute('href') || '').slice(0, 200) + (e.style.fill || '') + (e.textContent || ''))
             .join('|')"""
    )


def wait_for_change(read, before: str, timeout_s: float = 20) -> str:
    """Poll ``read()`` until it differs from ``before``; return the new value."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = read()
        if now != before:
            return now
        time.sleep(0.2)
    raise AssertionError(f"nothing changed within {timeout_s} s")


def drag_slider(page: Page, slider: Locator, fraction: float) -> None:
    """Click an ipywidgets slider's track at ``fraction`` (0..1) of its width.

    A mouse click, because RISE takes the arrow keys for slide navigation."""
    track = slider.locator(".noUi-base, .slider").first
    box = track.bounding_box()
    assert box, "slider track is not visible"
    page.mouse.click(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)
