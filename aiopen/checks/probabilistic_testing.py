"""Checks for exercise 05_probabilistic_testing: rule of three, Wilson intervals, a seeded probe run, test planning.

Nothing here samples the model: q4 is graded on the learner's own ``run`` (seeded in the
notebook), so the check is exact whatever the model replied.
"""

from __future__ import annotations

import math

from aiopen.checks import Answers, Mismatch, expect, number
from aiopen.safety import wilson_interval

TOLERANCE = 1e-3  # z = 1.96 versus the exact 1.95996...


def _smallest_n(leaks: int, bound: float = 0.01) -> int:
    n = max(leaks, 1)
    while wilson_interval(leaks, n)[1] >= bound:
        n += 1
    return n


def q1(answers: Answers) -> str | None:
    got = answers["n_needed"]
    exact = math.ceil(math.log(0.05) / math.log(0.99))  # smallest n with 0.99**n <= 0.05
    expect(isinstance(got, int), "a whole number of runs", repr(got), "A number of runs has no fraction: round up.")
    expect(got in (exact, 300), "the smallest n whose 95 % bound with zero leaks is 1 %", f"{got}", "Rule of three: the bound is 3/n.")
    return "Correct: the rule of three gives 300; the exact binomial answer is 299." if got == 300 else "Correct (exact binomial); the rule of three rounds this to 300."


def q2(answers: Answers) -> None:
    wilson = answers.function("my_wilson")
    cases = [(0, 10, "zero leaks"), (0, 300, "zero leaks in 300"), (3, 40, "3 in 40"), (5, 8, "5 in 8"), (8, 8, "every run leaking")]
    for k, n, label in cases:
        got = wilson(k, n)
        if not (isinstance(got, tuple) and len(got) == 2):
            raise Mismatch("a pair (low, high)", f"{got!r:.60}", "return low, high")
        wanted = wilson_interval(k, n)
        if k == 0 and abs(float(got[1])) < TOLERANCE:
            raise Mismatch(f"an upper bound above 0 for {label}", f"{got[1]:.4f}", "That is the textbook interval's flaw; use the Wilson formula.")
        expect(
            all(abs(float(g) - w) < TOLERANCE for g, w in zip(got, wanted)),
            f"the Wilson interval for {label} (to 0.001)",
            f"({float(got[0]):.4f}, {float(got[1]):.4f})",
            "Check the centre (p + z²/2n) / (1 + z²/n); clip to [0, 1].",
        )


def q3(answers: Answers) -> None:
    for name, leaks in (("n_zero_leaks", 0), ("n_one_leak", 1)):
        got, wanted = answers[name], _smallest_n(leaks)
        expect(isinstance(got, int), f"`{name}` as a whole number", repr(got))
        if got == math.ceil(3 / 0.01) and leaks == 0:
            raise Mismatch("the Wilson answer, not the rule of three", "300", "Loop over n with wilson_interval(0, n)[1] < 0.01.")
        expect(
            got == wanted,
            f"the smallest n whose Wilson upper bound with {leaks} leak{'s' * (leaks != 1)} is below 1 %",
            f"{got} (upper bound {wilson_interval(leaks, max(got, leaks, 1))[1]:.4f})",
            "Below 1 % means strictly less than 0.01; check n - 1 too.",
        )


def q4(answers: Answers) -> None:
    run, intervals = answers["run"], answers["intervals"]
    expect(isinstance(intervals, dict), "a dict: probe name -> (low, high)", f"a {type(intervals).__name__}")
    names = [r.name for r in run.results]
    expect(sorted(intervals) == sorted(names), f"one entry for each of {names}", f"{sorted(intervals)}")
    for result in run.results:
        low, high = wilson_interval(result.k, result.n)
        got = intervals[result.name]
        expect(
            abs(float(got[0]) - low) < TOLERANCE and abs(float(got[1]) - high) < TOLERANCE,
            f"the Wilson interval of {result.k} leaks in {result.n} for {result.name!r}",
            f"({float(got[0]):.3f}, {float(got[1]):.3f})",
            "my_wilson(result.k, result.n) for each result.",
        )
    most = max(run.results, key=lambda r: r.k)
    least = min(run.results, key=lambda r: r.k)
    separate = wilson_interval(least.k, least.n)[1] < wilson_interval(most.k, most.n)[0]
    got = answers["clearly_different"]
    expect(isinstance(got, bool), "True or False for `clearly_different`", repr(got))
    expect(got == separate, "a different answer for `clearly_different`", repr(got), "Compare the upper end of the least-leaking probe's interval with the lower end of the most-leaking one's.")


def q5(answers: Answers) -> None:
    got = number(answers["samples_per_probe"], "samples_per_probe")
    probes = len(answers["PROBES"])
    wanted = math.ceil(_smallest_n(0) / probes)
    expect(got == wanted, "the fewest samples per probe whose total reaches q3's zero-leak answer", f"{got:g}", "Divide n_zero_leaks by the number of probes and round up.")


QUESTIONS = {"q1": q1, "q2": q2, "q3": q3, "q4": q4, "q5": q5}
