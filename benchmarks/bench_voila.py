"""A room of viewers on loopback: how fast the dashboard answers, what a viewer costs, how
many it serves, and what is left once they have gone.

Viewers are Chromium contexts (one browser) that open the dashboard and tick a box of
the release checklist, the first view. Every loop is bounded in count and time.
``voila_floor_first_widget_s`` serves a one-checkbox notebook the same way: what Voila's
own page costs on this machine, whatever the notebook holds. ``voila_kernels_after_load``
runs the server exactly as ``make dashboard`` does (pools, room size, culling): 20 viewers
arrive at once, then all vanish without a goodbye (their browser contexts are closed, as
when a browser crashes; a closed tab would free its kernel at once); 60 s later it counts
the kernels beyond the preheated pools.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import nbformat  # noqa: E402

from aiopen.serving import publish  # noqa: E402
from aiopen.serving.launch import free_port  # noqa: E402
from voila_support import FIRST_VIEW, kernel_pids, open_viewers, pss_mb, tick_first_box, wait_until_idle  # noqa: E402

FLOOR_VIEW = ".bench-floor"
FLOOR_SOURCE = "import ipywidgets\nipywidgets.Checkbox(description='ready').add_class('bench-floor')"
VIEWER_LEVELS = (1, 2, 4, 8, 12, 16)
LEVEL_TIMEOUT_S = 120
PRELOAD_POOL = 2
LOAD_VIEWERS = 20
AFTER_LOAD_S = 60
ROOM_FULL = ".aiopen-room-full"


class Server:
    """A staged Voila site with or without preheated kernels, stopped on exit.

    ``dashboard_source`` replaces the dashboard with a one-cell notebook of that code.
    """

    def __init__(self, pool: int, dashboard_source: str | None = None, deck_pool: int = 0):
        root = Path(tempfile.mkdtemp(prefix="aiopen-bench-voila-"))
        self.site = publish.stage(root, pool=pool, deck_pool=deck_pool, preheat=pool > 0)
        if dashboard_source is not None:
            notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(dashboard_source)])
            notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
            nbformat.write(notebook, self.site.notebooks / self.site.dashboard)
        self.port = free_port(8876)
        self.log = root / "voila.log"
        self.pool = pool + deck_pool
        self.url = publish.urls(self.site, "127.0.0.1", self.port)["dashboard"]

    def __enter__(self) -> Server:
        self.process = publish.start_voila(self.site, self.port, log_path=self.log)
        self.wait_for_pool()
        return self

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def wait_for_pool(self) -> None:
        wait_until_idle(self.process.pid)

    def wait_for_viewers_gone(self, timeout_s: float = 120) -> None:
        """Until only the preheated kernels run (the room would count stayers against the next level)."""
        deadline = time.monotonic() + timeout_s
        while len(kernel_pids(self.process.pid)) > self.pool and time.monotonic() < deadline:
            time.sleep(0.5)


def first_widget_s(browser, url: str, view: str = FIRST_VIEW) -> float:
    """Page request to the first checkbox in ``view``, visible and connected."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    started = time.monotonic()
    page.goto(url, wait_until="commit")
    page.locator(f"{view} input[type=checkbox]").first.wait_for(state="visible", timeout=60_000)
    elapsed = time.monotonic() - started
    context.close()
    return elapsed


def serve_viewers(browser, url: str, count: int) -> int:
    """Open ``count`` viewers at once, tick a box in each; return how many failed."""
    viewers = open_viewers(browser, url, count, LEVEL_TIMEOUT_S)
    deadline = time.monotonic() + LEVEL_TIMEOUT_S
    failed = 0
    for page, errors in viewers:
        try:
            tick_first_box(page, deadline)
        except Exception as error:  # noqa: BLE001 - any failure counts against the level
            errors.append(str(error).splitlines()[0])
        failed += bool(errors)
    for page, _ in viewers:
        page.close(run_before_unload=True)  # a closed tab: the page frees its kernel
        page.context.close()
    return failed


def median_first_widget_s(browser, server: Server, view: str = FIRST_VIEW, runs: int = 3) -> float:
    """Median of ``runs`` fresh viewers, the pool refilled between them."""
    times = []
    for _ in range(runs):
        times.append(first_widget_s(browser, server.url, view))
        server.wait_for_pool()
    return sorted(times)[runs // 2]


def after_load(browser) -> list[tuple[str, float, str]]:
    """``make dashboard``'s server: LOAD_VIEWERS arrive at once and vanish; what is left AFTER_LOAD_S later."""
    with Server(pool=publish.DEFAULT_POOL, deck_pool=1) as server:
        pid = server.process.pid
        base = pss_mb(pid)
        viewers = open_viewers(browser, server.url, LOAD_VIEWERS, LEVEL_TIMEOUT_S)
        deadline = time.monotonic() + LEVEL_TIMEOUT_S
        refused = 0
        for page, _ in viewers:
            try:
                arrived = page.locator(f"{FIRST_VIEW} input[type=checkbox], {ROOM_FULL}").first
                arrived.wait_for(state="visible", timeout=max(1, deadline - time.monotonic()) * 1000)
            except Exception:  # noqa: BLE001 - not served in time: still a viewer who leaves
                continue
            refused += bool(page.locator(ROOM_FULL).count())
        for page, _ in viewers:
            page.context.close()
        time.sleep(AFTER_LOAD_S)
        left = len(kernel_pids(pid)) - server.pool
        memory = pss_mb(pid) - base
    return [("voila_load_viewers_refused", refused, "viewers"),
            ("voila_kernels_after_load", left, "kernels"), ("voila_memory_after_load_mb", memory, "MB")]


def measure() -> list[tuple[str, float, str]]:
    from playwright.sync_api import sync_playwright

    from browser_support import launch

    results: list[tuple[str, float, str]] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            with Server(pool=PRELOAD_POOL, dashboard_source=FLOOR_SOURCE) as server:
                results.append(("voila_floor_first_widget_s", median_first_widget_s(browser, server, FLOOR_VIEW), "s"))
            with Server(pool=PRELOAD_POOL) as server:
                results.append(("voila_first_widget_s", median_first_widget_s(browser, server), "s"))
                max_viewers = 0
                for count in VIEWER_LEVELS:
                    server.wait_for_viewers_gone()
                    server.wait_for_pool()
                    if serve_viewers(browser, server.url, count):
                        break
                    max_viewers = count
                results.append(("voila_max_viewers", max_viewers, "viewers"))
            with Server(pool=0) as server:
                results.append(("voila_cold_first_widget_s", first_widget_s(browser, server.url), "s"))
                # Memory per viewer: open viewers and keep them, measure the server's tree.
                base = pss_mb(server.process.pid)
                contexts = []
                for _ in range(3):
                    context = browser.new_context()
                    page = context.new_page()
                    page.goto(server.url)
                    page.locator(f"{FIRST_VIEW} input[type=checkbox]").first.wait_for(state="visible", timeout=60_000)
                    contexts.append(context)
                results.append(("voila_viewer_mb", (pss_mb(server.process.pid) - base) / len(contexts), "MB"))
                for context in contexts:
                    context.close()
            results.extend(after_load(browser))
        finally:
            browser.close()
    return results


if __name__ == "__main__":
    for name, value, unit in measure():
        print(f"{name}: {value:.3g} {unit}")
