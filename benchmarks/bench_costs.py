"""Kernel-side redraw time of the "one size does not fit all" widgets.

How: build each widget once, then set one control's ``.value`` N times in-process,
cycling through realistic values, and time each assignment with ``perf_counter``.
Setting ``.value`` runs the observer (the guarded callback, which recomputes and
updates the FigureWidget) synchronously, so each sample is one full kernel-side
redraw; the browser's rendering is not included. After each change the widget's
status line must show no error: a redraw that raised would otherwise count as a fast
one. Reported: the p95 over all controls of all three widgets.
"""

from __future__ import annotations

import time

from aiopen.widgets import costs as widgets_costs
from figures import Figure

ROUNDS = 40  # per control


def _timings(widget, control: str, values: list) -> list[float]:
    box = getattr(widget, control)
    samples = []
    for i in range(ROUNDS):
        start = time.perf_counter()
        box.value = values[i % len(values)]
        samples.append((time.perf_counter() - start) * 1000)
        if "aiopen-error" in widget.status.value:
            raise RuntimeError(f"setting {control} to {values[i % len(values)]!r} raised: {widget.status.value}")
    return samples


def measure() -> list[Figure]:
    chart = widgets_costs.training_cost_chart()
    calculator = widgets_costs.inference_calculator()
    comparison = widgets_costs.small_vs_big()
    plan = [
        (chart, "y_axis", ["Reported CO2 (t)", "Training GPU-hours"]),
        (calculator, "model", ["Llama 3.1 405B", "SmolLM2-135M", "Llama 2 7B"]),
        (calculator, "params", [1e9, 3e10, 7e11]),
        (calculator, "precision", ["int4", "fp32", "bf16"]),
        (calculator, "gpu", ["T4", "A100 40GB", "H100 SXM"]),
        (calculator, "context", [2048, 131072, 1_000_000]),
        (calculator, "batch", [1, 64, 1024]),
        (calculator, "price", [0.0, 2.5, 12.29]),
        (comparison, "big", ["Llama 3.1 70B", "Llama 3.1 405B"]),
        (comparison, "gpu", ["T4", "H100 SXM"]),
        (comparison, "precision", ["int4", "bf16"]),
    ]
    samples = [ms for widget, control, values in plan for ms in _timings(widget, control, values)]
    return [Figure("costs_update_p95_ms", samples, "ms", f"{len(plan)} controls of 3 widgets, every change asserted redrawn")]
