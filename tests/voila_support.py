"""One Voila server (what `make dashboard` runs) shared by every test module that asks for it.

Viewers and what a server's process tree holds: ``aiopen.serving.viewers`` (the benchmark
uses them too), imported here for the tests.

pytest would start one server per module for a session fixture defined outside
conftest.py, so the server is a process-wide singleton, stopped at exit.
"""

from __future__ import annotations

import atexit
import subprocess
import tempfile
from pathlib import Path

from aiopen.serving import publish
from aiopen.serving.launch import free_port
from aiopen.serving.viewers import kernel_pids, open_viewers, pss_mb, tick_first_box, wait_until_idle  # noqa: F401 - for the tests

_server: dict | None = None


def shared_voila() -> dict:
    """Start (once) Voila on a staged site in a temporary folder; return its URLs and paths."""
    global _server
    if _server is None:
        root = Path(tempfile.mkdtemp(prefix="aiopen-voila-"))
        site = publish.stage(root, pool=1, deck_pool=1)
        port = free_port(8867)
        log = root / "voila.log"
        process = start(site, port, log)
        _server = {"port": port, "site": site, "log": log, "process": process,
                   "base": f"http://127.0.0.1:{port}", **publish.urls(site, "127.0.0.1", port)}
    return _server


def start(site: publish.Site, port: int, log: Path) -> subprocess.Popen:
    process = publish.start_voila(site, port, log_path=log)
    atexit.register(stop, process)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
