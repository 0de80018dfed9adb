"""The room gives back what it starts, and says so when it is full.

A real server (what `make dashboard` runs, with a room of 3 and a culler that looks every
second so that the test does not wait minutes) and real viewers in Chromium contexts:
the viewers' kernels are shut down after they leave and the server's memory returns to
its baseline; beyond 3 viewers the next one gets the "room is full" page, and gets in
once a place frees up. Preheated kernels never count as viewers."""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from aiopen.serving import publish
from aiopen.serving.room import RoomKernelManager
from aiopen.serving.launch import free_port
from browser_support import Watch
from voila_support import kernel_pids, open_viewers, pss_mb, stop, tick_first_box, wait_until_idle

ROOM = publish.Room(max_viewers=3, page_gone_s=8, connect_s=60, cull_interval_s=1)
POOL = 1
LIVE_TIMEOUT_S = 90
# A page that says goodbye frees its kernel at once; one that vanished, within
# page_gone_s + a culler round, plus the kernels' shutdown (seconds each on a busy machine).
RECLAIM_TIMEOUT_S = ROOM.page_gone_s + 2 * ROOM.cull_interval_s + 15
ROOM_FULL_CONSOLE = "the server responded with a status of 503"


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    root = tmp_path_factory.mktemp("room")
    site = publish.stage(root, pool=POOL, deck_pool=0, room=ROOM)
    port = free_port(8880)
    process = publish.start_voila(site, port, log_path=root / "voila.log")
    try:
        wait_until_idle(process.pid)
        yield {"pid": process.pid, "url": publish.urls(site, "127.0.0.1", port)["dashboard"],
               "base": f"http://127.0.0.1:{port}", "log": root / "voila.log"}
    finally:
        stop(process)


def test_waiting_pool_kernels_are_not_viewers_and_seats_are():
    """The count behind the room-full page: kernels handed out plus requests on their way."""
    loop = asyncio.new_event_loop()

    def task(kernel_id: str | None):
        future = loop.create_future()
        if kernel_id:
            future.set_result({"kernel_id": kernel_id})
        return future

    manager = RoomKernelManager(max_viewers=3)
    manager._kernels.update({"pooled": object(), "viewer": object(), "handed-out-while-starting": object()})
    manager._pools = {"dashboard.ipynb": [task("pooled"), task(None)]}  # one ready, one still starting
    assert manager.pooled_kernels() == {"pooled"}
    assert manager.viewers() == 2
    assert manager.take_seat() and manager.viewers() == 3
    assert not manager.take_seat()  # full: the pool's kernel does not make room
    manager.give_back_seat()
    assert manager.take_seat()
    assert RoomKernelManager(max_viewers=0).take_seat()  # no limit
    loop.close()


def wait_for_kernels(pid: int, count: int, timeout_s: float) -> float:
    """Seconds until the server runs ``count`` kernels; fail after ``timeout_s``."""
    started = time.monotonic()
    while len(kernel_pids(pid)) != count:
        assert time.monotonic() - started < timeout_s, f"{len(kernel_pids(pid))} kernels after {timeout_s:.0f} s, expected {count}"
        time.sleep(0.25)
    return time.monotonic() - started


@pytest.mark.browser
def test_kernels_of_viewers_who_left_are_shut_down_and_memory_returns(browser, room):
    pid = room["pid"]
    assert len(kernel_pids(pid)) == POOL
    baseline = pss_mb(pid)
    viewers = open_viewers(browser, room["url"], ROOM.max_viewers, LIVE_TIMEOUT_S)
    deadline = time.monotonic() + LIVE_TIMEOUT_S
    for page, errors in viewers:
        tick_first_box(page, deadline)  # every viewer's kernel is live
        assert not errors, errors
    wait_for_kernels(pid, ROOM.max_viewers + POOL, 60)  # the pool refilled
    vanished_kernels = [page_kernel(page) for page, _ in viewers[1:]]
    per_viewer = (pss_mb(pid) - baseline) / ROOM.max_viewers
    assert per_viewer > 30, f"{per_viewer:.0f} MB per viewer: the measure cannot tell a kernel left behind"

    # One viewer closes the tab (the page asks for its kernel's shutdown); the others vanish
    # without a word (a crashed browser, a closed laptop): the culler must find those.
    (goodbye, _), *vanished = viewers
    goodbye_kernel = page_kernel(goodbye)
    goodbye.close(run_before_unload=True)
    # Gone before the culler could have acted on it: the page's own request did it.
    wait_for_kernels(pid, ROOM.max_viewers - 1 + POOL, ROOM.page_gone_s)
    assert f"Culling kernel {goodbye_kernel}" not in room["log"].read_text()
    for page, _ in vanished:
        page.context.close()
    goodbye.context.close()
    wait_for_kernels(pid, POOL, RECLAIM_TIMEOUT_S)
    log = room["log"].read_text()
    assert all(f"Culling kernel {kernel}: its page has gone" in log for kernel in vanished_kernels), log[-3000:]

    wait_until_idle(pid)
    left = pss_mb(pid) - baseline
    # Tolerance: a third of one viewer's memory (no kernel is left, whatever the server's heap did).
    assert left < per_viewer / 3, f"{left:.0f} MB above the baseline after the viewers left ({per_viewer:.0f} MB per viewer)"


