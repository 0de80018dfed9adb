"""Checks for exercise 02_sampling: temperature, top-k, top-p, and their properties on the real model.

Learners' functions are compared with ``aiopen.sampling`` on fixed inputs (seeded, no
ties where tie-breaking is a free choice), to a tolerance of 1e-6.
"""

from __future__ import annotations

import numpy as np

from aiopen import sampling
from aiopen.checks import Answers, Mismatch, expect

TOLERANCE = 1e-6


def _compare(got: object, wanted: np.ndarray, case: str, hint: str) -> None:
    try:
        array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Mismatch(f"an array of probabilities for {case}", f"a {type(got).__name__}", "Return a numpy array.") from None
    expect(array.shape == wanted.shape, f"{wanted.size} probabilities for {case}", f"shape {array.shape}", "Return one value per token.")
    if np.any(np.isnan(array)):
        raise Mismatch(f"finite probabilities for {case}", "NaN values", hint)
    expect(abs(array.sum() - 1) < TOLERANCE, f"probabilities summing to 1 for {case}", f"a sum of {array.sum():.4g}", "Divide by the total at the end.")
    worst = int(np.argmax(np.abs(array - wanted)))
    expect(
        np.allclose(array, wanted, atol=TOLERANCE),
        f"{wanted[worst]:.4f} at position {worst} for {case}",
        f"{array[worst]:.4f}",
        hint,
    )


def _distributions() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.dirichlet(np.full(size, alpha)) for size, alpha in ((6, 1.0), (50, 0.3), (200, 0.1))]


def q1(answers: Answers) -> None:
    softmax = answers.function("my_softmax")
    logits = np.asarray(answers["logits"], dtype=float)
    cases = [
        ("scores [1, 2, 3] at T=1", [1.0, 2.0, 3.0], 1.0, "exp of each score, divided by the sum of the exps."),
        ("scores [1, 2, 3] at T=0.5", [1.0, 2.0, 3.0], 0.5, "Divide the scores by the temperature before exp."),
        ("large scores [1000, 1001, 1002]", [1000.0, 1001.0, 1002.0], 1.0, "Subtract the largest score before exp to avoid overflow."),
        ("temperature 0 with a tie [1, 3, 3]", [1.0, 3.0, 3.0], 0.0, "At T=0 split the probability equally among the top scores."),
        ("the model's logits at T=0.7", logits, 0.7, "Check the T=1 case first."),
    ]
    for case, scores, temperature, hint in cases:
        scores = np.asarray(scores, dtype=float)
        with np.errstate(all="ignore"):
            got = softmax(scores.copy(), temperature)
        _compare(got, sampling.softmax(scores, temperature), case, hint)


def q2(answers: Answers) -> None:
    top_k = answers.function("my_top_k")
    for probs in _distributions():
        for k in (1, 3, probs.size):
            _compare(top_k(probs.copy(), k), sampling.top_k(probs, k), f"k={k} over {probs.size} tokens", "Keep the k largest, zero the rest, renormalise.")


def q3(answers: Answers) -> None:
    top_p = answers.function("my_top_p")
    boundary = np.array([0.5, 0.25, 0.125, 0.125])
    _compare(top_p(boundary.copy(), 0.75), sampling.top_p(boundary, 0.75), "[0.5, 0.25, 0.125, 0.125] with p=0.75", "Keep tokens until the running total is at least p (reaching p exactly is enough).")
    for probs in _distributions():
        for p in (0.5, 0.9, 1.0):
            _compare(top_p(probs.copy(), p), sampling.top_p(probs, p), f"p={p} over {probs.size} tokens", "Sort descending, accumulate, keep the smallest prefix reaching p.")


def q4(answers: Answers) -> None:
    entropies, logits, temperatures = answers["entropies"], np.asarray(answers["logits"], dtype=float), answers["TEMPERATURES"]
    expect(isinstance(entropies, dict), "a dict: temperature -> entropy in bits", f"a {type(entropies).__name__}")
    expect(sorted(entropies) == sorted(temperatures), f"one entry per temperature in {temperatures}", f"keys {sorted(entropies)}")
    for t in temperatures:
        wanted = sampling.entropy(sampling.softmax(logits, t))
        expect(
            abs(float(entropies[t]) - wanted) < 1e-6,
            f"the entropy of the model's distribution at T={t} (to 1e-6)",
            f"{float(entropies[t]):.3f} bits",
            "entropy(my_softmax(logits, t)) for each t; check q1 passes first.",
        )
    values = [float(entropies[t]) for t in sorted(temperatures)]
    expect(all(a <= b + 1e-12 for a, b in zip(values, values[1:])), "entropy rising with temperature", f"{values}")


def q5(answers: Answers) -> None:
    from aiopen.lm import load_model

    sizes, prompts = answers["nucleus_sizes"], answers["PROMPTS"]
    expect(isinstance(sizes, dict) and set(sizes) == set(prompts), f"a dict with one count for each of {prompts}", f"{sizes!r:.80}")
    model = load_model()
    for prompt in prompts:
        wanted = int(np.count_nonzero(sampling.top_p(sampling.softmax(model.next_token_logits(prompt)), 0.9)))
        expect(
            sizes[prompt] == wanted,
            f"the number of tokens top-p=0.9 keeps after {prompt!r}",
            f"{sizes[prompt]!r}",
            "Use that prompt's own logits at temperature 1, then np.count_nonzero(my_top_p(probs, 0.9)).",
        )


QUESTIONS = {"q1": q1, "q2": q2, "q3": q3, "q4": q4, "q5": q5}
