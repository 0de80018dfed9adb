"""Sourced data tables shipped with the kit.

Each CSV in this folder has one row per fact and carries its own provenance in
the columns ``source`` (paper + table, or URL), ``source_date`` and
``verification`` (``checked`` = against the primary text, ``secondary`` = seen
in a source that quotes the primary, ``unverified``, or ``derived`` = computed
from sourced inputs). Empty cells mean "not published", never zero.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent
VERIFICATION_LEVELS = ("checked", "secondary", "unverified", "derived")


@lru_cache(maxsize=None)
def _read(name: str) -> tuple[dict[str, str | None], ...]:
    path = DATA_DIR / f"{name}.csv"
    if not path.exists():
        raise KeyError(f"No data table called {name!r} in {DATA_DIR}.")
    with path.open(newline="", encoding="utf-8") as handle:
        return tuple(
            {key: (value.strip() or None) for key, value in row.items()}
            for row in csv.DictReader(handle)
        )


def rows(name: str) -> list[dict[str, str | None]]:
    """Rows of ``data/<name>.csv`` as dicts of strings; empty cells become ``None``."""
    return [dict(row) for row in _read(name)]