def page_kernel(page) -> str:
    """The kernel id a Voila page talks to."""
    return page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")


def hold_kernel(url: str) -> tuple[str, str]:
    """Open a page over HTTP without running it: its kernel id and the page's _xsrf cookie."""
    with urllib.request.urlopen(url, timeout=LIVE_TIMEOUT_S) as response:
        page = response.read().decode()
        cookie = next(value for value in response.headers.get_all("Set-Cookie") if value.startswith("_xsrf="))
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    return config["kernelId"], cookie.split(";")[0]


def say_goodbye(base: str, kernel_id: str, cookie: str) -> int:
    """What Voila's page sends when it unloads: a POST that shuts its kernel down."""
    token = cookie.split("=", 1)[1]
    request = urllib.request.Request(f"{base}/voila/api/shutdown/{kernel_id}", data=urllib.parse.urlencode({"_xsrf": token}).encode(),
                                     headers={"Cookie": cookie}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


@pytest.mark.browser
def test_beyond_its_size_the_room_says_it_is_full_and_a_freed_place_is_usable(browser, room):
    pid = room["pid"]
    wait_for_kernels(pid, POOL, RECLAIM_TIMEOUT_S)
    held = [hold_kernel(room["url"]) for _ in range(ROOM.max_viewers)]  # three viewers who stay
    # The pool refills beside them: preheated kernels are not viewers.
    wait_for_kernels(pid, ROOM.max_viewers + POOL, 60)

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(room["url"], timeout=30)
    body = refused.value.read().decode()
    assert refused.value.code == 503 and refused.value.headers["Retry-After"] == "30"
    assert "The room is full" in body and "try again in a minute" in body
    assert "Traceback" not in body and not re.search(r'(src|href)="(?!data:)', body)  # nothing to fetch

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    response = page.goto(room["url"])
    assert response.status == 503
    assert page.locator("h1").inner_text() == "The room is full"
    assert "try again in a minute" in page.locator("main").inner_text()
    assert len(kernel_pids(pid)) == ROOM.max_viewers + POOL  # the refused viewer started nothing

    assert say_goodbye(room["base"], *held[0]) == 204
    wait_for_kernels(pid, ROOM.max_viewers - 1 + POOL, 10)
    page.goto(room["url"])
    tick_first_box(page, time.monotonic() + LIVE_TIMEOUT_S)
    # The 503 itself is the one console error (Chromium logs any failed document load).
    watch.errors = [error for error in watch.errors if ROOM_FULL_CONSOLE not in error]
    watch.assert_clean()

    # The server stops this viewer's kernel (as the culler does after a long idle spell):
    # the page says so instead of leaving controls that silently do nothing.
    cookie = next(f"_xsrf={c['value']}" for c in context.cookies() if c["name"] == "_xsrf")
    assert say_goodbye(room["base"], page_kernel(page), cookie) == 204
    notice = page.locator(".aiopen-kernel-gone")
    notice.wait_for(state="visible", timeout=15_000)
    assert "Reload" in notice.inner_text() and notice.get_attribute("role") == "alert"
    notice.locator("button").click()
    tick_first_box(page, time.monotonic() + LIVE_TIMEOUT_S)  # a fresh kernel, live again
    context.close()
    for kernel_id, cookie in held[1:]:
        say_goodbye(room["base"], kernel_id, cookie)
    wait_for_kernels(pid, POOL, RECLAIM_TIMEOUT_S)
