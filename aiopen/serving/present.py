"""Start the kit's Jupyter server and print the one URL a presenter needs.

``python -m aiopen.serving present`` (what ``make present`` runs) starts JupyterLab's
server on 127.0.0.1 with a fresh token. The same server serves JupyterLab
(``/lab``, for authoring) and the classic notebook (``/nbclassic``), where RISE
presents the deck with live widgets. The kit's Jupyter assets live in
``aiopen/serving/jupyter/``: ``data/`` (the autorun extension) joins ``JUPYTER_PATH`` and
``config/`` (which enables it) joins ``JUPYTER_CONFIG_PATH``.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from aiopen.paths import DECK, NBEXTENSION_BUNDLE, PLOTLY_ESM_ENV, REPO_DIR
from aiopen.serving.launch import bundle_url, free_port, jupyter_env, publish_widget_bundle, serve_until_interrupted, wait_until_up


def deck_url(port: int, token: str, deck: str = DECK, host: str = "127.0.0.1") -> str:
    """URL that opens ``deck`` in the classic notebook, where RISE autolaunches."""
    return f"http://{host}:{port}/nbclassic/notebooks/{deck}?token={token}"


def start_jupyter(port: int, token: str, root: Path = REPO_DIR, log_path: Path | None = None) -> subprocess.Popen:
    """Start the Jupyter server in the background and return once it answers."""
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--ServerApp.disable_check_xsrf=False",
        "--LanguageServerManager.autodetect=False",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    # The classic notebook serves /nbextensions/ from every Jupyter data folder, this
    # environment's included: plotly's widget code goes there, once per plotly version.
    publish_widget_bundle(Path(sys.prefix) / "share" / "jupyter" / "nbextensions" / NBEXTENSION_BUNDLE)
    env = jupyter_env()
    env[PLOTLY_ESM_ENV] = bundle_url(f"nbextensions/{NBEXTENSION_BUNDLE}")
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    wait_until_up(f"http://127.0.0.1:{port}/api/status?token={token}", process)
    return process


def present(port: int) -> int:
    """Serve the deck until Ctrl-C, printing the URL that opens it in RISE."""
    port = free_port(port)
    token = secrets.token_hex(24)
    print("Starting the Jupyter server (JupyterLab + RISE)...", flush=True)
    server = start_jupyter(port, token)
    print(
        "\nOpen the deck (RISE starts by itself and runs the live widgets):\n\n"
        f"    {deck_url(port, token)}\n\n"
        "Keys: Space/arrows move, T opens speaker notes, Esc shows the overview, Alt-R leaves RISE.\n"
        "To edit the slides, replace /nbclassic/notebooks/ with /lab/tree/ in that URL.\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    return serve_until_interrupted(server)
