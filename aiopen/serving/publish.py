"""Serve the kit with Voila: the widget dashboard and the deck as reveal.js slides, code hidden.

``python -m aiopen.serving dashboard`` (what ``make dashboard`` runs) stages a small site
(``build/voila`` by default) and starts one Voila server on it:

* ``site/dashboard.ipynb``: every live widget, tabs in agenda order (the default page);
* ``site/ai_in_the_open.ipynb``: a copy of the deck, rendered with the kit's
  ``aiopen-reveal`` template (set in the copy's metadata, so clients cannot pick templates);
* ``jupyter/``: joins ``JUPYTER_PATH``; the reveal.js 6 stylesheets (from the installed
  ``pyreveal`` package), plotly.js and the deck's theme are copied there, so that no
  page asks anything of a CDN;
* ``voila.json``: the whole server configuration, readable in one place.

Only the staged notebooks are served, each with a pool of preheated kernels. The server
is :mod:`aiopen.serving.room` (Voila with a room's limits): at most ``Room.max_viewers`` viewers
at once, a kernel shut down soon after its page has gone or after a long idle spell.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from aiopen.domain.safety.limits import UPLOAD_BYTES
from aiopen.paths import BUILD_DIR, DASHBOARD, DECK, JUPYTER_ASSETS, PLOTLY_ESM_ENV, REPO_DIR
from aiopen.serving.launch import bundle_url, free_port, jupyter_env, publish_widget_bundle, serve_until_interrupted, wait_until_up

STAGE_DIR = BUILD_DIR / "voila"
DASHBOARD_TEMPLATE = "aiopen"
DECK_TEMPLATE = "aiopen-reveal"
DECK_THEME = "aiopen"
DEFAULT_PORT = 8866
DEFAULT_POOL = 2
# An upload reaches the kernel as one websocket message: the artifact scanner's own
# limit plus room for the message envelope. Larger messages close the socket.
UPLOAD_LIMIT_BYTES = UPLOAD_BYTES + 2 * 2**20
WIDGET_BUNDLE = "plotly-widgetbundle.js"  # plotly's widget code, served once per page (see widgets.common)
WILDCARD_HOSTS = ("", "0.0.0.0", "::")  # listen on every interface; no other machine can open these


@dataclass(frozen=True)
class Room:
    """How many viewers the server takes and when it takes their kernels back.

    A viewer's kernel is shut down when the page says goodbye (Voila's page does on
    unload), ``page_gone_s`` after its page's connection has gone (a closed laptop, a
    crashed tab), ``connect_s`` after it was handed to a page that never connected, or
    after ``idle_s`` without a widget message even with its page open. The culler looks
    every ``cull_interval_s``. Preheated kernels are never culled and do not count as viewers.
    """

    max_viewers: int = 16
    page_gone_s: int = 30
    connect_s: int = 120
    idle_s: int = 20 * 60
    cull_interval_s: int = 5


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
        "reveal/aiopen-reveal.css": [JUPYTER_ASSETS / "reveal" / "aiopen-reveal.css"],  # shared by the export and the Voila deck
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


def stage(root: Path = STAGE_DIR, pool: int = DEFAULT_POOL, deck_pool: int = 1, host: str = "127.0.0.1",
          preheat: bool = True, room: Room = Room()) -> Site:
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
    config = voila_config(pool, deck_pool, host, preheat, site, reveal_settings(deck), room)
    (root / "voila.json").write_text(json.dumps(config, indent=2))
    return site


def voila_config(pool: int, deck_pool: int, host: str, preheat: bool, site: Site, reveal: dict, room: Room) -> dict:
    """The server's configuration (Voila reads ``voila.json`` from its working directory)."""
    return {
        "Voila": {
            "ip": host,
            "open_browser": False,
            "port_retries": 0,
            # A websocket message carries one upload; tornado closes sockets above this.
            "tornado_settings": {"websocket_max_message_size": UPLOAD_LIMIT_BYTES},
            # Malformed client messages refused in one line; kernels' stderr kept in the log.
            "kernel_websocket_connection_class": "aiopen.serving.room.GuardedConnection",
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
            "multi_kernel_manager_class": "aiopen.serving.room.RoomKernelManager",
        },
        "RoomKernelManager": {"max_viewers": room.max_viewers, "page_gone_timeout": room.page_gone_s, "connect_timeout": room.connect_s},
        # jupyter_server's culler: also an idle kernel whose page is still open.
        "MappingKernelManager": {
            "cull_idle_timeout": room.idle_s,
            "cull_connected": True,
            "cull_interval": room.cull_interval_s,
            "allow_tracebacks": False,  # an error message from a widget callback carries no traceback
            "traceback_replacement_message": "An error occurred; the details are in the server's log.",
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


def machine_address() -> str:
    """This machine's address on its network (the interface of its default route), or its
    host name when it has no route (offline): what another machine can open."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1; connecting a UDP socket sends nothing
            address = probe.getsockname()[0]
        except OSError:
            address = ""
    return address if address and not ipaddress.ip_address(address).is_loopback else socket.gethostname()


def shown_host(host: str) -> str:
    """The host to print in URLs for a server listening on ``host``."""
    if host in WILDCARD_HOSTS:
        return machine_address()
    return "127.0.0.1" if is_loopback(host) else host


def urls(site: Site, host: str, port: int, token: str = "") -> dict[str, str]:
    """The dashboard and deck URLs a presenter hands out (never a wildcard address)."""
    shown = shown_host(host)
    query = f"?token={token}" if token else ""
    base = f"http://{shown}:{port}/voila/render"
    return {"dashboard": f"{base}/{site.dashboard}{query}", "deck": f"{base}/{site.deck}{query}"}


def widget_bundle_url() -> str:
    """Where a staged site serves plotly's widget code (its version in the query)."""
    return bundle_url(f"voila/templates/{DECK_TEMPLATE}/static/{WIDGET_BUNDLE}")


def start_voila(site: Site, port: int, token: str = "", log_path: Path | None = None) -> subprocess.Popen:
    """Start Voila on a staged site and return once it answers."""
    env = jupyter_env()
    env["JUPYTER_PATH"] = os.pathsep.join([str(site.jupyter_path), env["JUPYTER_PATH"]])  # ";" on Windows
    env[PLOTLY_ESM_ENV] = widget_bundle_url()
    command = [sys.executable, "-m", "aiopen.serving.room", str(site.notebooks), f"--port={port}", f"--Voila.token={token}"]
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(command, env=env, cwd=site.root, stdout=log, stderr=subprocess.STDOUT)
    config = json.loads((site.root / "voila.json").read_text())
    ip = config["Voila"]["ip"]
    host = "127.0.0.1" if is_loopback(ip) or ip in WILDCARD_HOSTS else ip
    wait_until_up(f"http://{host}:{port}/voila/static/voila.js", process)
    return process


def serve(port: int, host: str, pool: int, max_viewers: int | None = None) -> int:
    """Stage, serve until Ctrl-C, print the URLs (with a token when the room can reach it)."""
    port = free_port(port)
    token = "" if is_loopback(host) else secrets.token_urlsafe(16)
    room = Room() if max_viewers is None else Room(max_viewers=max_viewers)
    site = stage(pool=pool, host=host, room=room)
    print(f"Starting Voila ({pool} preheated kernel(s) for the dashboard)...", flush=True)
    server = start_voila(site, port, token)
    links = urls(site, host, port, token)
    if is_loopback(host):
        reach = "this machine only"
    else:
        reach = f"anyone who can reach {shown_host(host)} (host name {socket.gethostname()}) and has the token"
    print(
        f"\nDashboard (every live widget, code hidden):\n\n    {links['dashboard']}\n\n"
        f"The deck as slides (Space/arrows move, S opens speaker notes):\n\n    {links['deck']}\n\n"
        f"Served to {reach}.\n{describe(room)}\nPress Ctrl-C to stop.",
        flush=True,
    )
    return serve_until_interrupted(server)


def describe(room: Room) -> str:
    """The room's limits in one sentence."""
    size = f"Up to {room.max_viewers} viewers at once (then a 'room is full' page)" if room.max_viewers else "No limit on viewers"
    return (f"{size}; a viewer's kernel is shut down when the page closes, {room.page_gone_s} s after its "
            f"connection is lost, or after {room.idle_s // 60} min without a widget being used.")
