"""Exercise 02 (sampling): wrong answers that must fail, correct variants that must pass."""

from __future__ import annotations

import math

import numpy as np
import pytest

from answer_tables import Case, assert_fails, assert_passes, table_tests

EXERCISE = "02_sampling"
PROMPT = "The capital of France is"
PROMPTS = ["The capital of France is", "My favourite food is"]
TEMPERATURES = [0, 0.25, 0.5, 1.0, 1.5, 2.0]


# --- q1: my_softmax -----------------------------------------------------------------------

def softmax_solution(logits, temperature=1.0):
    scores = np.asarray(logits, dtype=float)
    if temperature == 0:
        best = scores == scores.max()
        return best / best.sum()
    weights = np.exp((scores - scores.max()) / temperature)
    return weights / weights.sum()


def softmax_logsumexp(logits, temperature=1.0):
    scores = np.array(logits, dtype=float)
    if temperature == 0:
        top = np.isclose(scores, scores.max(), rtol=0, atol=0)
        return top / top.sum()
    scaled = scores / temperature
    log_total = scaled.max() + np.log(np.exp(scaled - scaled.max()).sum())
    return np.exp(scaled - log_total)


def softmax_list(logits, temperature=1.0):
    return [float(x) for x in softmax_solution(logits, temperature)]


def softmax_float32(logits, temperature=1.0):
    return softmax_solution(logits, temperature).astype(np.float32)


def softmax_naive(logits, temperature=1.0):
    if temperature == 0:
        return softmax_solution(logits, 0)
    weights = np.exp(np.asarray(logits, dtype=float) / temperature)
    return weights / weights.sum()


def softmax_times_t(logits, temperature=1.0):
    if temperature == 0:
        return softmax_solution(logits, 0)
    return softmax_solution(np.asarray(logits, dtype=float) * temperature * temperature, temperature)


def softmax_divides_by_zero(logits, temperature=1.0):
    scores = np.asarray(logits, dtype=float)
    weights = np.exp((scores - scores.max()) / temperature)
    return weights / weights.sum()


def softmax_greedy_no_ties(logits, temperature=1.0):
    if temperature == 0:
        out = np.zeros(len(logits))
        out[int(np.argmax(logits))] = 1.0
        return out
    return softmax_solution(logits, temperature)


def softmax_in_place(logits, temperature=1.0):
    if temperature == 0:
        return softmax_solution(logits, 0)
    logits -= logits.max()
    weights = np.exp(logits / temperature)
    return weights / weights.sum()


def softmax_unnormalised(logits, temperature=1.0):
    if temperature == 0:
        return softmax_solution(logits, 0)
    scores = np.asarray(logits, dtype=float)
    return np.exp((scores - scores.max()) / temperature)


def softmax_no_temperature(logits, temperature=1.0):
    return softmax_solution(logits, 1.0)


# --- q2: my_top_k -------------------------------------------------------------------------

def top_k_solution(probs, k):
    kept = np.zeros_like(probs)
    best = np.argsort(probs)[::-1][:k]
    kept[best] = probs[best]
    return kept / kept.sum()


def top_k_partition(probs, k):
    probs = np.asarray(probs, dtype=float)
    keep = np.argpartition(-probs, k - 1)[:k]
    out = np.zeros(probs.shape)
    out[keep] = probs[keep]
    return out / out.sum()


def top_k_threshold(probs, k):
    threshold = np.sort(probs)[-k]
    kept = np.where(probs >= threshold, probs, 0.0)
    return (kept / kept.sum()).tolist()


def top_k_ascending(probs, k):
    kept = np.zeros_like(probs)
    best = np.argsort(probs)[:k]
    kept[best] = probs[best]
    return kept / kept.sum()


def top_k_unnormalised(probs, k):
    kept = np.zeros_like(probs)
    best = np.argsort(probs)[::-1][:k]
    kept[best] = probs[best]
    return kept


def top_k_in_place(probs, k):
    probs[np.argsort(probs)[:-k]] = 0.0
    return probs / probs.sum()


def top_k_one_more(probs, k):
    return top_k_solution(probs, k + 1) if k < len(probs) else top_k_solution(probs, k)


def top_k_values_only(probs, k):
    best = np.sort(probs)[::-1][:k]
    return best / best.sum()


# --- q3: my_top_p -------------------------------------------------------------------------

def top_p_solution(probs, p):
    running = np.cumsum(np.sort(probs)[::-1])
    count = int(np.searchsorted(running, p * running[-1])) + 1
    return top_k_solution(probs, min(count, len(probs)))


