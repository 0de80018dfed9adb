"""The model's weight cache is readable by every user: a cache one user built (a hub's
launcher, an image's build) must load for the others, and the environment's shared cache
is read-only and found before a user's own."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from aiopen.domain import gguf_loader

pytestmark = pytest.mark.model

NOBODY = 65534


@pytest.fixture(scope="module")
def public_tmp():
    folder = Path(tempfile.mkdtemp(prefix="aiopen-cache-test-"))
    folder.chmod(0o755)  # pytest's own temporary folders are private to their owner
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def readable_by_another_user(path: Path) -> bool:
    read = subprocess.run(["head", "-c", "8", str(path)], capture_output=True, user=NOBODY, group=NOBODY, extra_groups=[])
    return read.returncode == 0 and bool(read.stdout)


def test_a_users_cache_is_readable_by_every_user(public_tmp, monkeypatch):
    monkeypatch.setenv("AIOPEN_CACHE", str(public_tmp / "user-cache"))
    config, weights, _ = gguf_loader.load(gguf_loader.model_path())
    folder = gguf_loader.cache_dir(gguf_loader.model_path())
    assert folder.parent == public_tmp / "user-cache" and config.n_layers > 0
    assert folder.stat().st_mode & 0o777 == 0o755  # not the private 0700 of a temporary folder
    files = sorted(folder.iterdir())
    assert files and all(path.stat().st_mode & 0o777 == 0o644 for path in files)
    if os.geteuid() == 0:
        assert all(readable_by_another_user(path) for path in files)


def test_the_shared_cache_is_read_only_and_found_before_the_users(public_tmp, monkeypatch):
    shared = public_tmp / "shared"
    monkeypatch.setattr(gguf_loader, "MODEL_CACHE_DIR", shared)
    monkeypatch.setenv("XDG_CACHE_HOME", str(public_tmp / "home-cache"))
    monkeypatch.delenv("AIOPEN_CACHE", raising=False)
    gguf = gguf_loader.model_path()
    assert gguf_loader.cache_dir(gguf).parent == public_tmp / "home-cache" / "aiopen"  # none built yet
    folder = gguf_loader.build_shared_cache()
    assert folder.parent == shared and gguf_loader.cache_dir(gguf) == folder
    assert all(path.stat().st_mode & 0o777 == 0o444 for path in folder.iterdir())
    assert gguf_loader.build_shared_cache() == folder  # built once
    monkeypatch.setenv("AIOPEN_CACHE", str(public_tmp / "explicit"))
    assert gguf_loader.cache_dir(gguf).parent == public_tmp / "explicit"  # $AIOPEN_CACHE still wins
