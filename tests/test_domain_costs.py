"""aiopen.domain.costs: the worked examples of facts.md sections 1c and 2, and plain-language errors."""

from __future__ import annotations

import math

import pytest

from aiopen.domain import costs

KIB = 1024
GIB = 2**30
LLAMA31_8B = 8_030_261_248
H100_SXM_BANDWIDTH = 3.35e12


def test_llama31_8b_bf16_weights_are_about_16_gb():
    assert costs.weight_bytes(LLAMA31_8B, "bf16") == LLAMA31_8B * 2
    assert round(costs.weight_bytes(LLAMA31_8B, "bf16") / 1e9, 2) == 16.06


@pytest.mark.parametrize(("precision", "gb"), [("bf16", 16.1), ("int8", 8.0), ("int4", 4.0)])
def test_llama31_8b_weight_sizes_match_facts(precision, gb):
    assert round(costs.weight_bytes(LLAMA31_8B, precision) / 1e9, 1) == gb


@pytest.mark.parametrize(
    ("params", "bf16_gb", "int4_gb"),
    [(70_553_706_496, 141.1, 35.3), (405_853_388_800, 811.7, 202.9)],
)
def test_big_llama_weight_sizes_match_facts(params, bf16_gb, int4_gb):
    assert round(costs.weight_bytes(params, "bf16") / 1e9, 1) == bf16_gb
    assert round(costs.weight_bytes(params, "int4") / 1e9, 1) == int4_gb


def test_bytes_per_param_table():
    assert costs.BYTES_PER_PARAM == {"fp32": 4, "bf16": 2, "fp16": 2, "fp8": 1, "int8": 1, "int4": 0.5}


@pytest.mark.parametrize(
    ("layers", "kv_heads", "kib_per_token"),
    [(32, 8, 128), (32, 32, 512), (80, 8, 320), (126, 8, 504)],  # Llama 3.1 8B, Llama 2 7B, 70B, 405B
)
def test_kv_cache_per_token_matches_facts(layers, kv_heads, kib_per_token):
    assert costs.kv_cache_bytes(layers, kv_heads, 128, tokens=1) == kib_per_token * KIB


def test_kv_cache_scales_with_tokens_batch_and_precision():
    per_token = costs.kv_cache_bytes(32, 8, 128, 1)
    assert costs.kv_cache_bytes(32, 8, 128, 8192) == 1 * GIB
    assert costs.kv_cache_bytes(32, 8, 128, 128 * 1024) == 16 * GIB
    assert costs.kv_cache_bytes(32, 8, 128, 10, batch=4) == 40 * per_token
    assert costs.kv_cache_bytes(32, 8, 128, 1, precision="fp32") == 2 * per_token


def test_decode_ceiling_llama31_8b_on_h100():
    assert round(costs.decode_tokens_per_s_ceiling(LLAMA31_8B, "bf16", H100_SXM_BANDWIDTH)) == 209
    assert round(costs.decode_tokens_per_s_ceiling(LLAMA31_8B, "int4", H100_SXM_BANDWIDTH)) == 834


def test_decode_ceiling_70b_int4_on_one_h100_is_95():
    assert round(costs.decode_tokens_per_s_ceiling(70_553_706_496, "int4", H100_SXM_BANDWIDTH)) == 95


def test_gpt3_training_flops_check():
    assert f"{costs.training_flops(174.6e9, 300e9):.2e}" == "3.14e+23"


def test_derived_training_flops_examples():
    assert costs.training_flops(70e9, 2e12) == pytest.approx(8.4e23)
    assert costs.training_flops(405.85e9, 15.6e12) == pytest.approx(3.8e25, rel=0.01)


def test_chinchilla_70b_is_1_4t_tokens():
    assert costs.chinchilla_tokens(70e9) == pytest.approx(1.4e12)
    assert 15e12 / LLAMA31_8B / costs.CHINCHILLA_TOKENS_PER_PARAM == pytest.approx(93, abs=1)


def test_llama2_kg_co2_per_gpu_hour_is_0_163():
    assert round(costs.co2_kg_per_gpu_hour(539.00, 3_311_616), 3) == 0.163
    assert round(costs.co2_kg_per_gpu_hour(24.7, 1_082_990), 4) == 0.0228  # BLOOM


def test_min_gpus_rounds_up():
    assert costs.min_gpus(811.7e9, 80e9) == 11
    assert costs.min_gpus(80e9, 80e9) == 1
    assert costs.min_gpus(80e9 + 1, 80e9) == 2


