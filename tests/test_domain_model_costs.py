"""aiopen.domain.model_costs and costs.inference_estimate: the figures the cost views show,
computed without a widget (so exports, exercises and any front end get the same numbers)."""

from __future__ import annotations

import datetime
import math

import pytest

from aiopen.domain import costs, data
from aiopen.domain import model_costs as mc
from aiopen.domain import openness as o
from aiopen.domain import wording

H100 = data.gpu("H100 SXM")
DAY = datetime.date(2026, 11, 30)


def test_inference_estimate_is_the_arithmetic_of_costs():
    kv = costs.kv_cache_bytes(32, 8, 128, 8192)
    estimate = costs.inference_estimate(8.03e9, "bf16", H100.memory_bytes, H100.bandwidth_bytes_per_s, 2.0, kv, batch=4,
                                        power_watts=700, kg_co2_per_kwh=0.4)
    serving = costs.serving_estimate(8.03e9, "bf16", H100.memory_bytes, H100.bandwidth_bytes_per_s, kv, 4)
    assert estimate.serving == serving
    hours = costs.gpu_hours_per_million_tokens(serving.gpus, serving.tokens_per_s)
    assert estimate.gpu_hours_per_million_tokens == hours
    assert estimate.cost_per_million_tokens == pytest.approx(2.0 * hours)
    assert estimate.energy_kwh_per_million_tokens == pytest.approx(0.7 * hours)
    assert estimate.co2_kg_per_million_tokens == pytest.approx(0.4 * 0.7 * hours) and estimate.co2_basis == "kWh"
    assert estimate.weights_gb == pytest.approx(16.06) and estimate.memory_axis_gb == H100.memory_gb


@pytest.mark.parametrize(
    ("power", "per_kwh", "per_gpu_hour", "basis"),
    [(700, 0.4, None, "kWh"), (None, 0.4, 0.3, "GPU-hour"), (700, None, 0.3, "GPU-hour"), (None, 0.4, None, None), (700, None, None, None)],
)
def test_co2_uses_energy_when_it_can_else_device_hours(power, per_kwh, per_gpu_hour, basis):
    estimate = costs.inference_estimate(1e9, "bf16", H100.memory_bytes, H100.bandwidth_bytes_per_s, 1.0, power_watts=power,
                                        kg_co2_per_kwh=per_kwh, kg_co2_per_gpu_hour=per_gpu_hour)
    assert estimate.co2_basis == basis
    assert (estimate.co2_kg_per_million_tokens is None) == (basis is None)
    if basis == "GPU-hour":
        assert estimate.co2_kg_per_million_tokens == pytest.approx(per_gpu_hour * estimate.gpu_hours_per_million_tokens)


def test_the_calculators_report_reproduces_the_llama31_8b_example():
    report = mc.inference_report("Llama 3.1 8B", 0, "bf16", "H100 SXM", 8192, 1, data.default_price("H100 SXM").price_per_gpu_hour, today=DAY)
    rows = dict(report.rows)
    assert report.estimate.weights_gb == pytest.approx(16.06, abs=0.01) and report.estimate.kv_gb == pytest.approx(2**30 / 1e9)
    assert rows["Decode ceiling, 1 sequence"] == "209 tokens/s" and rows["H100 SXMs needed"] == "1 x 80 GB"
    assert rows["Energy per million tokens"].endswith("kWh at 700 W per GPU")
    assert report.warning and report.message.startswith("STALE PRICE") and "valid until 1 Jan 2025" in report.message
    assert "16.06 GB" not in report.caption and wording.size(report.estimate.serving.total_bytes) in report.caption


def test_a_custom_size_borrows_the_nearest_published_shape():
    report = mc.inference_report(None, 2e11, "bf16", "H100 SXM", 8192, 1, 2.0, today=DAY)
    assert "borrows the shape of Llama 3.1 405B" in report.notes[0] and "(derived)" in report.notes[0]
    assert mc.nearest_architecture(2e11).name == "Llama 3.1 405B"
    assert not report.warning  # a price of one's own is never stale


def test_carbon_rows_say_which_intensity_they_used():
    grids = {c.name: c for c in data.carbon_intensities()}
    for grid in grids.values():
        report = mc.inference_report("Llama 3.1 8B", 0, "bf16", "H100 SXM", 8192, 1, 2.0, grid, today=DAY)
        co2 = dict(report.rows)["CO2 per million tokens"]
        estimate = report.estimate
        if estimate.co2_basis == "kWh":
            assert co2 == f"{estimate.co2_kg_per_million_tokens:,.3g} kg at {grid.kg_co2_per_kwh:g} kg/kWh"
        elif estimate.co2_basis == "GPU-hour":
            assert co2 == f"{estimate.co2_kg_per_million_tokens:,.3g} kg at {grid.kg_co2_per_gpu_hour:g} kg/GPU-hour"
        else:
            assert co2 == "needs a power figure for this GPU"
        assert report.notes[-1].startswith(f"CO2: {grid.name} (")


