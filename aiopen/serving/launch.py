"""Start, watch and stop the kit's local servers: free ports, Jupyter's environment,
plotly's widget code served once per page, Ctrl-C handling. Used by the Jupyter/RISE
launcher (``aiopen.serving.present``) and the Voila site (``aiopen.serving.publish``).
"""

from __future__ import annotations

import filecmp
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from aiopen.paths import JUPYTER_ASSETS


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
    for name, path in (("JUPYTER_PATH", JUPYTER_ASSETS / "data"), ("JUPYTER_CONFIG_PATH", JUPYTER_ASSETS / "config")):
        env[name] = os.pathsep.join(filter(None, [str(path), env.get(name, "")]))
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


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