def top_p_as_hinted(probs, p):
    """Written the way the hint says: sort, cumsum, the first position reaching p."""
    order = np.argsort(probs)[::-1]
    running = np.cumsum(probs[order])
    count = int(np.argmax(running >= p)) + 1
    kept = np.zeros_like(probs)
    kept[order[:count]] = probs[order[:count]]
    return kept / kept.sum()


def top_p_loop(probs, p):
    order = sorted(range(len(probs)), key=lambda i: -probs[i])
    kept, total = [], 0.0
    for index in order:
        kept.append(index)
        total += probs[index]
        if total >= p:
            break
    out = [0.0] * len(probs)
    for index in kept:
        out[index] = probs[index] / total
    return out


def top_p_one_too_many(probs, p):
    running = np.cumsum(np.sort(probs)[::-1])
    count = int(np.sum(running <= p)) + 1
    return top_k_solution(probs, min(count, len(probs)))


def top_p_one_too_few(probs, p):
    running = np.cumsum(np.sort(probs)[::-1])
    count = max(1, int(np.sum(running < p)))
    return top_k_solution(probs, count)


def top_p_unsorted(probs, p):
    running = np.cumsum(probs)
    keep = np.arange(len(probs)) <= int(np.argmax(running >= p - 1e-12))
    kept = np.where(keep, probs, 0.0)
    return kept / kept.sum()


def top_p_unnormalised(probs, p):
    result = top_p_solution(probs, p)
    return np.where(result > 0, probs, 0.0)


def top_p_in_place(probs, p):
    result = top_p_solution(probs, p)
    probs[result == 0] = 0.0
    return result


# --- q4: my_entropy and entropies ---------------------------------------------------------

def entropy_solution(probs):
    probs = np.asarray(probs, dtype=float)
    positive = probs[probs > 0]
    return float(-(positive * np.log2(positive)).sum())


def entropy_where(probs):
    probs = np.asarray(probs, dtype=float)
    return -np.sum(np.where(probs > 0, probs * np.log2(np.where(probs > 0, probs, 1.0)), 0.0))


def entropy_loop(probs):
    return -sum(p * math.log(p, 2) for p in probs if p > 0)


def entropy_nats(probs):
    probs = np.asarray(probs, dtype=float)
    positive = probs[probs > 0]
    return float(-(positive * np.log(positive)).sum())


def entropy_log10(probs):
    probs = np.asarray(probs, dtype=float)
    positive = probs[probs > 0]
    return float(-(positive * np.log10(positive)).sum())


def entropy_nan_on_zero(probs):
    probs = np.asarray(probs, dtype=float)
    with np.errstate(all="ignore"):
        return float(-(probs * np.log2(probs)).sum())


def entropy_no_minus(probs):
    return -entropy_solution(probs)


@pytest.fixture(scope="module")
def model():
    from aiopen.domain.lm import load_model

    return load_model()


def entropies_for(model, entropy_of, temperatures=TEMPERATURES):
    logits = model.next_token_logits(PROMPT)
    return {t: entropy_of(softmax_solution(logits, t)) for t in temperatures}


def sizes_for(model, p=0.9, temperature=1.0, prompts=PROMPTS):
    return {prompt: int(np.count_nonzero(top_p_solution(softmax_solution(model.next_token_logits(prompt), temperature), p))) for prompt in prompts}


WRONG = [
    Case("q1", "no-max-subtraction", {"my_softmax": softmax_naive}, "largest"),
    Case("q1", "multiplies-by-t", {"my_softmax": softmax_times_t}, "divide"),
    Case("q1", "zero-temperature-crash", {"my_softmax": softmax_divides_by_zero}, "temperature 0"),
    Case("q1", "greedy-ignores-ties", {"my_softmax": softmax_greedy_no_ties}, "tie"),
    Case("q1", "in-place", {"my_softmax": softmax_in_place}, "changed"),
    Case("q1", "unnormalised", {"my_softmax": softmax_unnormalised}, "sum"),
    Case("q1", "ignores-temperature", {"my_softmax": softmax_no_temperature}),
    Case("q2", "ascending-sort", {"my_top_k": top_k_ascending}, "smallest"),
    Case("q2", "unnormalised", {"my_top_k": top_k_unnormalised}, "sum"),
    Case("q2", "in-place", {"my_top_k": top_k_in_place}, "changed"),
    Case("q2", "one-more", {"my_top_k": top_k_one_more}, "kept for"),
    Case("q2", "values-only", {"my_top_k": top_k_values_only}, "one value per token"),
    Case("q3", "one-too-many", {"my_top_p": top_p_one_too_many}, "kept for"),
    Case("q3", "one-too-few", {"my_top_p": top_p_one_too_few}, "kept for"),
    Case("q3", "unsorted", {"my_top_p": top_p_unsorted}, "most probable"),
    Case("q3", "unnormalised", {"my_top_p": top_p_unnormalised}, "sum"),
    Case("q3", "in-place", {"my_top_p": top_p_in_place}, "changed"),
    Case("q4", "natural-log", {"my_entropy": entropy_nats}, "log2"),
    Case("q4", "log10", {"my_entropy": entropy_log10}, "bits"),
    Case("q4", "nan-on-zero", {"my_entropy": entropy_nan_on_zero}, "zero"),
    Case("q4", "no-minus-sign", {"my_entropy": entropy_no_minus}, "minus"),
]

