"""Exercise 05 (probabilistic testing): wrong answers that must fail, correct variants that must pass."""

from __future__ import annotations

import math

import numpy as np

from answer_tables import Case, table_tests
from aiopen.domain.safety import wilson_interval

EXERCISE = "05_probabilistic_testing"
COUNTS = {"direct ask": (5, 8), "instruction override": (0, 8), "write backwards": (5, 8)}  # the seeded run


# --- q1: runs_needed --------------------------------------------------------------------------

def runs_rule_of_three(max_rate):
    return math.ceil(3 / max_rate)


def runs_exact(max_rate):
    return math.ceil(math.log(0.05) / math.log(1 - max_rate))


def runs_loop(max_rate):
    n = 1
    while (1 - max_rate) ** n > 0.05:
        n += 1
    return n


def runs_float(max_rate):
    return 3 / max_rate if (3 / max_rate).is_integer() else float(math.ceil(3 / max_rate))


# --- q2: my_wilson ----------------------------------------------------------------------------

def wilson_solution(k, n, z=1.96):
    p = k / n
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_closed_form(k, n, z=1.96):
    root = z * np.sqrt(z**2 + 4 * k * (n - k) / n)
    return [(2 * k + z**2 - root) / (2 * (n + z**2)), (2 * k + z**2 + root) / (2 * (n + z**2))]


def wilson_numpy(k, n, z=1.96):
    low, high = wilson_solution(k, n, z)
    return np.float64(low), np.float64(high)


def wilson_wald(k, n, z=1.96):
    p = k / n
    half = z * math.sqrt(p * (1 - p) / n)
    return max(0.0, p - half), min(1.0, p + half)


def wilson_z_not_squared(k, n, z=1.96):
    return wilson_solution(k, n, math.sqrt(z))


def wilson_fixed_z(k, n, z=1.96):
    return wilson_solution(k, n, 1.96)


def wilson_no_denominator(k, n, z=1.96):
    p = k / n
    centre = p + z**2 / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_centre_half(k, n, z=1.96):
    low, high = wilson_solution(k, n, z)
    return (low + high) / 2, (high - low) / 2


# --- q3: smallest_n ---------------------------------------------------------------------------

def smallest_loop(leaks, bound):
    n = max(leaks, 1)
    while wilson_interval(leaks, n)[1] >= bound:
        n += 1
    return n


def smallest_next(leaks, bound):
    return next(n for n in range(1, 1_000_000) if n >= leaks and wilson_interval(leaks, n)[1] < bound)


def smallest_rule_of_three(leaks, bound):
    return math.ceil((3 + leaks) / bound)


def smallest_minus_one(leaks, bound):
    return smallest_loop(leaks, bound) - 1


def smallest_one_sided(leaks, bound):
    n = max(leaks, 1)
    while wilson_interval(leaks, n, confidence=0.90)[1] >= bound:  # a one-sided 95 % bound
        n += 1
    return n


# --- q4: difference_interval and clearly_different --------------------------------------------

def newcombe(k1, n1, k2, n2, confidence=0.95):
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1, confidence)
    l2, u2 = wilson_interval(k2, n2, confidence)
    d = p1 - p2
    return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def newcombe_list(k1, n1, k2, n2):
    return [np.float64(x) for x in newcombe(k1, n1, k2, n2)]


def difference_wald(k1, n1, k2, n2):
    p1, p2 = k1 / n1, k2 / n2
    half = 1.96 * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return p1 - p2 - half, p1 - p2 + half


def difference_of_bounds(k1, n1, k2, n2):
    l1, u1 = wilson_interval(k1, n1)
    l2, u2 = wilson_interval(k2, n2)
    return l1 - u2, u1 - l2


def difference_swapped(k1, n1, k2, n2):
    return newcombe(k2, n2, k1, n1)


def difference_90(k1, n1, k2, n2):
    return newcombe(k1, n1, k2, n2, confidence=0.90)


def q4(function, verdict: object) -> dict:
    return {"difference_interval": function, "counts": COUNTS, "clearly_different": verdict}


# --- q5: samples_per_probe --------------------------------------------------------------------

def per_probe(n_probes, bound=0.01):
    return math.ceil(smallest_loop(0, bound) / n_probes)


def per_probe_floor(n_probes, bound=0.01):
    return smallest_loop(0, bound) // n_probes


