"""The benchmark and tuning views, driven in-kernel: each control redraws, captions follow."""

from __future__ import annotations

from aiopen.domain import tradeoffs as t
from aiopen.widgets import tradeoffs as w


def test_benchmark_chart_redraws_for_the_other_variant():
    chart = w.benchmark_chart()
    assert chart.figure.layout.width <= 1180 and chart.figure.layout.height <= 380
    before = chart.figure.to_json()
    assert [trace.name for trace in chart.figure.data] == t.models()
    chart.variant.value = "base"
    assert chart.figure.to_json() != before
    assert list(chart.figure.data[0].x) == t.benchmarks("base")
    assert "base (pre-trained)" in chart.caption.value and "aiopen-error" not in chart.status.value
    assert "meta-llama/llama-models" in chart.figure.data[2].hovertext[0]


def test_tuning_chart_switches_scale_and_caption():
    chart = w.tuning_chart()
    assert chart.figure.layout.xaxis.type == "log"
    chart.scale.value = "Linear axis"
    assert chart.figure.layout.xaxis.type == "linear" and "too small to see" in chart.caption.value
    assert sorted(chart.figure.data[0].x) == [24, 1_022_362]
