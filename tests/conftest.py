"""Shared fixtures: one headless Chromium, one Jupyter server and one loaded model per test session."""

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

    root = tmp_path_factory.mktemp("present")
    shutil.copytree(REPO / "slides", root / "slides")
    port, token = free_port(8900), secrets.token_hex(16)
    log = root / "server.log"
    process = start_jupyter(port, token, root=root, log_path=log)
    try:
        yield {"port": port, "token": token, "deck_url": deck_url(port, token), "root": root, "log": log}
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except Exception:  # noqa: BLE001
            process.kill()


@pytest.fixture
def watched_page(browser):
    """A fresh 1280x720 page whose requests and console errors are recorded; the
    test ends by asserting that nothing left localhost and nothing errored."""
    from browser_support import Watch

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    yield page, watch
    context.close()