def test_cost_energy_and_co2_per_million_tokens():
    # One GPU making 1,000,000 / 3600 tokens/s spends exactly one GPU-hour per million tokens.
    rate = 1e6 / 3600
    assert costs.gpu_hours_per_million_tokens(1, rate) == pytest.approx(1)
    assert costs.cost_per_million_tokens(4.916, 1, rate) == pytest.approx(4.916)
    assert costs.cost_per_million_tokens(2.0, 8, rate) == pytest.approx(16.0)
    assert costs.energy_kwh_per_million_tokens(700, 1, rate) == pytest.approx(0.7)
    assert costs.co2_kg_from_energy(0.7, 0.429) == pytest.approx(0.3003)
    assert costs.cost_per_million_tokens(0, 1, rate) == 0


def test_bloom_energy_is_gpu_hours_times_tdp():
    assert costs.co2_kg_from_energy(433_196, 0.057) == pytest.approx(24_692, rel=1e-3)
    assert 1_082_990 * 0.4 == pytest.approx(433_196)


def test_batch_ceiling_reduces_to_the_batch1_formula():
    weights = costs.weight_bytes(LLAMA31_8B, "bf16")
    batch1 = costs.decode_tokens_per_s_ceiling(LLAMA31_8B, "bf16", H100_SXM_BANDWIDTH)
    assert costs.batch_decode_tokens_per_s_ceiling(weights, 0, 1, 1, H100_SXM_BANDWIDTH) == pytest.approx(batch1)
    with_kv = costs.batch_decode_tokens_per_s_ceiling(weights, 1 * GIB, 1, 1, H100_SXM_BANDWIDTH)
    assert with_kv < batch1
    assert costs.batch_decode_tokens_per_s_ceiling(weights, 0, 8, 1, H100_SXM_BANDWIDTH) == pytest.approx(8 * batch1)


def test_serving_estimate_405b_on_h100():
    estimate = costs.serving_estimate(405_853_388_800, "bf16", 80e9, H100_SXM_BANDWIDTH)
    assert estimate.gpus == 11
    assert estimate.kv_bytes == 0
    assert estimate.batch1_tokens_per_s == pytest.approx(11 * H100_SXM_BANDWIDTH / 811.7067776e9)
    with_kv = costs.serving_estimate(LLAMA31_8B, "bf16", 16e9, 320e9, kv_bytes=1 * GIB)
    assert with_kv.gpus == 2 and with_kv.total_bytes == pytest.approx(LLAMA31_8B * 2 + GIB)


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "7B", None, True])
def test_bad_parameter_counts_raise_plain_value_errors(bad):
    with pytest.raises(ValueError, match="number of parameters"):
        costs.weight_bytes(bad, "bf16")


def test_unknown_precision_suggests_a_close_one():
    with pytest.raises(ValueError, match="Did you mean bf16"):
        costs.weight_bytes(1e9, "bf61")
    with pytest.raises(ValueError, match="choose one of fp32, bf16"):
        costs.bytes_per_param("int3.5x")


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: costs.kv_cache_bytes(32, 8, 128, 0), "number of tokens"),
        (lambda: costs.kv_cache_bytes(32, 8, 128, 10, batch=-1), "batch size"),
        (lambda: costs.kv_cache_bytes(32.5, 8, 128, 10), "whole number"),
        (lambda: costs.min_gpus(1e9, 0), "GPU memory"),
        (lambda: costs.decode_tokens_per_s_ceiling(1e9, "bf16", float("nan")), "memory bandwidth"),
        (lambda: costs.cost_per_million_tokens(-1, 1, 10), "price"),
        (lambda: costs.energy_kwh_per_million_tokens(700, 1, 0), "throughput"),
        (lambda: costs.co2_kg_from_energy(1, -0.1), "carbon intensity"),
        (lambda: costs.training_flops(1e9, 0), "training tokens"),
        (lambda: costs.chinchilla_tokens(-5), "number of parameters"),
    ],
)
def test_bad_values_raise_value_errors_with_words(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_results_are_finite_at_extremes():
    one_trillion = costs.serving_estimate(1e12, "fp32", 16e9, 320e9, kv_bytes=costs.kv_cache_bytes(126, 8, 128, 1_000_000, 1024))
    assert one_trillion.gpus > 1000
    assert math.isfinite(one_trillion.tokens_per_s) and one_trillion.tokens_per_s > 0
