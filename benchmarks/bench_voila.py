"""A room of viewers on loopback: how fast the dashboard answers, what a viewer costs, how
many it serves, and what is left once they have gone.

Viewers are Chromium contexts (one browser) that open the dashboard and tick a box of
the release checklist, the first view; a viewer is served when the view answers the
tick (its kernel is connected and ran the callback). Every loop is bounded in count and
time. ``voila_floor_first_widget_s`` serves a one-checkbox notebook (whose label changes
when ticked) the same way: what Voila's own page costs on this machine, whatever the
notebook holds. ``voila_max_viewers`` raises the number of simultaneous viewers up to
the room's size (its cap, printed ">= 16" when every level is served), requires the room
to have shut down every kernel of a level before the next, and runs the top level twice
more (the smallest result counts). ``voila_kernels_after_load`` runs the server exactly
as ``make dashboard`` does (pools, room size, culling): 20 viewers arrive at once, then
all vanish without a goodbye (their browser contexts are closed, as when a browser
crashes; a closed tab would free its kernel at once); 60 s later it counts the kernels
beyond the preheated pools; twice.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import nbformat

from aiopen.serving import publish
from aiopen.serving.chromium import launch
from aiopen.serving.launch import free_port
from aiopen.serving.viewers import FIRST_VIEW, kernel_pids, open_viewers, pss_mb, tick_first_box, wait_until_idle
from figures import Figure

FLOOR_VIEW = ".bench-floor"
FLOOR_SOURCE = (
    "import ipywidgets\n"
    "box = ipywidgets.Checkbox(description='ready')\n"
    "box.add_class('bench-floor')\n"
    "box.observe(lambda change: setattr(box, 'description', 'ticked' if change['new'] else 'ready'), 'value')\n"
    "box"
)
FIRST_WIDGET_RUNS, COLD_RUNS, VIEWER_MB_RUNS, LOAD_RUNS, CONFIRM_RUNS = 5, 3, 3, 2, 2
VIEWER_LEVELS = (1, 2, 4, 8, 12, 16)  # 16: the room's default size, so the cap
MAX_WAIT_S = 60  # a viewer who waits longer than this for a live dashboard was not served
RECLAIM_S = 90  # the room frees a closed tab's kernel at once; this bounds "at once" on a loaded machine
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
        wait_until_idle(self.process.pid)
        return self

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def viewer_kernels(self) -> int:
        return len(kernel_pids(self.process.pid)) - self.pool

    def wait_for_viewers_gone(self, what: str) -> None:
        """Until only the preheated kernels run, and the pool is refilled; raise if the room keeps a viewer's kernel."""
        deadline = time.monotonic() + RECLAIM_S
        while self.viewer_kernels() > 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        if self.viewer_kernels() > 0:
            raise RuntimeError(f"{self.viewer_kernels()} kernel(s) of {what} still ran {RECLAIM_S} s after their tabs closed: the room did not reclaim them")
        wait_until_idle(self.process.pid)


def first_widget_s(browser, url: str, view: str = FIRST_VIEW) -> float:  # noqa: ANN001
    """Page request to the first checkbox in ``view`` answering a tick (its kernel connected); the tab is then closed."""
    page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    started = time.monotonic()
    page.goto(url, wait_until="commit")
    tick_first_box(page, started + MAX_WAIT_S, view)
    elapsed = time.monotonic() - started
    page.close(run_before_unload=True)  # a closed tab: the room frees its kernel
    page.context.close()
    return elapsed


def first_widget_runs(browser, server: Server, runs: int, view: str = FIRST_VIEW) -> list[float]:  # noqa: ANN001
    """``runs`` fresh viewers one after the other, the room emptied and the pool refilled between them."""
    times = []
    for run in range(runs):
        times.append(first_widget_s(browser, server.url, view))
        server.wait_for_viewers_gone(f"first-widget viewer {run + 1}")
    return times


def serve_level(browser, url: str, count: int) -> list[float] | None:  # noqa: ANN001
    """``count`` viewers arrive at once and each ticks a box; their waits (arrival to the tick answered), or None
    if any viewer saw an error or was not served within MAX_WAIT_S. Every tab is closed afterwards."""
    arrived = time.monotonic()
    viewers = open_viewers(browser, url, count, MAX_WAIT_S)
    waits: dict[int, float] = {}
    before: dict[int, str] = {}
    try:
        while len(waits) < count and time.monotonic() < arrived + MAX_WAIT_S and not any(errors for _, errors in viewers):
            for index, (page, _) in enumerate(viewers):  # poll every viewer, so no one waits behind another's tick
                if index in waits:
                    continue
                scope = page.locator(FIRST_VIEW)
                box = scope.locator("input[type=checkbox]").first
                if index not in before and box.is_visible():
                    before[index] = scope.inner_text()
                    box.click()
                elif index in before and scope.inner_text() != before[index]:
                    waits[index] = time.monotonic() - arrived
            time.sleep(0.05)
    finally:
        for page, _ in viewers:
            page.close(run_before_unload=True)
            page.context.close()
    return list(waits.values()) if len(waits) == count and not any(errors for _, errors in viewers) else None


