"""The deck runs top to bottom in a fresh kernel without an error (nbval)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.notebook
@pytest.mark.model
def test_deck_executes_in_a_fresh_kernel():
    # --nbval-lax: the deck stores no outputs to compare; every cell must still run
    # without raising. Widgets are built for real, the model included.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", "slides/ai_in_the_open.ipynb"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
