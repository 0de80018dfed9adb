"""aiopen.domain.sampling: temperature, top-k, top-p, entropy and sampling (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from aiopen.domain import sampling
from aiopen.domain.sampling import entropy, sample, softmax, top_k, top_p

# A real next-token score slice: SmolLM2's top-20 logits after "The capital of France is".
REFERENCE = json.loads((Path(__file__).parent / "data" / "lm_reference.json").read_text(encoding="utf-8"))
REAL_LOGITS = np.array(REFERENCE["cases"][0]["top_logits"])


def test_softmax_sums_to_one_and_keeps_order():
    probs = softmax(REAL_LOGITS, temperature=0.7)
    assert probs.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(np.diff(probs) <= 0)  # the logits are sorted high to low


def test_softmax_is_shift_invariant_and_matches_the_formula():
    logits = np.array([1.0, 2.0, 3.0])
    expected = np.exp(logits / 2) / np.exp(logits / 2).sum()
    np.testing.assert_allclose(softmax(logits + 1000, temperature=2.0), expected, rtol=1e-12)


def test_temperature_zero_is_greedy_and_shares_ties():
    np.testing.assert_array_equal(softmax(np.array([1.0, 5.0, 2.0]), 0), [0, 1, 0])
    np.testing.assert_array_equal(softmax(np.array([3.0, 1.0, 3.0]), 0), [0.5, 0, 0.5])


def test_entropy_rises_with_temperature_on_a_real_distribution():
    entropies = [entropy(softmax(REAL_LOGITS, t)) for t in (0, 0.25, 0.5, 1.0, 1.5, 2.0)]
    assert entropies[0] == 0
    assert all(a < b for a, b in zip(entropies, entropies[1:]))
    assert entropies[-1] < np.log2(REAL_LOGITS.size)


def test_entropy_in_bits():
    assert entropy(np.full(8, 1 / 8)) == pytest.approx(3.0)
    assert entropy(np.array([0.5, 0.5, 0.0])) == pytest.approx(1.0)


def test_top_k_one_is_greedy():
    probs = softmax(REAL_LOGITS)
    np.testing.assert_array_equal(top_k(probs, 1), softmax(REAL_LOGITS, 0))


def test_top_k_keeps_k_tokens_renormalised():
    probs = softmax(REAL_LOGITS)
    kept = top_k(probs, 3)
    assert np.count_nonzero(kept) == 3
    assert kept.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(kept[:3], probs[:3] / probs[:3].sum())
    np.testing.assert_allclose(top_k(probs, 1000), probs)  # k beyond the vocabulary keeps all


def test_top_k_breaks_ties_by_lower_index():
    np.testing.assert_array_equal(top_k(np.array([0.1, 0.3, 0.3, 0.3]), 2), [0, 0.5, 0.5, 0])


@pytest.mark.parametrize("p", [0.05, 0.5, 0.77, 0.8, 0.9, 0.99])
def test_top_p_keeps_the_smallest_set_reaching_p(p):
    probs = softmax(REAL_LOGITS)
    kept = top_p(probs, p)
    count = np.count_nonzero(kept)
    assert kept.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(kept[:count], probs[:count] / probs[:count].sum())
    assert probs[:count].sum() >= p  # enough mass ...
    assert count == 1 or probs[: count - 1].sum() < p  # ... and one token fewer would not be


def test_top_p_one_keeps_everything():
    probs = softmax(REAL_LOGITS)
    np.testing.assert_allclose(top_p(probs, 1.0), probs)


def test_unnormalised_input_is_normalised():
    np.testing.assert_allclose(top_k(np.array([2.0, 6.0, 2.0]), 1), [0, 1, 0])
    assert entropy(np.array([3.0, 3.0])) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "call",
    [
        lambda: softmax(np.array([1.0, 2.0]), temperature=-0.1),
        lambda: softmax(np.array([1.0, 2.0]), temperature=float("nan")),
        lambda: softmax(np.array([1.0, np.nan])),
        lambda: softmax(np.array([1.0, np.inf])),
        lambda: softmax(np.ones((2, 2))),
        lambda: softmax(np.array([])),
        lambda: top_k(np.array([0.5, 0.5]), 0),
        lambda: top_k(np.array([0.5, 0.5]), 1.5),
        lambda: top_p(np.array([0.5, 0.5]), 0),
        lambda: top_p(np.array([0.5, 0.5]), 1.01),
        lambda: top_p(np.array([0.5, 0.5]), "high"),
        lambda: top_p(np.array([0.5, -0.5]), 0.5),
        lambda: entropy(np.zeros(3)),
        lambda: entropy(np.array([[0.5, 0.5]])),
        lambda: sample(np.array([0.5, 0.5]), 0),
        lambda: sample(np.array([0.5, np.nan]), 1),
    ],
)
def test_bad_arguments_raise_a_plain_value_error(call):
    with pytest.raises(ValueError) as error:
        call()
    message = str(error.value)
    assert message[0].isupper() or message.startswith("top-")
    assert message.endswith(".")


def test_sample_is_reproducible_with_a_seed():
    probs = softmax(REAL_LOGITS)
    np.testing.assert_array_equal(sample(probs, 50, seed=7), sample(probs, 50, seed=7))
    assert not np.array_equal(sample(probs, 50, seed=7), sample(probs, 50, seed=8))


def test_sample_never_draws_a_zero_probability_token():
    draws = sample(np.array([0.0, 0.3, 0.0, 0.7, 0.0]), 5000, seed=1)
    assert set(draws.tolist()) == {1, 3}


def test_sample_frequencies_match_probabilities():
    """20,000 draws; every bin within 4 standard deviations of its expected count."""
    probs = softmax(REAL_LOGITS, temperature=1.5)
    n = 20_000
    counts = np.bincount(sample(probs, n, seed=2026), minlength=probs.size)
    sigma = np.sqrt(n * probs * (1 - probs))
    assert np.all(np.abs(counts - n * probs) <= 4 * sigma)


def test_ranked_scores_go_high_to_low_with_their_ids():
    logits = np.array([0.5, 2.0, -1.0, 2.0])
    scores, ids = sampling.ranked(logits)
    np.testing.assert_array_equal(ids, [1, 3, 0, 2])  # a tie keeps the lower id first
    np.testing.assert_array_equal(scores, logits[ids])


def test_reshape_is_softmax_then_top_k_then_top_p():
    scores, _ = sampling.ranked(REAL_LOGITS)
    shaped = sampling.reshape(scores, 0.7, 5, 0.9)
    expected = sampling.top_p(sampling.top_k(sampling.softmax(scores, 0.7), 5), 0.9)
    np.testing.assert_allclose(shaped.kept, expected)
    assert shaped.count == np.count_nonzero(expected) and shaped.entropy == pytest.approx(sampling.entropy(expected))
    assert shaped.entropy_before == pytest.approx(sampling.entropy(sampling.softmax(scores, 0.7)))
    kept, cut = shaped.bars(8)
    np.testing.assert_allclose(kept + cut, shaped.probs[:8])
    assert np.count_nonzero(kept) == min(shaped.count, 8) and not np.any(kept * cut)
    untouched = sampling.reshape(scores)
    assert untouched.count == scores.size and np.array_equal(untouched.kept, untouched.probs)
