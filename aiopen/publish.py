"""Serve the kit with Voila: the widget dashboard and the deck as reveal.js slides, code hidden.

``python -m aiopen.serve dashboard`` (what ``make dashboard`` runs) stages a small site
(``build/voila`` by default) and starts one Voila server on it:

* ``site/dashboard.ipynb``: every live widget, tabs in agenda order (the default page);
* ``site/ai_in_the_open.ipynb``: a copy of the deck, rendered with the kit's
  ``aiopen-reveal`` template (set in the copy's metadata, so clients cannot pick templates);
* ``jupyter/``: joins ``JUPYTER_PATH``; the reveal.js 6 stylesheets (from the installed
  ``pyreveal`` package), plotly.js and the deck's theme are copied there, so that no
  page asks anything of a CDN;
* ``voila.json``: the whole server configuration, readable in one place.

Only the staged notebooks are served, each with a pool of preheated kernels.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from aiopen.serve import (
    DECK,
    JUPYTER_DATA,
    PLOTLY_ESM_ENV,
    REPO_DIR,
    bundle_url,
    jupyter_env,
    publish_widget_bundle,
    serve_until_interrupted,
    wait_until_up,
)

DASHBOARD = REPO_DIR / "dashboard" / "dashboard.ipynb"
STAGE_DIR = REPO_DIR / "build" / "voila"
DASHBOARD_TEMPLATE = "aiopen"
DECK_TEMPLATE = "aiopen-reveal"
DECK_THEME = "aiopen"
DEFAULT_PORT = 8866
DEFAULT_POOL = 2
# An upload reaches the kernel as one websocket message: the artifact scanner's own
# limit (50 MB) plus room for the message envelope. Larger messages close the socket.
UPLOAD_LIMIT_BYTES = 52 * 2**20
WIDGET_BUNDLE = "plotly-widgetbundle.js"  # plotly's widget code, served once per page (see widgets.common)


def asset_sources() -> dict[str, list[Path]]:
    """Every file a slide page needs besides itself: its path under the assets folder ->
    the installed files it is made of (the deck's theme is reveal's white theme followed
    by the deck's own stylesheets, so that theirs win)."""
    import nbclassic
    import plotly
    import pyreveal

    reveal = Path(pyreveal.__file__).parent / "revealjs" / "dist"
    deck_css = sorted((REPO_DIR / Path(DECK).parent).glob("*.css"), key=lambda css: css.name != "rise.css")
    return {
        "reveal/dist/reveal.css": [reveal / "reveal.css"],
        f"reveal/dist/theme/{DECK_THEME}.css": [reveal / "theme" / "white.css", *deck_css],
        "reveal/dist/reveal.js": [reveal / "reveal.js"],
        "reveal/dist/plugin/notes.js": [reveal / "plugin" / "notes.js"],
        "plotly.min.js": [Path(plotly.__file__).parent / "package_data" / "plotly.min.js"],
        "jquery.min.js": [Path(nbclassic.__file__).parent / "static" / "components" / "jquery" / "jquery.min.js"],
    }


def copy_assets(dest: Path) -> Path:
    """Write :func:`asset_sources` into ``dest`` (created if needed) and return it."""
    for name, sources in asset_sources().items():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"\n".join(source.read_bytes() for source in sources))
    return dest


def reveal_settings(deck: dict) -> dict:
    """The deck's RISE settings in the form nbconvert's reveal templates read (``resources.reveal``)."""
    rise = deck.get("metadata", {}).get("rise", {})
    return {
        "theme": DECK_THEME,
        "width": rise.get("width", 1280),
        "height": rise.get("height", 720),
        "transition": rise.get("transition", "none"),
        "number": rise.get("slideNumber", "c/t"),
        "scroll": rise.get("scroll", True),
    }


@dataclass(frozen=True)
class Site:
    """A staged Voila site: where it lives and what its pages are called."""

    root: Path
    dashboard: str = "dashboard.ipynb"
    deck: str = Path(DECK).name

    @property
    def notebooks(self) -> Path:
        return self.root / "site"

    @property
    def jupyter_path(self) -> Path:
        return self.root / "jupyter"


