"""What a benchmark figure is: every sample it was computed from, and the statistic that names it.

A figure is never one timing: each module measures several samples (a single-shot
measurement is repeated) and ``Figure.line`` prints their count and spread
(n, min, median, p95) beside the value, so a reader sees how much a number moves.
The value is the median, or for a figure named ``*_p95_*`` the 95th percentile, or the
minimum where a benchmark says so (a count that must hold every time).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

STATISTICS = {"median": np.median, "p95": lambda s: np.percentile(s, 95), "min": np.min, "max": np.max}


@dataclass
class Figure:
    """One named figure: its samples, unit, the statistic that gives its value, and a note on how it was measured.

    ``capped``: the measurement stopped at its cap, so the true figure is at least the value.
    """

    name: str
    samples: list[float]
    unit: str
    note: str = ""
    statistic: str = field(default="")
    capped: bool = False

    def __post_init__(self) -> None:
        if not self.samples or not all(math.isfinite(s) for s in self.samples):
            raise ValueError(f"{self.name}: no samples, or a sample that is not a number: {self.samples!r:.80}")
        self.samples = [float(s) for s in self.samples]
        self.statistic = self.statistic or ("p95" if "_p95_" in f"_{self.name}_" else "median")

    @property
    def value(self) -> float:
        return float(STATISTICS[self.statistic](self.samples))

    def spread(self) -> str:
        s = self.samples
        return f"n={len(s)}, min {_g(min(s))}, median {_g(float(np.median(s)))}, p95 {_g(float(np.percentile(s, 95)))}"

    def shown(self) -> str:
        """The value as the README and the goal table show it: ``>= 16`` at a cap."""
        return f"{'>= ' if self.capped else ''}{_g(self.value)}"

    def line(self) -> str:
        return f"{self.name}: {self.shown()} {self.unit} ({self.spread()}){f'; {self.note}' if self.note else ''}"

    def record(self) -> dict:
        return asdict(self)


def _g(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1e4 else f"{value:,.0f}"


def seconds(action: Callable[[], object], repeat: int) -> list[float]:
    """Wall time of ``repeat`` separate calls of ``action``."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples
