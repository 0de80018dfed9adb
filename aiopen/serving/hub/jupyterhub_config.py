"""What ``jupyterhub -f`` loads for ``make workshop``: the room's settings, made into configuration."""

import os

from aiopen.serving.hub.config import SETTINGS_ENV, configure
from aiopen.serving.hub.settings import Workshop

c = get_config()  # noqa: F821 (JupyterHub defines it for its config files)
configure(c, Workshop.load(os.environ[SETTINGS_ENV]))
