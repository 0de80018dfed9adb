"""Checks for exercise 02_sampling: temperature, top-k, top-p, entropy, and their properties on the real model.

The learner's functions run on fresh random scores and distributions (no ties where the
tie-breaking is a free choice; top-p thresholds kept away from the running sums, so float
rounding never decides) and are compared, whole, with ``aiopen.domain.sampling``. The answers
about the model are compared with the kit's own forward pass on the notebook's prompts.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from aiopen.domain import sampling
from aiopen.teaching.checks import Call, Mismatch, Question, Reply, calls, describe, expect, number, value, whole_number

TOLERANCE = 1e-6
PROMPT = "The capital of France is"
PROMPTS = ["The capital of France is", "My favourite food is"]
TEMPERATURES = [0, 0.25, 0.5, 1.0, 1.5, 2.0]
NUCLEUS_P = 0.9


def _as_probabilities(got: object, size: int, case: str) -> np.ndarray:
    """The learner's output as a float vector of the right length, or a Mismatch."""
    try:
        array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Mismatch(f"an array of {size} probabilities for {case}", describe(got), "Return a numpy array, one value per token.") from None
    expect(array.shape == (size,), f"{size} probabilities (one value per token) for {case}", f"shape {array.shape}", "Return one value per token, zeros included.")
    return array


def _show(values: np.ndarray) -> str:
    return f"[{', '.join(f'{v:g}' for v in np.round(values, 3))}]" if values.size <= 6 else f"{values.size} values"


def _compare(array: np.ndarray, wanted: np.ndarray, case: str, hint: str) -> None:
    expect(bool(np.all(np.isfinite(array))), f"finite probabilities for {case}", "NaN or infinite values", hint)
    expect(abs(array.sum() - 1) < TOLERANCE, f"probabilities that sum to 1 for {case}", f"a sum of {array.sum():.4g}", "Divide by the total at the end.")
    worst = int(np.argmax(np.abs(array - wanted)))
    expect(bool(np.allclose(array, wanted, rtol=0, atol=TOLERANCE)), f"{wanted[worst]:.4f} at position {worst} for {case}", f"{array[worst]:.4f}", hint)


def _distinct(rng: np.random.Generator, size: int, alpha: float) -> np.ndarray:
    """A random distribution with no two equal probabilities."""
    while True:
        probs = rng.dirichlet(np.full(size, alpha))
        if np.unique(probs).size == size and probs.min() > 0:
            return probs


# --- q1: my_softmax --------------------------------------------------------------------------

FIXED_SOFTMAX = [([1.0, 2.0, 3.0], 1.0), ([1.0, 2.0, 3.0], 0.5), ([1000.0, 1001.0, 1002.0], 1.0), ([1.0, 3.0, 3.0], 0.0), ([-5.0, 2.0, 2.0, 0.0, 2.0], 0.0)]


def _scores(rng: np.random.Generator) -> np.ndarray:
    size = int(rng.integers(3, 60))
    scores = rng.normal(0, rng.choice([0.5, 2.0, 8.0]), size) + rng.choice([0.0, 0.0, 300.0, -300.0, 1000.0])
    return np.round(scores, 3)


def ask_q1(rng: np.random.Generator) -> list[dict]:
    cases = [(np.array(s), t) for s, t in FIXED_SOFTMAX]
    for _ in range(16):
        scores = _scores(rng)
        temperature = 0.0 if rng.random() < 0.2 else float(np.round(rng.uniform(0.05, 3.0), 3))
        if temperature == 0 and rng.random() < 0.6:
            scores[rng.choice(scores.size, 2, replace=False)] = scores.max() + 1.0  # a tie at the top
        cases.append((scores, temperature))
    return [calls("my_softmax", cases)]


def _raised_hint(call: Call) -> str:
    if call.args[1] == 0:
        return "At temperature 0 (greedy) you cannot divide by T: treat it as a separate case."
    return "Call it yourself with these scores to see where."


def judge_q1(reply: Reply) -> None:
    for call, got in reply.function("my_softmax", hint=_raised_hint):
        scores, temperature = np.asarray(call.args[0], dtype=float), call.args[1]
        case = f"scores {_show(scores)} at T={temperature:g}"
        array = _as_probabilities(got, scores.size, case)
        wanted = sampling.softmax(scores, temperature)
        if temperature == 0:
            hint = "At temperature 0 split the probability equally among the tied top scores." if (scores == scores.max()).sum() > 1 and np.count_nonzero(array) == 1 else "At temperature 0 (greedy) you cannot divide by T: put all the probability on the highest score."
        elif not np.all(np.isfinite(array)):
            hint = "Subtract the largest score before exp: np.exp(1000) overflows to inf."
        elif np.allclose(array, sampling.softmax(scores * temperature**2, temperature), atol=TOLERANCE) and temperature != 1:
            hint = "Divide the scores by the temperature; do not multiply."
        elif np.allclose(array, sampling.softmax(scores, 1.0), atol=TOLERANCE) and temperature != 1:
            hint = "The temperature changes the answer: divide the scores by it before exp."
        else:
            hint = "exp of each score divided by T, then divide by the total."
        _compare(array, wanted, case, hint)