def max_viewers(browser, server: Server) -> tuple[int, list[float]]:  # noqa: ANN001
    """The largest level served, and the viewers' waits at that level."""
    served, waits = 0, []
    for count in VIEWER_LEVELS:
        level = serve_level(browser, server.url, count)
        server.wait_for_viewers_gone(f"the level of {count} viewers")
        if level is None:
            break
        served, waits = count, level
    return served, waits


def after_load(browser) -> tuple[int, int, float]:  # noqa: ANN001
    """``make dashboard``'s server: LOAD_VIEWERS arrive at once and vanish; refused, kernels left and memory AFTER_LOAD_S later."""
    with Server(pool=publish.DEFAULT_POOL, deck_pool=1) as server:
        pid = server.process.pid
        base = pss_mb(pid)
        viewers = open_viewers(browser, server.url, LOAD_VIEWERS, MAX_WAIT_S)
        deadline = time.monotonic() + 2 * MAX_WAIT_S
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
        return refused, server.viewer_kernels(), pss_mb(pid) - base


def viewer_mb(browser, server: Server) -> list[float]:  # noqa: ANN001
    """What each further viewer (kept open) adds to the PSS of the server and its kernels."""
    samples, contexts = [], []
    for _ in range(VIEWER_MB_RUNS):
        before = pss_mb(server.process.pid)
        context = browser.new_context()
        page = context.new_page()
        page.goto(server.url)
        tick_first_box(page, time.monotonic() + MAX_WAIT_S)
        wait_until_idle(server.process.pid)
        samples.append(pss_mb(server.process.pid) - before)
        contexts.append(context)
    for context in contexts:
        context.close()
    return samples


def measure() -> list[Figure]:
    from playwright.sync_api import sync_playwright

    figures: list[Figure] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            with Server(pool=PRELOAD_POOL, dashboard_source=FLOOR_SOURCE) as server:
                figures.append(Figure("voila_floor_first_widget_s", first_widget_runs(browser, server, FIRST_WIDGET_RUNS, FLOOR_VIEW), "s"))
            with Server(pool=PRELOAD_POOL) as server:
                figures.append(Figure("voila_first_widget_s", first_widget_runs(browser, server, FIRST_WIDGET_RUNS), "s", "to the first tick answered"))
                served, waits = max_viewers(browser, server)
                runs = [served]
                for _ in range(CONFIRM_RUNS if served else 0):
                    level = serve_level(browser, server.url, served)
                    server.wait_for_viewers_gone(f"the repeated level of {served} viewers")
                    runs.append(served if level is not None else VIEWER_LEVELS[max(0, VIEWER_LEVELS.index(served) - 1)])
                    waits += level or []
                capped = min(runs) == VIEWER_LEVELS[-1]
                figures.append(Figure("voila_max_viewers", runs, "viewers", f"levels {', '.join(map(str, VIEWER_LEVELS))}; smallest of {len(runs)} runs",
                                      statistic="min", capped=capped))
                if waits:
                    figures.append(Figure("voila_max_viewers_wait_s", waits, "s", f"each viewer at the level of {served}"))
            with Server(pool=0) as server:
                figures.append(Figure("voila_cold_first_widget_s", first_widget_runs(browser, server, COLD_RUNS), "s", "no preheated kernel"))
                figures.append(Figure("voila_viewer_mb", viewer_mb(browser, server), "MB", "per further viewer, before the model loads"))
            loads = [after_load(browser) for _ in range(LOAD_RUNS)]
            figures += [
                Figure("voila_load_viewers_refused", [r for r, _, _ in loads], "viewers", f"of {LOAD_VIEWERS} arriving at once"),
                Figure("voila_kernels_after_load", [k for _, k, _ in loads], "kernels", f"{AFTER_LOAD_S} s after all vanished", statistic="max"),
                Figure("voila_memory_after_load_mb", [m for _, _, m in loads], "MB"),
            ]
        finally:
            browser.close()
    return figures
