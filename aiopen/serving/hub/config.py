"""The JupyterHub configuration of a workshop room, made from its :class:`Workshop` settings.

- Login: JupyterHub's shared-password authenticator (5.3+): any allowed name with the room's
  password; the instructor (admin) logs in with a separate admin password. Names must match
  :data:`USERNAME_PATTERN` and may not be an account of this machine.
- Servers: JupyterHub's simple local spawner. Every learner's server and kernels run as the
  user who started the hub, in ``<folder>/homes/<name>``: **the room is one trust domain**
  (a learner's cell can read another's files, kernel keys and tokens); docs/workshop.md gives
  the isolating routes. Each home is seeded on every spawn, never overwriting (``homes``).
- Servers' own configuration (:func:`server_config`, written to the room's folder): kernel
  culling, the server stopping itself when idle, Voila's offline template for the dashboard.
- Kernels: one BLAS thread each; the kit's Jupyter assets and plotly's served widget code, as
  under ``make present``; the shared model cache (found in the environment, see ``gguf_loader``).
- Culling and timeouts: see :mod:`aiopen.serving.hub.settings`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from aiopen.paths import NBEXTENSION_BUNDLE, PLOTLY_ESM_ENV
from aiopen.serving.hub.homes import seed_home
from aiopen.serving.hub.settings import (
    CULL_INTERVAL_S,
    HTTP_TIMEOUT_S,
    KERNEL_IDLE_S,
    SERVER_IDLE_S,
    START_TIMEOUT_S,
    USERNAME_PATTERN,
    Workshop,
    system_accounts,
)
from aiopen.serving.launch import bundle_url, jupyter_env
from aiopen.serving.publish import DASHBOARD_TEMPLATE

RUN_ENV = "AIOPEN_WORKSHOP_RUN"  # every process of a run carries its id (see processes.marked)
SETTINGS_ENV = "AIOPEN_WORKSHOP_SETTINGS"  # where jupyterhub_config.py finds the settings
ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def server_config() -> dict:
    """The Jupyter configuration of every learner's server: culling, and Voila's offline template."""
    return {
        "MappingKernelManager": {"cull_idle_timeout": KERNEL_IDLE_S, "cull_interval": CULL_INTERVAL_S, "cull_connected": True},
        "ServerApp": {"shutdown_no_activity_timeout": SERVER_IDLE_S},
        # the dashboard at /user/<name>/voila/render/dashboard/dashboard.ipynb, nothing from a CDN
        "VoilaConfiguration": {"template": DASHBOARD_TEMPLATE},
    }


def write_server_config(workshop: Workshop) -> Path:
    """Write :func:`server_config` where every learner's server reads it (see :func:`learner_environment`)."""
    folder = workshop.state / "jupyter-config"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "jupyter_server_config.json").write_text(json.dumps(server_config(), indent=1), encoding="utf-8")
    return folder


def learner_environment(workshop: Workshop) -> dict[str, str]:
    """What every learner's server (and so every kernel) gets besides JupyterHub's own variables."""
    jupyter = jupyter_env({})
    env = {
        "JUPYTER_PATH": jupyter["JUPYTER_PATH"],
        "JUPYTER_CONFIG_PATH": os.pathsep.join([str(workshop.state / "jupyter-config"), jupyter["JUPYTER_CONFIG_PATH"]]),
    }
    env.update({name: "1" for name in ONE_THREAD})
    env[PLOTLY_ESM_ENV] = bundle_url(f"nbextensions/{NBEXTENSION_BUNDLE}")  # relative: /user/<name>/ comes first
    env[RUN_ENV] = workshop.run_id
    return env


def server_args() -> list[str]:
    """Options of every learner's Jupyter server: root when the hub runs as root (as CI does)."""
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def seed_on_spawn(spawner: Any) -> None:
    """JupyterHub's pre-spawn hook: the learner's home gets what is missing of the material."""
    seed_home(Path(spawner.home_dir), instructor=bool(spawner.user.admin))


def configure(c: Any, workshop: Workshop) -> None:
    """Fill JupyterHub's config object ``c`` for ``workshop``."""
    bin_dir = Path(sys.executable).parent
    state = workshop.state

    c.JupyterHub.bind_url = f"http://{workshop.host}:{workshop.port}"
    c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{workshop.hub_port}"
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{workshop.proxy_api_port}"
    c.ConfigurableHTTPProxy.command = [str(bin_dir / "configurable-http-proxy")]  # the pure-Python proxy (PyPI)
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "cookie_secret")
    c.JupyterHub.pid_file = str(state / "hub.pid")

    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = workshop.password
    c.SharedPasswordAuthenticator.admin_password = workshop.admin_password
    c.Authenticator.admin_users = {workshop.instructor}
    c.Authenticator.allow_all = True
    c.Authenticator.username_pattern = USERNAME_PATTERN
    c.Authenticator.blocked_users = system_accounts()

    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(workshop.homes / "{username}")
    c.Spawner.cmd = [str(bin_dir / "jupyterhub-singleuser")]
    c.Spawner.args = server_args()
    c.Spawner.environment = learner_environment(workshop)
    c.Spawner.default_url = "/lab/tree/exercises"
    c.Spawner.start_timeout = START_TIMEOUT_S
    c.Spawner.http_timeout = HTTP_TIMEOUT_S
    c.Spawner.pre_spawn_hook = seed_on_spawn
