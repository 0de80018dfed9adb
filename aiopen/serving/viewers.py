"""Viewers of a Voila room, simulated, and what the server's process tree holds.

A viewer is a Chromium context (through Playwright) that opens the dashboard and ticks
a box of its first view; the server's kernels, their memory (PSS) and CPU time are read
from ``/proc`` (Linux). The room's tests and the Voila benchmark measure with these.
"""

from __future__ import annotations

import time
from pathlib import Path

FIRST_VIEW = ".aiopen-view-release-checklist"  # the dashboard's first view (aiopen.widgets.dashboard.css_class)


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    pids, stack = [], [pid]
    while stack:
        current = stack.pop()
        try:
            stack.extend(int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
        pids.append(current)
    return pids


def pss_mb(pid: int) -> float:
    """Proportional set size of ``pid`` and its descendants (shared pages split fairly)."""
    total = 0.0
    for current in tree(pid):
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")) / 1024
    return total


def cpu_s(pid: int) -> float:
    total = 0.0
    for current in tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks of 10 ms
    return total


def wait_until_idle(pid: int, timeout_s: float = 90) -> None:
    """Until the server and its kernels use under 5 % of a core for a second: pool refilled."""
    deadline = time.monotonic() + timeout_s
    time.sleep(1.0)
    while time.monotonic() < deadline:
        before = cpu_s(pid)
        time.sleep(1.0)
        if cpu_s(pid) - before < 0.05:
            return


def kernel_pids(server_pid: int) -> list[int]:
    """The kernel processes under a Voila server."""
    pids = []
    for pid in tree(server_pid)[1:]:
        try:
            if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes():
                pids.append(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return pids


def open_viewers(browser, url: str, count: int, timeout_s: float) -> list[tuple]:
    """``count`` viewers (Chromium contexts) who open ``url`` at once: (page, its page errors) each."""
    viewers = []
    for _ in range(count):
        page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        viewers.append((page, errors))
    return viewers


def tick_first_box(page, deadline: float, view: str = FIRST_VIEW) -> None:
    """Tick the first box in ``view`` (the dashboard's first view) and wait until the view
    answers (its kernel is live) before ``deadline`` (time.monotonic()); raise if it does not."""
    scope = page.locator(view)
    box = scope.locator("input[type=checkbox]").first
    box.wait_for(state="visible", timeout=max(1, deadline - time.monotonic()) * 1000)
    before = scope.inner_text()
    box.click()
    page.wait_for_function("([el, before]) => el.innerText !== before", arg=[scope.element_handle(), before],
                           timeout=max(1, deadline - time.monotonic()) * 1000)