def stage(root: Path = STAGE_DIR, pool: int = DEFAULT_POOL, deck_pool: int = 1, host: str = "127.0.0.1", preheat: bool = True) -> Site:
    """Lay out the site Voila serves: notebooks, local assets and ``voila.json``."""
    site = Site(root)
    shutil.rmtree(site.notebooks, ignore_errors=True)
    site.notebooks.mkdir(parents=True)
    shutil.copyfile(DASHBOARD, site.notebooks / site.dashboard)
    deck = json.loads((REPO_DIR / DECK).read_text())
    deck["metadata"]["voila"] = {"template": DECK_TEMPLATE}
    (site.notebooks / site.deck).write_text(json.dumps(deck, indent=1))
    static = copy_assets(site.jupyter_path / "voila" / "templates" / DECK_TEMPLATE / "static")
    publish_widget_bundle(static / WIDGET_BUNDLE)
    config = voila_config(pool, deck_pool, host, preheat, site, reveal_settings(deck))
    (root / "voila.json").write_text(json.dumps(config, indent=2))
    return site


def voila_config(pool: int, deck_pool: int, host: str, preheat: bool, site: Site, reveal: dict) -> dict:
    """The server's configuration (Voila reads ``voila.json`` from its working directory)."""
    return {
        "Voila": {
            "ip": host,
            "open_browser": False,
            "port_retries": 0,
            # A websocket message carries one upload; tornado closes sockets above this.
            "tornado_settings": {"websocket_max_message_size": UPLOAD_LIMIT_BYTES},
        },
        "VoilaConfiguration": {
            "template": DASHBOARD_TEMPLATE,
            "allow_template_override": "NOTEBOOK",  # the deck's copy names its template; clients cannot
            "allow_theme_override": "NO",
            "show_tracebacks": False,
            "preheat_kernel": preheat,
            "default_pool_size": pool,
            "file_allowlist": [],  # serve no files from the site folder
            # Notebook 7's JupyterLab extension fails to load outside JupyterLab (a console error).
            # jupyterlab-plotly renders static plotly outputs (a 4.8 MB chunk on every page
            # load); the kit shows FigureWidgets only, whose code comes through anywidget.
            "extension_denylist": ["@jupyter-notebook/lab-extension", "jupyterlab-plotly"],
            "resources": {"reveal": {**reveal, "url_prefix": f"/voila/templates/{DECK_TEMPLATE}/static/reveal"}},
        },
        "VoilaKernelManager": {
            "kernel_pools_config": {
                "default": {"pool_size": pool},
                site.deck: {"pool_size": deck_pool},
            },
            "fill_delay": 0.5,
        },
    }


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def urls(site: Site, host: str, port: int, token: str = "") -> dict[str, str]:
    """The dashboard and deck URLs a presenter hands out."""
    shown = "127.0.0.1" if host in ("127.0.0.1", "localhost") else host
    query = f"?token={token}" if token else ""
    base = f"http://{shown}:{port}/voila/render"
    return {"dashboard": f"{base}/{site.dashboard}{query}", "deck": f"{base}/{site.deck}{query}"}


def widget_bundle_url() -> str:
    """Where a staged site serves plotly's widget code (its version in the query)."""
    return bundle_url(f"/voila/templates/{DECK_TEMPLATE}/static/{WIDGET_BUNDLE}")


def start_voila(site: Site, port: int, token: str = "", log_path: Path | None = None) -> subprocess.Popen:
    """Start Voila on a staged site and return once it answers."""
    env = jupyter_env()
    env["JUPYTER_PATH"] = f"{site.jupyter_path}:{env['JUPYTER_PATH']}"
    env[PLOTLY_ESM_ENV] = widget_bundle_url()
    command = [sys.executable, "-m", "voila", str(site.notebooks), f"--port={port}", f"--Voila.token={token}"]
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(command, env=env, cwd=site.root, stdout=log, stderr=subprocess.STDOUT)
    config = json.loads((site.root / "voila.json").read_text())
    host = "127.0.0.1" if is_loopback(config["Voila"]["ip"]) else config["Voila"]["ip"]
    wait_until_up(f"http://{host}:{port}/voila/static/voila.js", process)
    return process


def serve(port: int, host: str, pool: int) -> int:
    """Stage, serve until Ctrl-C, print the URLs (with a token when the room can reach it)."""
    from aiopen.serve import free_port

    port = free_port(port)
    token = "" if is_loopback(host) else secrets.token_urlsafe(16)
    site = stage(pool=pool, host=host)
    print(f"Starting Voila ({pool} preheated kernel(s) for the dashboard)...", flush=True)
    server = start_voila(site, port, token)
    links = urls(site, host, port, token)
    reach = "this machine only" if is_loopback(host) else f"anyone who can reach {host} and has the token"
    print(
        f"\nDashboard (every live widget, code hidden):\n\n    {links['dashboard']}\n\n"
        f"The deck as slides (Space/arrows move, S opens speaker notes):\n\n    {links['deck']}\n\n"
        f"Served to {reach}. Press Ctrl-C to stop.",
        flush=True,
    )
    return serve_until_interrupted(server)