# --- q2: my_top_k ---------------------------------------------------------------------------

def ask_q2(rng: np.random.Generator) -> list[dict]:
    cases = [(np.array([0.1, 0.6, 0.3]), 2)]
    for size, alpha in ((6, 1.0), (40, 0.3), (120, 0.1)):
        probs = _distinct(rng, size, alpha)
        for k in sorted({1, int(rng.integers(2, size)), size}):
            cases.append((probs, k))
    return [calls("my_top_k", cases)]


def _tokens(count: int) -> str:
    return f"{count} token{'s' * (count != 1)}"


def _kept_check(array: np.ndarray, probs: np.ndarray, count: int, case: str, count_hint: str) -> None:
    kept = np.flatnonzero(array)
    expect(kept.size == count, f"{_tokens(count)} kept for {case}", f"{_tokens(kept.size)} kept", count_hint)
    wanted = set(np.argsort(probs)[::-1][:count].tolist())
    if set(kept.tolist()) != wanted:
        smallest = set(np.argsort(probs)[:count].tolist())
        hint = "np.argsort sorts from smallest to largest: you kept the smallest." if set(kept.tolist()) == smallest else "Keep the most probable tokens: sort from the largest down."
        raise Mismatch(f"the {count} most probable tokens kept for {case}", f"tokens {sorted(kept.tolist())[:8]}", hint)


def judge_q2(reply: Reply) -> None:
    for call, got in reply.function("my_top_k"):
        probs, k = np.asarray(call.args[0], dtype=float), call.args[1]
        case = f"k={k} over {probs.size} tokens"
        array = _as_probabilities(got, probs.size, case)
        expect(bool(np.all(np.isfinite(array))), f"finite probabilities for {case}", "NaN or infinite values")
        _kept_check(array, probs, k, case, "Keep exactly k tokens.")
        _compare(array, sampling.top_k(probs, k), case, "Keep the k largest, zero the rest, renormalise.")


# --- q3: my_top_p ---------------------------------------------------------------------------

DYADIC = np.array([0.5, 0.25, 0.125, 0.125])  # running sums are exact in binary: 0.5, 0.75, 0.875, 1.0
MARGIN = 1e-6  # a random p stays this far from every running sum


def _threshold(rng: np.random.Generator, probs: np.ndarray) -> float:
    running = np.cumsum(np.sort(probs)[::-1])
    while True:
        p = float(np.round(rng.uniform(0.05, 0.98), 4))
        if np.min(np.abs(running - p)) > MARGIN and p < running[-1] - MARGIN:
            return p


def ask_q3(rng: np.random.Generator) -> list[dict]:
    cases = [(DYADIC, 0.75), (DYADIC, 1.0), (DYADIC, 0.5)]
    for size, alpha in ((6, 1.0), (40, 0.3), (120, 0.1)):
        probs = _distinct(rng, size, alpha)
        cases += [(probs, _threshold(rng, probs)) for _ in range(3)]
    return [calls("my_top_p", cases)]


def judge_q3(reply: Reply) -> None:
    for call, got in reply.function("my_top_p"):
        probs, p = np.asarray(call.args[0], dtype=float), call.args[1]
        case = f"p={p:g} over {_show(probs) if probs.size <= 6 else f'{probs.size} tokens'}"
        array = _as_probabilities(got, probs.size, case)
        expect(bool(np.all(np.isfinite(array))), f"finite probabilities for {case}", "NaN or infinite values")
        wanted = sampling.top_p(probs, p)
        _kept_check(array, probs, int(np.count_nonzero(wanted)), case, "Keep tokens, most probable first, until their total reaches p: the token that reaches it is kept, and reaching p exactly is enough.")
        _compare(array, wanted, case, "Sort from the largest down, accumulate, keep the smallest prefix reaching p, renormalise.")


# --- q4: my_entropy and entropies -------------------------------------------------------------

FIXED_ENTROPY = [[0.5, 0.5], [0.25, 0.25, 0.25, 0.25], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0, 0.0]]


@lru_cache(maxsize=4)
def _logits(prompt: str) -> np.ndarray:
    from aiopen.domain.lm import load_model

    return np.asarray(load_model().next_token_logits(prompt), dtype=float)