@pytest.mark.parametrize(("context", "batch", "price", "words"), [(0, 1, 1.0, "at least 1"), (8192, -3, 1.0, "at least 1"),
                                                                   (8192, 1, -1.0, "zero or more"), (8192, 1, float("nan"), "zero or more")])
def test_bad_calculator_input_is_a_sentence(context, batch, price, words):
    with pytest.raises(ValueError, match=words):
        mc.inference_report("Llama 3.1 8B", 0, "bf16", "H100 SXM", context, batch, price, today=DAY)


def test_more_than_one_server_and_a_free_price_are_said():
    report = mc.inference_report(None, 1e12, "bf16", "T4", 1_000_000, 1024, 0.0, today=DAY)
    assert report.estimate.serving.gpus > mc.MANY_GPUS
    assert "more than one 8-GPU server" in report.message and "A price of $0" in report.message
    assert math.isfinite(report.estimate.kv_gb)


def test_same_size_allows_only_the_sliders_rounding():
    params = data.model("Llama 3.1 8B").params
    assert mc.same_size(params, params) and mc.same_size(params * 10 ** (mc.SIZE_STEP / 2), params)
    assert not mc.same_size(params * 1.01, params) and not mc.same_size(0, params)


def test_training_points_follow_the_data():
    groups, missing = mc.training_points("gpu_hours")
    shown = [m for models in groups.values() for m in models]
    published = [m for m in data.models() if m.params and m.gpu_hours]
    assert sorted(m.name for m in shown) == sorted(m.name for m in published)
    assert sorted(missing) == sorted(m.name for m in data.models() if m not in published)
    for category, models in groups.items():
        assert all(o.category_of(m.release) == category for m in models)


def test_training_caption_counts_and_ends_from_the_data():
    caption = mc.training_caption("co2_t", "legend")
    with_co2 = [m for m in data.models() if m.params and m.co2_t]
    smallest = min(with_co2, key=lambda m: m.params)
    assert f"Log-log scatter of {len(with_co2)} published models" in caption
    assert f"from {wording.short(smallest.params)} parameters at {smallest.co2_t:,.1f} t CO2eq" in caption
    assert "legend." in caption and "compare orders of magnitude" in caption
    assert "A100" in mc.training_caption("gpu_hours", "legend")
    with pytest.raises(ValueError, match="training figure"):
        mc.training_points("vibes")


def test_the_comparison_lists_what_is_not_published():
    comparison = mc.compare("SmolLM2-135M", "Llama 3.1 405B", "bf16", "H100 SXM")
    small, big = data.model("SmolLM2-135M"), data.model("Llama 3.1 405B")
    assert comparison.small[0] == pytest.approx(costs.weight_bytes(small.params, "bf16") / 1e9)
    assert comparison.big[3:] == (big.gpu_hours, big.co2_t)
    assert small.gpu_hours is None and small.co2_t is None  # SmolLM2 publishes neither
    assert comparison.small[3:] == (None, None)
    assert comparison.missing == (f"Training GPU-hours of {small.name}", f"Training CO2eq, t of {small.name}")
    assert f"({comparison.big[0] / comparison.small[0]:,.0f}x)" in comparison.caption
    assert mc.compare("SmolLM2-135M", "SmolLM2-135M", "bf16", "T4").labels == ("SmolLM2-135M (small)", "SmolLM2-135M (big)")
    assert "two different models" in mc.compare("SmolLM2-135M", "SmolLM2-135M", "bf16", "T4").message
    assert "is bigger than" in mc.compare("Llama 3.1 405B", "SmolLM2-135M", "bf16", "T4").message


@pytest.mark.parametrize(
    ("function", "value", "text"),
    [(wording.short, 1.71e9, "1.71B"), (wording.short, 950, "950"), (wording.size, 16.06e9, "16.06 GB (14.96 GiB)"),
     (wording.size, 2**20, "1.0 MiB"), (wording.rate, 209.4, "209"), (wording.rate, 3.14159, "3.1"), (wording.percent, 0.123, "12 %")],
)
def test_wording_of_figures(function, value, text):
    assert function(value) == text


def test_wording_of_lists():
    assert wording.names(["a"]) == "a" and wording.names(["a", "b", "c"]) == "a, b and c"
    assert wording.first(list("abcde"), 3) == ["a", "b", "c", "... and 2 more"] and wording.first(list("abc"), 3) == ["a", "b", "c"]
    assert wording.condensed(list("abcde")) == "a, b, c, +2 more" and wording.condensed(list("abcd")) == "a, b, c, d"
    assert wording.clipped("x" * 100, 10) == "x" * 9 + "…" and wording.clipped(None) == ""
