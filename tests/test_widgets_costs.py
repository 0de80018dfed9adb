"""The "one size does not fit all" widgets, driven in-kernel: every control redraws, extremes give messages."""

from __future__ import annotations

import datetime
import math

import plotly.graph_objects as go
import pytest

from aiopen.domain import data
from aiopen.domain import openness as o
from aiopen.widgets import costs as w


def figure_state(fig: go.FigureWidget) -> str:
    return fig.to_json()


def assert_no_error(widget) -> None:
    assert "aiopen-error" not in widget.status.value, widget.status.value


@pytest.fixture(scope="module")
def chart():
    return w.training_cost_chart()


@pytest.fixture
def calculator():
    return w.inference_calculator()


@pytest.fixture
def comparison():
    return w.small_vs_big()


def test_chart_fits_a_slide_and_has_a_caption(chart):
    assert chart.figure.layout.width <= 1000 and chart.figure.layout.height <= 420
    assert "Log-log scatter" in chart.caption.value
    assert chart.figure.layout.xaxis.type == "log" and chart.figure.layout.yaxis.type == "log"


def test_chart_uses_distinct_colours_and_symbols(chart):
    styles = {(t.marker.color, t.marker.symbol) for t in chart.figure.data}
    assert len(styles) == len(chart.figure.data)
    assert len({t.marker.symbol for t in chart.figure.data}) == len(chart.figure.data)


def test_chart_toggle_switches_y_to_reported_co2(chart):
    chart.y_axis.value = "Training GPU-hours"
    before = figure_state(chart.figure)
    hours = sorted(y for t in chart.figure.data for y in t.y)
    chart.y_axis.value = "Reported CO2 (t)"
    assert figure_state(chart.figure) != before
    co2 = sorted(y for t in chart.figure.data for y in t.y)
    assert 8930 in co2 and 30.84e6 in hours
    assert "CO2" in chart.figure.layout.yaxis.title.text
    assert "Reported CO2" in chart.caption.value and "Not shown" in chart.caption.value
    assert_no_error(chart)


def test_chart_hover_shows_source_and_verification(chart):
    chart.y_axis.value = "Training GPU-hours"
    texts = [text for t in chart.figure.data for text in t.hovertext]
    phi2 = next(text for text in texts if "Phi-2" in text)
    assert "Source: huggingface.co/microsoft/phi-2" in phi2 and "(derived)" in phi2
    assert all("Source:" in text for text in texts)


def test_chart_groups_by_openness(chart):
    chart.y_axis.value = "Training GPU-hours"
    by_name = {t.name: t for t in chart.figure.data}
    published = [m for m in data.models() if m.params and m.gpu_hours]
    for category, label in o.CATEGORY_LABELS.items():
        assert len(by_name[label].x) == sum(o.category_of(m.release) == category for m in published), label
    assert "GPT-3 175B" in by_name[o.CATEGORY_LABELS["closed"]].text


@pytest.mark.parametrize(
    ("control", "value"),
    [("precision", "int4"), ("context", 131072), ("batch", 16), ("gpu", "L4"), ("model", "Llama 2 7B"), ("params", 3e10)],
)
def test_calculator_every_figure_control_redraws(calculator, control, value):
    before = figure_state(calculator.figure)
    getattr(calculator, control).value = value
    assert figure_state(calculator.figure) != before
    assert_no_error(calculator)


@pytest.mark.parametrize(("control", "value"), [("price", 2.0), ("carbon", None)])
def test_calculator_price_and_carbon_change_the_results(calculator, control, value):
    if control == "carbon":
        value = data.carbon_intensities()[0]
    before = calculator.results.value
    getattr(calculator, control).value = value
    assert calculator.results.value != before


def test_calculator_reproduces_the_llama31_8b_example(calculator):
    assert calculator.figure.data[0].x[0] == pytest.approx(16.06, abs=0.01)
    assert calculator.figure.data[1].x[0] == pytest.approx(2**30 / 1e9)  # 1 GiB at 8,192 tokens
    assert "209 tokens/s" in calculator.results.value
    assert "$4.92/GPU-hour" in calculator.assumptions.value and "Capacity Blocks" in calculator.assumptions.value
    assert calculator.figure.layout.shapes[0].x0 == 80


def test_calculator_custom_size_says_how_kv_is_estimated(calculator):
    calculator.params.value = 2e11
    assert calculator.model.value == w.CUSTOM
    assert "borrows the shape of Llama 3.1 405B" in calculator.assumptions.value
    assert "assumption" in calculator.assumptions.value


def test_calculator_model_without_architecture_skips_kv(calculator):
    calculator.model.value = "Mistral 7B"
    assert calculator.params.value == pytest.approx(7.3e9)
    assert calculator.model.value == "Mistral 7B"  # setting the slider from the dropdown keeps the pick
    assert "KV cache not included" in calculator.assumptions.value
    assert calculator.figure.data[1].x[0] == 0


