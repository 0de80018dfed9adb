"""The image's build, as repo2docker runs it: postBuild in a fresh environment built from a copy
of the clone, then the clone hidden (a hub mounts each home over it) and, when the tests run as
root, another user: the kit is installed (not editable), the model's cache is built once and
readable by all, and a home is seeded from the environment's copy of the material.

The fresh environment is a virtual environment whose dependencies come from this one (a path
file), pip runs without an index: the test needs no network, and postBuild's own lines run.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from aiopen.paths import REPO_DIR

pytestmark = pytest.mark.model

NOBODY = 65534


@pytest.fixture(scope="module")
def image() -> dict:
    root = Path(tempfile.mkdtemp(prefix="aiopen-image-test-"))  # pytest's own folders are private to root
    root.chmod(0o755)
    try:
        yield build_image(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def build_image(root: Path) -> dict:
    clone, env = root / "clone", root / "env"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_DIR, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_DIR / name, clone / name)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    env_site = next((env / "lib").glob("python3*/site-packages"))
    (env_site / "dependencies.pth").write_text(site.getsitepackages()[0] + "\n")
    variables = {
        "PATH": f"{env / 'bin'}:{os.environ['PATH']}", "HOME": str(root / "builder-home"),
        "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    build = subprocess.run(["bash", "postBuild"], cwd=clone, env=variables, capture_output=True, text=True, timeout=600)
    shutil.rmtree(clone)  # what a hub's home volume does to the folder the image was built in
    return {"root": root, "env": env, "env_site": env_site, "variables": variables, "build": build}


def run_in_image(image: dict, code: str, home: Path, as_nobody: bool) -> subprocess.CompletedProcess:
    home.mkdir(parents=True, exist_ok=True)
    user = {}
    if as_nobody:
        os.chown(home, NOBODY, NOBODY)
        user = {"user": NOBODY, "group": NOBODY, "extra_groups": []}
    return subprocess.run(
        [str(image["env"] / "bin" / "python"), "-c", code], cwd=home, capture_output=True, text=True, timeout=300,
        env={**image["variables"], "HOME": str(home)}, **user,
    )


def test_post_build_runs(image):
    assert image["build"].returncode == 0, image["build"].stderr[-3000:]


def test_the_kit_is_installed_not_editable(image):
    out = run_in_image(image, "import aiopen; print(aiopen.__file__)", image["root"] / "home-a", as_nobody=False)
    assert Path(out.stdout.strip()).is_relative_to(image["env_site"]), out.stdout + out.stderr


def test_the_model_cache_is_built_once_in_the_environment_and_read_only_for_all(image):
    caches = list((image["env"] / "share" / "aiopen" / "cache").iterdir())
    assert len(caches) == 1
    assert caches[0].stat().st_mode & 0o777 == 0o755
    files = list(caches[0].iterdir())
    assert {path.name for path in files} >= {"config.json", "tokenizer.json", "embedding.npy"}
    assert all(path.stat().st_mode & 0o777 == 0o444 for path in files)
    if os.geteuid() == 0:  # another user reads every file (the PermissionError the trial met)
        for path in files:
            read = subprocess.run(["head", "-c", "8", str(path)], capture_output=True, user=NOBODY, group=NOBODY, extra_groups=[])
            assert read.returncode == 0 and read.stdout, (path, read.stderr)


def others_can_run(path: Path) -> bool:
    """Can a user other than the owner reach and run this file (every folder above it searchable)?"""
    real = path.resolve()
    return all(folder.stat().st_mode & 0o001 for folder in real.parents) and bool(real.stat().st_mode & 0o001)


def test_another_user_seeds_a_home_and_loads_the_model_from_the_shared_cache(image):
    # As root (CI) and with a Python other users can run, the proof that another user reads it all;
    # a Python under /root (pyenv) is not theirs to run (the trial's "a Python its user can read"),
    # and then the file modes above are the proof.
    as_nobody = os.geteuid() == 0 and others_can_run(image["env"] / "bin" / "python")
    home = image["root"] / "home-learner"
    out = run_in_image(image, (
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-m', 'aiopen.serving', 'seed'], check=True)\n"
        "from aiopen.domain import gguf_loader\n"
        "from aiopen.domain.lm import load_model\n"
        "model = load_model()\n"
        "print(gguf_loader.cache_dir(gguf_loader.model_path()))\n"
        "print(model.tokenize('The capital of France is'))"
    ), home, as_nobody=as_nobody)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.strip().splitlines()
    assert Path(lines[-2]).parent == image["env"] / "share" / "aiopen" / "cache"
    assert (home / "exercises" / "02_sampling.ipynb").is_file() and (home / "dashboard" / "dashboard.ipynb").is_file()
    assert not (home / "slides").exists() and not (home / ".cache" / "aiopen").exists()