RIGHT = [
    Case("q1", "solution", {"my_softmax": softmax_solution}),
    Case("q1", "logsumexp", {"my_softmax": softmax_logsumexp}),
    Case("q1", "list-output", {"my_softmax": softmax_list}),
    Case("q1", "float32-output", {"my_softmax": softmax_float32}),
    Case("q2", "solution", {"my_top_k": top_k_solution}),
    Case("q2", "argpartition", {"my_top_k": top_k_partition}),
    Case("q2", "threshold-list", {"my_top_k": top_k_threshold}),
    Case("q3", "solution", {"my_top_p": top_p_solution}),
    Case("q3", "as-the-hint-says", {"my_top_p": top_p_as_hinted}),
    Case("q3", "python-loop", {"my_top_p": top_p_loop}),
]


test_wrong_answer_fails, test_correct_variant_passes = table_tests(EXERCISE, WRONG, RIGHT)


MODEL_WRONG = {  # label -> (namespace from the model, diagnosis)
    "entropies-in-nats": (lambda m: {"my_entropy": entropy_solution, "entropies": entropies_for(m, entropy_nats)}, "log2"),
    "entropies-all-at-t1": (lambda m: {"my_entropy": entropy_solution, "entropies": dict.fromkeys(TEMPERATURES, entropies_for(m, entropy_solution, [1.0])[1.0])}, "T="),
    "entropies-string-keys": (lambda m: {"my_entropy": entropy_solution, "entropies": {str(t): v for t, v in entropies_for(m, entropy_solution).items()}}, "temperature"),
    "entropies-missing": (lambda m: {"my_entropy": entropy_solution}, ""),
    "sizes-at-p-0.5": (lambda m: {"nucleus_sizes": sizes_for(m, p=0.5)}, "0.9"),
    "sizes-at-t-0.7": (lambda m: {"nucleus_sizes": sizes_for(m, temperature=0.7)}, "temperature 1"),
    "sizes-same-logits": (lambda m: {"nucleus_sizes": dict.fromkeys(PROMPTS, sizes_for(m)[PROMPTS[0]])}, "own logits"),
    "sizes-off-by-one": (lambda m: {"nucleus_sizes": {k: v + 1 for k, v in sizes_for(m).items()}}, ""),
    "sizes-as-text": (lambda m: {"nucleus_sizes": {k: str(v) for k, v in sizes_for(m).items()}}, "whole number"),
    "sizes-one-prompt": (lambda m: {"nucleus_sizes": {PROMPTS[0]: sizes_for(m)[PROMPTS[0]]}}, "each"),
}

MODEL_RIGHT = {
    "entropy-solution": lambda m: {"my_entropy": entropy_solution, "entropies": entropies_for(m, entropy_solution)},
    "entropy-where": lambda m: {"my_entropy": entropy_where, "entropies": entropies_for(m, entropy_where)},
    "entropy-loop": lambda m: {"my_entropy": entropy_loop, "entropies": entropies_for(m, entropy_loop)},
    "entropies-float-keys": lambda m: {"my_entropy": entropy_solution, "entropies": {float(t): v for t, v in entropies_for(m, entropy_solution).items()}},
    "sizes-solution": lambda m: {"nucleus_sizes": sizes_for(m)},
    "sizes-numpy-ints": lambda m: {"nucleus_sizes": {k: np.int64(v) for k, v in sizes_for(m).items()}},
}


@pytest.mark.model
@pytest.mark.parametrize("label", MODEL_WRONG)
def test_wrong_answer_on_the_model_fails(label: str, model) -> None:
    make, diagnosis = MODEL_WRONG[label]
    question = "q4" if label.startswith("entrop") else "q5"
    assert_fails(EXERCISE, Case(question, label, make(model), diagnosis))


@pytest.mark.model
@pytest.mark.parametrize("label", MODEL_RIGHT)
def test_correct_variant_on_the_model_passes(label: str, model) -> None:
    question = "q4" if label.startswith("entrop") else "q5"
    assert_passes(EXERCISE, Case(question, label, MODEL_RIGHT[label](model)))