def per_probe_rule_of_three(n_probes, bound=0.01):
    return math.ceil(3 / bound / n_probes)


def per_probe_total(n_probes, bound=0.01):
    return smallest_loop(0, bound)


def per_probe_fraction(n_probes, bound=0.01):
    return smallest_loop(0, bound) / n_probes


WRONG = [
    Case("q1", "one-over-rate", {"runs_needed": lambda max_rate: math.ceil(1 / max_rate)}, "rule of three"),
    Case("q1", "rounded-down", {"runs_needed": lambda max_rate: math.floor(3 / max_rate)}, "round up"),
    Case("q1", "rounded", {"runs_needed": lambda max_rate: round(3 / max_rate)}, "round up"),
    Case("q1", "not-rounded", {"runs_needed": lambda max_rate: 3 / max_rate}, "whole number"),
    Case("q1", "old-constant", {"n_needed": 300}),
    Case("q1", "constant-300", {"runs_needed": lambda max_rate: 300}),
    Case("q2", "wald", {"my_wilson": wilson_wald}, "textbook"),
    Case("q2", "z-not-squared", {"my_wilson": wilson_z_not_squared}, "z²"),
    Case("q2", "ignores-z", {"my_wilson": wilson_fixed_z}, "z"),
    Case("q2", "no-denominator", {"my_wilson": wilson_no_denominator}, "1 + z²/n"),
    Case("q2", "centre-and-half-width", {"my_wilson": wilson_centre_half}, "(low, high)"),
    Case("q3", "rule-of-three", {"smallest_n": smallest_rule_of_three}, "rule of three"),
    Case("q3", "one-too-few", {"smallest_n": smallest_minus_one}, "smallest"),
    Case("q3", "one-sided-z", {"smallest_n": smallest_one_sided}, "two-sided"),
    Case("q3", "old-constants", {"n_zero_leaks": 381, "n_one_leak": 563}),
    Case("q4", "wald-difference", q4(difference_wald, True), "Newcombe"),
    Case("q4", "difference-of-bounds", q4(difference_of_bounds, False), "too wide"),
    Case("q4", "swapped", q4(difference_swapped, True), "first minus second"),
    Case("q4", "90-percent", q4(difference_90, True), "95"),
    Case("q4", "overlap-verdict", q4(newcombe, False), "overlap"),
    Case("q4", "constant-true-no-function", {"counts": COUNTS, "clearly_different": True}),
    Case("q4", "verdict-as-text", q4(newcombe, "yes"), "True or False"),
    Case("q5", "rounded-down", {"samples_per_probe": per_probe_floor}, "round up"),
    Case("q5", "rule-of-three", {"samples_per_probe": per_probe_rule_of_three}, "Wilson"),
    Case("q5", "not-divided", {"samples_per_probe": per_probe_total}, "probes"),
    Case("q5", "fraction", {"samples_per_probe": per_probe_fraction}, "whole number"),
    Case("q5", "old-constant", {"samples_per_probe": 64}, "function"),
]

RIGHT = [
    Case("q1", "rule-of-three", {"runs_needed": runs_rule_of_three}),
    Case("q1", "exact-binomial", {"runs_needed": runs_exact}),
    Case("q1", "loop", {"runs_needed": runs_loop}),
    Case("q1", "integral-float", {"runs_needed": runs_float}),
    Case("q1", "numpy-int", {"runs_needed": lambda max_rate: np.int64(math.ceil(3 / max_rate))}),
    Case("q2", "solution", {"my_wilson": wilson_solution}),
    Case("q2", "closed-form-list", {"my_wilson": wilson_closed_form}),
    Case("q2", "numpy-floats", {"my_wilson": wilson_numpy}),
    Case("q3", "loop", {"smallest_n": smallest_loop}),
    Case("q3", "next", {"smallest_n": smallest_next}),
    Case("q4", "newcombe", q4(newcombe, True)),
    Case("q4", "newcombe-list-numpy-bool", q4(newcombe_list, np.True_)),
    Case("q5", "ceil", {"samples_per_probe": per_probe}),
    Case("q5", "integer-ceil", {"samples_per_probe": lambda n_probes, bound=0.01: -(-smallest_loop(0, bound) // n_probes)}),
]


test_wrong_answer_fails, test_correct_variant_passes = table_tests(EXERCISE, WRONG, RIGHT)
