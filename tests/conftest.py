"""Session fixtures: one headless Chromium, one Jupyter server (what `make present` runs),
one Voila server (what `make dashboard` runs) and one loaded model, each started when a
test first asks for it and stopped when the session ends. No test depends on another having run first."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def model():
    """The real SmolLM2 model, loaded once (tests that use it are marked ``model``)."""
    from aiopen.domain.lm import load_model

    return load_model()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from browser_support import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory) -> Iterator[dict]:
    """The kit's Jupyter server (what `make present` runs) on a copy of slides/,
    so that a test run can never change the tracked deck."""
    from aiopen.serving.launch import free_port
    from aiopen.serving.present import deck_url, start_jupyter
    from voila_support import stop

    root = tmp_path_factory.mktemp("present")
    shutil.copytree(REPO / "slides", root / "slides")
    port, token = free_port(8900), secrets.token_hex(16)
    log = root / "server.log"
    process = start_jupyter(port, token, root=root, log_path=log)
    try:
        yield {"port": port, "token": token, "deck_url": deck_url(port, token), "root": root, "log": log}
    finally:
        stop(process)


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory) -> Iterator[dict]:
    """A Voila server on a staged site (pools of 1): its port, site, log and the page URLs."""
    from aiopen.serving import publish
    from aiopen.serving.launch import free_port
    from voila_support import stop

    root = tmp_path_factory.mktemp("voila")
    site = publish.stage(root, pool=1, deck_pool=1)
    port, log = free_port(8867), root / "voila.log"
    process = publish.start_voila(site, port, log_path=log)
    try:
        yield {"port": port, "site": site, "log": log, "process": process,
               "base": f"http://127.0.0.1:{port}", **publish.urls(site, "127.0.0.1", port)}
    finally:
        stop(process)