def ask_q4(rng: np.random.Generator) -> list[dict]:
    cases = [np.array(p) for p in FIXED_ENTROPY]
    for size in (5, 30, 200):
        probs = rng.dirichlet(np.full(size, 0.5))
        probs[rng.choice(size, size // 3, replace=False)] = 0.0
        cases.append(probs / probs.sum())
    return [calls("my_entropy", [(p,) for p in cases]), value("entropies")]


def _entropy_hint(got: float, wanted: float) -> str:
    if not math.isfinite(got):
        return "0 × log 0 counts as 0: leave the zero probabilities out of the sum."
    if wanted and math.isclose(got, -wanted, rel_tol=1e-3):
        return "Entropy is minus the sum of p × log2 p: keep the minus sign."
    if wanted and math.isclose(got, wanted * math.log(2), rel_tol=1e-3):
        return "That is in nats (natural log): use log2 for bits."
    if wanted and math.isclose(got, wanted * math.log10(2), rel_tol=1e-3):
        return "That is log10: entropy in bits uses log2."
    return "Sum p × log2 p over the tokens with p > 0, and change the sign."


def judge_q4(reply: Reply) -> None:
    for call, got in reply.function("my_entropy"):
        probs = np.asarray(call.args[0], dtype=float)
        wanted = sampling.entropy(probs)
        if isinstance(got, float) and math.isnan(got):
            raise Mismatch(f"{wanted:.4f} bits for {_show(probs)}", "nan", _entropy_hint(got, wanted))
        got = number(got, "my_entropy(...)")
        expect(abs(got - wanted) < TOLERANCE, f"{wanted:.4f} bits for {_show(probs)}", f"{got:.4f}", _entropy_hint(got, wanted))
    entropies = reply.value("entropies")
    expect(isinstance(entropies, dict), "`entropies` to be a dict: temperature -> entropy in bits", describe(entropies))
    numeric = {k: v for k, v in entropies.items() if isinstance(k, (int, float)) and not isinstance(k, bool)}
    expect(len(numeric) == len(entropies) and sorted(numeric) == sorted(TEMPERATURES), f"one entry per temperature in {TEMPERATURES} (numbers as keys)", f"keys {sorted(map(repr, entropies))}", "Use the temperatures themselves as keys.")
    for t in TEMPERATURES:
        wanted = sampling.entropy(sampling.softmax(_logits(PROMPT), t))
        got = number(entropies[t], f"entropies[{t}]")
        hint = _entropy_hint(got, wanted) if not math.isclose(got, wanted, abs_tol=1e-6) else ""
        if not hint or hint.startswith("Sum"):
            hint = "Compute each entry at its own temperature, with your my_softmax and my_entropy."
        expect(abs(got - wanted) < TOLERANCE, f"the entropy of the model's distribution at T={t} (to 1e-6)", f"{got:.4f} bits", hint)


# --- q5: nucleus_sizes ----------------------------------------------------------------------

def _nucleus(prompt: str, p: float = NUCLEUS_P, temperature: float = 1.0) -> int:
    return int(np.count_nonzero(sampling.top_p(sampling.softmax(_logits(prompt), temperature), p)))


def ask_q5(rng: np.random.Generator) -> list[dict]:
    return [value("nucleus_sizes")]


def judge_q5(reply: Reply) -> None:
    sizes = reply.value("nucleus_sizes")
    expect(isinstance(sizes, dict) and set(sizes) == set(PROMPTS), f"a dict with a count for each of {PROMPTS}", describe(sizes), "One entry per prompt in PROMPTS.")
    counts = {prompt: whole_number(sizes[prompt], f"nucleus_sizes[{prompt!r}]", "Count with np.count_nonzero.") for prompt in PROMPTS}
    wanted = {prompt: _nucleus(prompt) for prompt in PROMPTS}
    if counts == wanted:
        return
    mistakes = [
        ({prompt: _nucleus(prompt, p=0.5) for prompt in PROMPTS}, f"Those are the counts at top-p = 0.5: use p = {NUCLEUS_P}."),
        ({prompt: _nucleus(prompt, temperature=0.7) for prompt in PROMPTS}, "Those are the counts at T = 0.7: use the probabilities at temperature 1 (my_softmax's default)."),
        *(
            (dict.fromkeys(PROMPTS, wanted[prompt]), "Both counts are the same: use each prompt's own logits (model.next_token_logits(prompt)).")
            for prompt in PROMPTS
        ),
    ]
    hint = next((text for counts_, text in mistakes if counts_ == counts), "Each prompt's own logits, probabilities at temperature 1, top-p at 0.9, then count the non-zero entries.")
    prompt = next(q for q in PROMPTS if counts[q] != wanted[q])
    raise Mismatch(f"the number of tokens top-p={NUCLEUS_P} keeps after {prompt!r}", str(counts[prompt]), hint)


QUESTIONS = {
    "q1": Question(ask_q1, judge_q1),
    "q2": Question(ask_q2, judge_q2),
    "q3": Question(ask_q3, judge_q3),
    "q4": Question(ask_q4, judge_q4),
    "q5": Question(ask_q5, judge_q5),
}
