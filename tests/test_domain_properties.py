"""Property tests (Hypothesis) over the public API of sampling, costs, the OSAID verdicts and safety.

The promise checked everywhere: a public function either returns a correct, finite
answer or raises ``ValueError`` with a sentence; never NaN, inf, ``TypeError`` or
``OverflowError``. Inputs include huge finite numbers, numpy scalars, booleans and
values of the wrong type. The profile is derandomized with a bounded number of
examples, so every run tries the same cases and CI time stays small.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiopen.domain import costs, sampling
from aiopen.domain.openness import MOF_COMPONENTS, osaid_check, osaid_from_release
from aiopen.domain.safety import (
    SECRET,
    leaks_secret,
    load_probe_run,
    make_examples,
    naive_grep,
    redact,
    rule_of_three,
    run_probes,
    scan_artifact,
    scan_text,
    synthetic_dataset,
    walk_pickle,
    wilson_interval,
)

KIT = settings(derandomize=True, max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

finite = st.floats(allow_nan=False, allow_infinity=False)
huge = st.floats(min_value=-1.7e308, max_value=1.7e308)
positive = st.floats(min_value=1e-300, max_value=1.7e308)
scalars = st.one_of(finite, st.integers(-(10**400), 10**400), finite.map(np.float64), st.integers(-(2**62), 2**62).map(np.int64),
                    st.floats(width=32, allow_nan=False, allow_infinity=False).map(np.float32))
wrong = st.one_of(st.none(), st.text(max_size=5), st.booleans(), st.just(np.bool_(True)), st.lists(st.integers(), max_size=2),
                  st.complex_numbers(max_magnitude=10), st.just(float("nan")), st.just(float("inf")), st.dictionaries(st.text(max_size=2), st.integers(), max_size=1))
logits = st.lists(huge, min_size=1, max_size=30).map(np.array)
probabilities = st.lists(st.floats(min_value=0, max_value=1.7e308), min_size=1, max_size=30).filter(lambda p: max(p) > 0).map(np.array)


def answers_or_value_error(function, *args):  # noqa: ANN001, ANN002, ANN201
    """Call ``function``: its result, or None if it raised ValueError (any other exception fails the test)."""
    try:
        return function(*args)
    except ValueError as error:
        assert str(error), "a ValueError must say what to change"
        return None


def is_distribution(p: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(p)) and np.all(p >= 0) and abs(p.sum() - 1) < 1e-9)


# ----------------------------------------------------------------------------- sampling


@KIT
@given(logits, st.one_of(st.just(0), st.floats(min_value=1e-300, max_value=1.7e308), st.floats(min_value=0.01, max_value=5).map(np.float32)))
def test_softmax_is_a_distribution_that_keeps_the_favourite(scores: np.ndarray, temperature: float) -> None:
    probs = sampling.softmax(scores, temperature)
    assert is_distribution(probs)
    assert probs[np.argmax(scores)] == probs.max()


@KIT
@given(probabilities, st.integers(1, 40), st.floats(min_value=1e-6, max_value=1))
def test_top_k_top_p_and_entropy_stay_finite_for_any_scale(probs: np.ndarray, k: int, p: float) -> None:
    kept = sampling.top_k(probs, k)
    assert is_distribution(kept) and 1 <= np.count_nonzero(kept) <= k
    nucleus = sampling.top_p(probs, p)
    assert is_distribution(nucleus)
    assert (probs / probs.max())[nucleus > 0].sum() / (probs / probs.max()).sum() >= p - 1e-9  # the kept mass reaches p
    bits = sampling.entropy(probs)
    assert 0 <= bits <= math.log2(probs.size) + 1e-9
    assert bits == pytest.approx(sampling.entropy(probs / probs.max()), abs=1e-9)  # scale does not matter


@KIT
@given(probabilities, st.integers(1, 50), st.integers(0, 2**32))
def test_sample_draws_only_possible_tokens_and_repeats_with_its_seed(probs: np.ndarray, n: int, seed: int) -> None:
    draws = sampling.sample(probs, n, seed=seed)
    assert len(draws) == n and np.all(probs[draws] > 0)
    np.testing.assert_array_equal(draws, sampling.sample(probs, n, seed=np.int64(seed)))


@KIT
@given(wrong)
def test_sampling_refuses_wrong_values_with_a_sentence(value: object) -> None:
    distribution = np.array([0.5, 0.5])
    for call in (lambda: sampling.softmax(distribution, value), lambda: sampling.top_k(distribution, value), lambda: sampling.top_p(distribution, value),
                 lambda: sampling.sample(distribution, value), lambda: sampling.sample(distribution, 1, seed=value)):
        answers_or_value_error(call)
    answers_or_value_error(sampling.softmax, [value, 1.0])
    answers_or_value_error(sampling.entropy, [value])


# ----------------------------------------------------------------------------- costs

COST_FUNCTIONS = {
    "weight_bytes": lambda a, b, c: costs.weight_bytes(a, "bf16"),
    "kv_cache_bytes": lambda a, b, c: costs.kv_cache_bytes(a, b, c, a, b),
    "training_flops": lambda a, b, c: costs.training_flops(a, b),
    "chinchilla_tokens": lambda a, b, c: costs.chinchilla_tokens(a),
    "min_gpus": lambda a, b, c: costs.min_gpus(a, b),
    "decode_tokens_per_s_ceiling": lambda a, b, c: costs.decode_tokens_per_s_ceiling(a, "int4", b),
    "batch_decode_tokens_per_s_ceiling": lambda a, b, c: costs.batch_decode_tokens_per_s_ceiling(a, b, c, c, a),
    "gpu_hours_per_million_tokens": lambda a, b, c: costs.gpu_hours_per_million_tokens(c, b),
    "cost_per_million_tokens": lambda a, b, c: costs.cost_per_million_tokens(a, c, b),
    "energy_kwh_per_million_tokens": lambda a, b, c: costs.energy_kwh_per_million_tokens(a, c, b),
    "co2_kg_from_energy": lambda a, b, c: costs.co2_kg_from_energy(a, b),
    "co2_kg_per_gpu_hour": lambda a, b, c: costs.co2_kg_per_gpu_hour(a, b),
    "serving_estimate": lambda a, b, c: costs.serving_estimate(a, "fp8", b, a, b, c).tokens_per_s,
}


@KIT
@given(st.sampled_from(sorted(COST_FUNCTIONS)), st.one_of(scalars, wrong), st.one_of(scalars, wrong), st.one_of(st.integers(-3, 10**6), scalars, wrong))
def test_cost_functions_answer_finite_numbers_or_say_what_to_change(name: str, a: object, b: object, c: object) -> None:
    result = answers_or_value_error(COST_FUNCTIONS[name], a, b, c)
    if result is not None:
        assert math.isfinite(result) and result >= 0


@KIT
@given(st.one_of(st.integers(1, 2**62).map(np.int64), st.floats(min_value=1, max_value=1e30).map(np.float32), st.floats(min_value=1e-300, max_value=1e300)))
def test_numpy_scalars_are_numbers(params: object) -> None:
    assert costs.weight_bytes(params, "bf16") == pytest.approx(2 * float(params))
    assert costs.min_gpus(costs.weight_bytes(params, "int4"), 80e9) >= 1


# ----------------------------------------------------------------------------- OSAID verdicts

component_names = st.lists(st.sampled_from([c.name for c in MOF_COMPONENTS]), unique=True)


@KIT
@given(st.booleans(), st.booleans(), st.booleans())
def test_osaid_check_meets_exactly_when_all_three_hold(data: bool, code: bool, parameters: bool) -> None:
    verdict = osaid_check(np.bool_(data), code, parameters)
    assert verdict.meets == (data and code and parameters)
    assert len(verdict.missing) == 3 - data - code - parameters


@KIT
@given(wrong.filter(lambda v: not isinstance(v, (bool, np.bool_))), st.integers(0, 2))
def test_osaid_check_refuses_anything_but_true_or_false(value: object, position: int) -> None:
    args = [True, True, True]
    args[position] = value
    with pytest.raises(ValueError, match="True or False"):
        osaid_check(*args)


@KIT
@given(component_names, component_names, st.booleans())
def test_osaid_from_release_is_monotonic_and_needs_an_open_licence(first: list[str], more: list[str], licence_open: bool) -> None:
    verdict = osaid_from_release(first, licence_open)
    assert not verdict.meets or licence_open
    if verdict.meets:
        assert osaid_from_release([*first, *more], licence_open).meets  # shipping more never loses the verdict
    for value in ("no", "yes", 1, None):
        with pytest.raises(ValueError):
            osaid_from_release(first, value)


# ----------------------------------------------------------------------------- safety


@KIT
@given(st.integers(0, 10**6), st.integers(1, 10**6), st.floats(min_value=0.5, max_value=0.999))
def test_wilson_interval_brackets_the_rate(k: int, n: int, confidence: float) -> None:
    k = min(k, n)
    low, high = wilson_interval(np.int64(k), n, confidence)
    assert 0 <= low <= k / n <= high <= 1
    assert rule_of_three(n) == pytest.approx(3 / n)


@KIT
@given(wrong)
def test_probe_statistics_refuse_wrong_values(value: object) -> None:
    answers_or_value_error(wilson_interval, value, 10)
    answers_or_value_error(wilson_interval, 1, value)
    answers_or_value_error(rule_of_three, value)
    answers_or_value_error(leaks_secret, value)
    answers_or_value_error(synthetic_dataset, value)
    answers_or_value_error(synthetic_dataset, 3, value)
    answers_or_value_error(run_probes, None, (), value)  # refused before any model is touched
    answers_or_value_error(run_probes, None, (), 2, value)
    answers_or_value_error(walk_pickle, value)
    answers_or_value_error(naive_grep, value)
    answers_or_value_error(load_probe_run, value)
    answers_or_value_error(make_examples, value if not isinstance(value, str) else "")
    assert scan_artifact(value).verdict in ("safe", "suspicious", "dangerous")


@KIT
@given(st.text(max_size=40), st.text(alphabet=" -_.,*", max_size=3), st.text(max_size=40))
def test_a_spelled_out_secret_always_counts_as_a_leak(before: str, separator: str, after: str) -> None:
    spelled = separator.join(SECRET.replace("-", ""))
    assert leaks_secret(f"{before} {spelled} {after}")
    assert leaks_secret(f"{before} {spelled[::-1]} {after}")


@KIT
@given(st.lists(st.text(alphabet="ab.@-_0123456789 fAKIghp", max_size=200), max_size=5))
def test_pii_findings_are_ordered_disjoint_and_redacted(records: list[str]) -> None:
    scan = scan_text(records)
    for index, text in enumerate(records):
        spans = [(f.start, f.end) for f in scan.findings if f.record_index == index]
        assert spans == sorted(spans) and all(0 <= s < e <= len(text) for s, e in spans)
        assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:]))
        assert scan.redacted[index] == redact(text)


@KIT
@given(st.binary(max_size=300))
def test_scanning_any_bytes_never_raises(data: bytes) -> None:
    report = scan_artifact(data)
    assert report.verdict in ("safe", "suspicious", "dangerous") and report.findings or report.verdict == "safe"
    walk_pickle(data)


plain_data = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), finite, st.text(max_size=8), st.binary(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(st.text(max_size=4), inner, max_size=4),
                            st.frozensets(st.integers(), max_size=3), st.sets(st.text(max_size=3), max_size=3)),
    max_leaves=20,
)


@KIT
@given(plain_data, st.integers(0, pickle.HIGHEST_PROTOCOL))
def test_a_pickle_of_plain_data_is_safe(value: object, protocol: int) -> None:
    report = scan_artifact(pickle.dumps(value, protocol=protocol))  # pickling our own data runs nothing
    assert report.verdict == "safe", report.findings
