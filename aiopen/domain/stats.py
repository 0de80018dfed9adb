"""Comparing two rates: Newcombe's interval for the difference of two proportions.

Two Wilson intervals that overlap do not show that two rates are the same, and two that
barely miss each other are a stricter test than needed: the question "do these rates
differ?" is about the *difference*, and needs an interval for the difference itself.
Newcombe's hybrid score interval (method 10 in R. G. Newcombe, "Interval estimation for
the difference between independent proportions: comparison of eleven methods",
Statistics in Medicine 17:873-890, 1998) builds it from each rate's Wilson interval; it
behaves well with zero counts and small samples, where the textbook (Wald) interval
collapses. An exact alternative is Fisher's exact test.
"""

from __future__ import annotations

import math

from aiopen.domain.safety import wilson_interval


def newcombe_interval(k1: int, n1: int, k2: int, n2: int, confidence: float = 0.95) -> tuple[float, float]:
    """Interval for ``k1/n1 - k2/n2`` (Newcombe's hybrid score method, from two Wilson intervals)."""
    p1, p2 = k1 / n1, k2 / n2
    low1, high1 = wilson_interval(k1, n1, confidence)
    low2, high2 = wilson_interval(k2, n2, confidence)
    difference = p1 - p2
    return (
        difference - math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2),
        difference + math.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2),
    )