def test_calculator_gpu_change_loads_the_dated_default_price(calculator):
    calculator.price.value = 1.0
    calculator.gpu.value = "A100 40GB"
    assert calculator.price.value == 1.844
    calculator.gpu.value = "L4"
    assert calculator.price.value == 1.844  # no sourced L4 price: the user's value stays
    assert "no sourced price for L4" in calculator.assumptions.value
    assert "kWh at 72 W per GPU" in calculator.results.value


def test_calculator_extremes_give_messages_not_tracebacks(calculator):
    calculator.gpu.value = "T4"
    calculator.params.value = 1e12
    calculator.batch.value = 1024
    calculator.context.value = 1_000_000
    calculator.price.value = 0.0
    assert "more than one 8-GPU server" in calculator.status.value
    assert "$0" in calculator.status.value
    assert math.isfinite(calculator.figure.data[1].x[0])
    assert_no_error(calculator)


@pytest.mark.parametrize(
    ("control", "value", "words"),
    [("context", 0, "at least 1"), ("batch", -3, "at least 1"), ("price", -1.0, "zero or more"), ("price", float("nan"), "zero or more")],
)
def test_calculator_bad_input_shows_a_plain_warning(calculator, control, value, words):
    getattr(calculator, control).value = value
    assert "aiopen-warning" in calculator.status.value and words in calculator.status.value


def test_calculator_recovers_after_bad_input(calculator):
    calculator.context.value = 0
    calculator.context.value = 4096
    assert "at least 1" not in calculator.status.value and "aiopen-error" not in calculator.status.value
    calculator.price.value = 2.0  # a price of your own is not stale
    assert "aiopen-warning" not in calculator.status.value


def test_calculator_flags_a_default_price_past_its_validity(calculator):
    default = data.default_price("H100 SXM")
    assert default.is_stale(datetime.date.today())  # valid until 1 Jan 2025
    assert calculator.price.value == default.price_per_gpu_hour
    assert "aiopen-warning" in calculator.status.value and "STALE PRICE" in calculator.status.value
    assert "valid until 1 Jan 2025" in calculator.status.value and "stale" in calculator.assumptions.value
    calculator.gpu.value = "A100 40GB"
    assert "STALE PRICE" in calculator.status.value and "A100 40GB" in calculator.status.value


def test_small_vs_big_defaults_and_labels(comparison):
    small, big = comparison.figure.data[0].y
    assert small == pytest.approx(0.269, abs=0.001) and big == pytest.approx(811.7, abs=0.1)
    assert [trace.y[1] for trace in comparison.figure.data[3:]] == [30.84e6, 8930]
    assert "not<br>published" in comparison.figure.to_json().replace("\\u003c", "<").replace("\\u003e", ">")
    says = comparison.children[1].value
    assert "less general" in says and "good enough" in says and "much higher cost and carbon" in says


@pytest.mark.parametrize(("control", "value"), [("small", "Llama 3.1 8B"), ("big", "Llama 3.1 70B"), ("precision", "int4"), ("gpu", "T4")])
def test_small_vs_big_every_control_redraws(comparison, control, value):
    before = figure_state(comparison.figure)
    getattr(comparison, control).value = value
    assert figure_state(comparison.figure) != before
    assert_no_error(comparison)


def test_small_vs_big_same_model_twice_is_explained(comparison):
    comparison.big.value = "SmolLM2-135M"
    assert "two different models" in comparison.status.value
    assert len(set(comparison.figure.data[0].x)) == 2


def test_small_vs_big_405b_on_a_t4_is_sane(comparison):
    comparison.gpu.value = "T4"
    comparison.precision.value = "fp32"
    assert comparison.figure.data[1].y[1] == math.ceil(405_853_388_800 * 4 / 16e9)
    assert_no_error(comparison)


def test_another_gpu_brings_its_price_and_one_new_report(calculator):
    reports = []
    calculator.observe(reports.append, "report")
    calculator.gpu.value = "A100 40GB"
    assert len(reports) == 1 and reports[0]["new"].gpu.name == "A100 40GB"
    assert calculator.report.estimate.cost_per_million_tokens == pytest.approx(
        data.default_price("A100 40GB").price_per_gpu_hour * calculator.report.estimate.gpu_hours_per_million_tokens)


def test_picking_a_model_moves_the_size_and_stays_picked(calculator):
    reports = []
    calculator.observe(reports.append, "report")
    calculator.model.value = "Llama 3.1 70B"
    assert calculator.params.value == data.model("Llama 3.1 70B").params and calculator.model.value == "Llama 3.1 70B"
    assert len(reports) == 1


@pytest.mark.parametrize("state", [{"max": 400, "value": 1e300}, {"min": -400, "value": 1e-300}, {"base": 1e6, "value": 1e300}])
def test_a_comm_update_cannot_widen_the_size_slider(calculator, state):
    """A browser can send any synced trait; the log slider's exponents (8 to 12) and base hold in the kernel."""
    calculator.params.set_state(state)
    assert (calculator.params.min, calculator.params.max, calculator.params.base) == (8, 12, 10)
    assert 1e8 <= calculator.params.value <= 1e12 and "GB" in calculator.results.value
