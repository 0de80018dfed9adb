"""Start and stop `make workshop`'s launcher for a test, the way a person runs it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aiopen.paths import REPO_DIR
from aiopen.serving.launch import free_port

UP_LINE = "The workshop hub is up"


def start_launcher(folder: Path, password: str, preferred_port: int) -> tuple[subprocess.Popen, str, dict]:
    """The launcher, its hub's URL and its saved settings, once it says the hub is up.

    Started as a job started with `&` would be (CI's, say): SIGINT ignored on entry; Ctrl-C
    must still stop everything.
    """
    log_path = folder / "launcher.log"
    port = free_port(preferred_port)
    with log_path.open("w") as log:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "aiopen.serving", "workshop", f"--port={port}", f"--folder={folder}", f"--password={password}"],
            stdout=log, stderr=subprocess.STDOUT, cwd=REPO_DIR,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
    deadline = time.monotonic() + 240
    while UP_LINE not in log_path.read_text() and launcher.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    if UP_LINE not in log_path.read_text():
        stop_launcher(launcher)
        pytest.fail(f"the hub did not come up:\n{log_path.read_text()[-3000:]}")
    return launcher, f"http://127.0.0.1:{port}", json.loads((folder / "hub" / "settings.json").read_text())


def stop_launcher(launcher: subprocess.Popen, timeout_s: float = 90) -> int:
    """Ctrl-C; the exit code (killed if it does not stop in time)."""
    if launcher.poll() is None:
        launcher.send_signal(signal.SIGINT)
        try:
            return launcher.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            launcher.kill()
    return launcher.wait()
