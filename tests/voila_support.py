"""Stopping a Voila server; the viewers and the process-tree readings the room's tests use
come from ``aiopen.serving.viewers`` (the benchmark uses them too). The session's shared
server is the ``voila_server`` fixture in conftest.py."""

from __future__ import annotations

import subprocess

from aiopen.serving.viewers import (  # noqa: F401 - for the tests
    FIRST_VIEW, cpu_s, kernel_pids, open_viewers, pss_mb, tick_first_box, tree, wait_until_idle)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
