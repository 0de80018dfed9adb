"""Checks for exercise 05_probabilistic_testing: rule of three, Wilson, sample sizes, comparing two rates.

Every question asks for a function and tries it on fresh rates, counts and bounds; the
references are the kit's ``wilson_interval`` and ``newcombe_interval``. Nothing here
samples the model: q4's verdict is judged on the counts the notebook's seeded run
produced (``counts``), with the kit's difference interval.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from aiopen.teaching.checks import Mismatch, Question, Reply, calls, describe, expect, number, pair, truth, value, whole_number
from aiopen.domain.safety import wilson_interval
from aiopen.domain.stats import newcombe_interval

TOLERANCE = 1e-3  # z = 1.96 in the learner's formula versus the exact 1.95996...
Z95 = 1.96


def _confidence(z: float) -> float:
    return 2 * NormalDist().cdf(z) - 1


def _wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    return wilson_interval(k, n, _confidence(z))


def _close_pair(got: tuple[float, float], wanted: tuple[float, float], tolerance: float = TOLERANCE) -> bool:
    return all(abs(g - w) < tolerance for g, w in zip(got, wanted))


def _numbers(result: object, name: str, what: str = "(low, high)") -> tuple[float, float]:
    low, high = pair(result, name, what)
    return number(low, f"the low end of {name}"), number(high, f"the high end of {name}")


# --- q1: runs_needed ---------------------------------------------------------------------------

def _accepted_runs(rate: float) -> set[int]:
    """The rule of three rounded up (either side of float rounding), or the exact binomial answer."""
    exact = math.ceil(math.log(0.05) / math.log(1 - rate))
    loop = next(n for n in range(1, 10**7) if (1 - rate) ** n <= 0.05)
    return {math.ceil(3 / rate), math.ceil(3 / rate - 1e-9), exact, loop}


def ask_q1(rng: np.random.Generator) -> list[dict]:
    rates = [0.01, 0.05] + [float(np.round(rng.uniform(0.002, 0.2), 4)) for _ in range(8)]
    return [calls("runs_needed", [(r,) for r in rates])]


def judge_q1(reply: Reply) -> None:
    for call, got in reply.function("runs_needed"):
        rate = call.args[0]
        got = whole_number(got, "runs_needed(...)", "A number of runs is whole: round up (math.ceil).")
        accepted = _accepted_runs(rate)
        if got in accepted:
            continue
        if got in (math.floor(3 / rate), round(3 / rate)):
            hint = "Round up: fewer runs than 3/rate would not reach 95 % confidence."
        elif got == math.ceil(1 / rate):
            hint = "The rule of three: with zero failures in n runs the 95 % upper bound is about 3/n, not 1/n."
        else:
            hint = "The rule of three: the 95 % upper bound after n clean runs is about 3/n."
        raise Mismatch(f"the runs needed to claim a rate under {rate:g}: {math.ceil(3 / rate)} (rule of three) or {min(accepted)} (exact)", str(got), hint)


# --- q2: my_wilson -----------------------------------------------------------------------------

def ask_q2(rng: np.random.Generator) -> list[dict]:
    cases: list[tuple] = [(0, 10), (0, 300), (3, 40), (8, 8), (3, 40, 2.576)]
    for _ in range(8):
        n = int(rng.integers(1, 500))
        k = int(rng.choice([0, n, int(rng.integers(0, n + 1))]))
        cases.append((k, n) if rng.random() < 0.5 else (k, n, float(rng.choice([1.645, 2.576, 3.0]))))
    return [calls("my_wilson", cases)]


def _wald(k: int, n: int, z: float) -> tuple[float, float]:
    p = k / n
    half = z * math.sqrt(p * (1 - p) / n)
    return max(0.0, p - half), min(1.0, p + half)


def judge_q2(reply: Reply) -> None:
    for call, got in reply.function("my_wilson"):
        k, n, z = call.args[0], call.args[1], call.args[2] if len(call.args) > 2 else Z95
        low, high = _numbers(got, "my_wilson(...)")
        wanted = _wilson(k, n, z)
        if _close_pair((low, high), wanted, 1e-6):
            continue
        if _close_pair((low, high), _wald(k, n, z), 1e-6):
            hint = "That is the textbook interval p ± z·sqrt(p(1-p)/n), which collapses at 0 leaks; use Wilson's formula."
        elif z != Z95 and _close_pair((low, high), _wilson(k, n, Z95), 1e-6):
            hint = f"Use the z you are given (here {z:g}), not a fixed 1.96."
        elif _close_pair((low, high), _wilson(k, n, math.sqrt(z)), 1e-6):
            hint = "The formula uses z², not z, in the centre, the denominator and the square root."
        elif low > high or abs(low - (wanted[0] + wanted[1]) / 2) < 1e-6:
            hint = "Return (low, high): the centre minus and plus the half-width."
        else:
            hint = "Divide both the centre and the half-width by 1 + z²/n, and clip to [0, 1]."
        case = f"{k} leaks in {n} runs" + (f" with z={z:g}" if len(call.args) > 2 else "")
        raise Mismatch(f"({wanted[0]:.4f}, {wanted[1]:.4f}) for {case}", f"({low:.4f}, {high:.4f})", hint)


# --- q3: smallest_n ------------------------------------------------------------------------------

def smallest_n(leaks: int, bound: float, confidence: float = 0.95) -> int:
    """The smallest n whose Wilson upper bound with ``leaks`` leaks is below ``bound``."""
    n = max(leaks, 1)
    while wilson_interval(leaks, n, confidence)[1] >= bound:
        n += 1
    return n


def ask_q3(rng: np.random.Generator) -> list[dict]:
    cases = [(0, 0.01), (1, 0.01)] + [(int(rng.integers(0, 5)), float(np.round(rng.uniform(0.02, 0.1), 4))) for _ in range(6)]
    return [calls("smallest_n", cases)]


def judge_q3(reply: Reply) -> None:
    for call, got in reply.function("smallest_n"):
        leaks, bound = call.args
        got = whole_number(got, "smallest_n(...)")
        wanted = smallest_n(leaks, bound)
        if got == wanted:
            continue
        if abs(got - 3 / bound) <= 1 or got == math.ceil((3 + leaks) / bound):
            hint = "That is the rule of three; use the kit's wilson_interval and look for the first n whose upper end is below the bound."
        elif got == smallest_n(leaks, bound, confidence=0.90):
            hint = "wilson_interval is two-sided at 95 %: use it as it is, not a one-sided bound."
        elif got < wanted:
            hint = f"At n = {got} the upper bound is still {wilson_interval(leaks, max(got, leaks, 1))[1]:.4f}: below means strictly less."
        else:
            hint = "Check n - 1 too: is its upper bound already below?"
        raise Mismatch(f"the smallest n whose upper bound with {leaks} leak{'s' * (leaks != 1)} is below {bound:g}", str(got), hint)


# --- q4: difference_interval and clearly_different -------------------------------------------------

def ask_q4(rng: np.random.Generator) -> list[dict]:
    cases = [(5, 8, 0, 8), (0, 8, 0, 8), (3, 40, 1, 50)]
    for _ in range(6):
        n1, n2 = int(rng.integers(5, 300)), int(rng.integers(5, 300))
        cases.append((int(rng.integers(0, n1 + 1)), n1, int(rng.integers(0, n2 + 1)), n2))
    return [calls("difference_interval", cases), value("counts"), value("clearly_different")]


def _wald_difference(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    p1, p2 = k1 / n1, k2 / n2
    half = Z95 * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return p1 - p2 - half, p1 - p2 + half


def _counts(raw: object) -> dict[str, tuple[int, int]]:
    expect(isinstance(raw, dict) and raw, "`counts` as the notebook sets it: probe name -> (leaks, samples)", describe(raw), "Run the cell that defines counts again.")
    result = {}
    for name, item in raw.items():
        ok = isinstance(item, (tuple, list)) and len(item) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in item)
        expect(ok and 0 <= item[0] <= item[1] <= 10**6 and item[1] > 0, "`counts` as the notebook sets it: probe name -> (leaks, samples)", describe(raw))
        result[str(name)] = (item[0], item[1])
    return result


def judge_q4(reply: Reply) -> None:
    for call, got in reply.function("difference_interval"):
        k1, n1, k2, n2 = call.args
        low, high = _numbers(got, "difference_interval(...)")
        wanted = newcombe_interval(k1, n1, k2, n2)
        if _close_pair((low, high), wanted):
            continue
        (l1, u1), (l2, u2) = wilson_interval(k1, n1), wilson_interval(k2, n2)
        if _close_pair((low, high), (-wanted[1], -wanted[0])):
            hint = "That is the interval for the second rate minus the first: give it for first minus second."
        elif _close_pair((low, high), _wald_difference(k1, n1, k2, n2)):
            hint = "That is the textbook (Wald) interval, which misbehaves at 0 leaks and small n; use Newcombe's, built from the two Wilson intervals."
        elif _close_pair((low, high), (l1 - u2, u1 - l2)):
            hint = "Subtracting the bounds gives an interval that is too wide: Newcombe's combines the two distances in quadrature (a square root of a sum of squares)."
        elif _close_pair((low, high), newcombe_interval(k1, n1, k2, n2, confidence=0.90)):
            hint = "Use 95 % Wilson intervals (z = 1.96)."
        else:
            hint = "Build it from each rate's 95 % Wilson interval, as Newcombe's method in the notebook does."
        raise Mismatch(f"({wanted[0]:.4f}, {wanted[1]:.4f}) for {k1}/{n1} minus {k2}/{n2} (first minus second)", f"({low:.4f}, {high:.4f})", hint)
    counts = _counts(reply.value("counts"))
    most = max(counts, key=lambda name: counts[name][0])
    least = min(counts, key=lambda name: counts[name][0])
    low, high = newcombe_interval(*counts[most], *counts[least])
    wanted = not low <= 0 <= high
    got = truth(reply.value("clearly_different"), "clearly_different")
    if got != wanted:
        overlap = wilson_interval(*counts[most])[0] <= wilson_interval(*counts[least])[1]
        hint = (
            "The two Wilson intervals overlap, yet the interval for the difference excludes 0: overlapping intervals do not mean no difference."
            if overlap and wanted
            else "Decide with the interval for the difference: are the rates clearly different when it excludes 0?"
        )
        raise Mismatch(f"{wanted} for {most!r} ({counts[most][0]}/{counts[most][1]}) against {least!r} ({counts[least][0]}/{counts[least][1]})", repr(got), hint)


# --- q5: samples_per_probe ------------------------------------------------------------------------

def ask_q5(rng: np.random.Generator) -> list[dict]:
    cases: list[tuple] = [(6,), (6, 0.01)] + [(int(rng.integers(1, 13)), float(np.round(rng.uniform(0.005, 0.05), 4))) for _ in range(6)]
    return [calls("samples_per_probe", cases)]


def judge_q5(reply: Reply) -> None:
    for call, got in reply.function("samples_per_probe"):
        probes, bound = call.args[0], call.args[1] if len(call.args) > 1 else 0.01
        got = whole_number(got, "samples_per_probe(...)", "A number of samples is whole: round up.")
        total = smallest_n(0, bound)
        wanted = math.ceil(total / probes)
        if got == wanted:
            continue
        if got == total // probes:
            hint = "Round up: rounding down leaves the total short of what the claim needs."
        elif got == total:
            hint = "That is the total: share it across the probes."
        elif abs(got - 3 / bound / probes) <= 1:
            hint = "Use the Wilson bound from q3 (smallest_n), not the rule of three."
        else:
            hint = "The total the claim needs (q3, zero leaks), shared across the probes, rounded up."
        raise Mismatch(f"the fewest samples per probe for {probes} probes and a bound of {bound:g}", str(got), hint)


QUESTIONS = {
    "q1": Question(ask_q1, judge_q1),
    "q2": Question(ask_q2, judge_q2),
    "q3": Question(ask_q3, judge_q3),
    "q4": Question(ask_q4, judge_q4),
    "q5": Question(ask_q5, judge_q5),
}
