"""Start the kit's Jupyter server and print the one URL a presenter needs.

``python -m aiopen.serve present`` (what ``make present`` runs) starts JupyterLab's
server on 127.0.0.1 with a fresh token. The same server serves JupyterLab
(``/lab``, for authoring) and the classic notebook (``/nbclassic``), where RISE
presents the deck with live widgets. The kit's Jupyter assets live in
``aiopen/jupyter/``: ``data/`` (the autorun extension) joins ``JUPYTER_PATH`` and
``config/`` (which enables it) joins ``JUPYTER_CONFIG_PATH``.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
DECK = "slides/ai_in_the_open.ipynb"
JUPYTER_DATA = PACKAGE_DIR / "jupyter" / "data"
JUPYTER_CONFIG = PACKAGE_DIR / "jupyter" / "config"


PLOTLY_ESM_ENV = "AIOPEN_PLOTLY_ESM"  # read by aiopen.widgets.common
NBEXTENSION_BUNDLE = "aiopen_plotly/widgetbundle.js"  # under /nbextensions/ of the Jupyter server


def plotly_widget_bundle() -> Path:
    """The installed plotly's widget code (what every FigureWidget needs in the browser)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "widgetbundle.js"


def bundle_url(path: str) -> str:
    """``path`` with the installed plotly's version as its query: a new plotly is fetched anew."""
    import plotly

    return f"{path}?v={plotly.__version__}"


def publish_widget_bundle(dest: Path) -> Path:
    """Copy plotly's widget code to ``dest`` unless the same file is already there."""
    source = plotly_widget_bundle()
    if not (dest.is_file() and filecmp.cmp(source, dest, shallow=False)):
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
    return dest


def free_port(preferred: int, host: str = "127.0.0.1") -> int:
    """``preferred`` if nothing listens there, else the next free port above it."""
    for port in range(preferred, preferred + 50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex((host, port)) != 0:
                return port
    raise RuntimeError(f"No free port between {preferred} and {preferred + 49}.")


def jupyter_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment that makes Jupyter find the kit's extension and its config."""
    env = dict(os.environ if base is None else base)
    for name, path in (("JUPYTER_PATH", JUPYTER_DATA), ("JUPYTER_CONFIG_PATH", JUPYTER_CONFIG)):
        env[name] = os.pathsep.join(filter(None, [str(path), env.get(name, "")]))
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


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
    env[PLOTLY_ESM_ENV] = bundle_url(f"/nbextensions/{NBEXTENSION_BUNDLE}")
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    wait_until_up(f"http://127.0.0.1:{port}/api/status?token={token}", process)
    return process


def wait_until_up(url: str, process: subprocess.Popen, timeout_s: float = 90) -> None:
    """Poll ``url`` until it answers 200; fail with a plain message if the server died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The server stopped during start-up (exit code {process.returncode}).")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"The server did not answer at {url.split('?')[0]} within {timeout_s:.0f} s.")


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def serve_until_interrupted(server: subprocess.Popen) -> int:
    """Wait for a server started here; Ctrl-C (or SIGTERM) stops it cleanly (exit code 0)."""
    signal.signal(signal.SIGTERM, _interrupt)  # a terminated launcher takes its server with it
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        server.wait(timeout=15)
        return 0


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiopen.serve", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("present", help="serve the deck with RISE").add_argument("--port", type=int, default=8888)
    dashboard = sub.add_parser("dashboard", help="serve the widget dashboard and the deck with Voila (code hidden)")
    dashboard.add_argument("--port", type=int, default=8866)
    dashboard.add_argument("--host", default="127.0.0.1", help="0.0.0.0 serves the room (with a token); see docs/publishing.md")
    dashboard.add_argument("--pool", type=int, default=2, help="preheated kernels kept ready for the dashboard")
    dashboard.add_argument("--viewers", type=int, help="viewers served at once (0: no limit; default 16); see docs/publishing.md")
    args = parser.parse_args(argv)
    if args.command == "dashboard":
        from aiopen.publish import serve

        return serve(args.port, args.host, args.pool, max_viewers=args.viewers)
    return present(args.port)


if __name__ == "__main__":
    sys.exit(main())
