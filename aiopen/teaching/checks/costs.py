"""Checks for exercise 03_costs: memory, GPUs, throughput ceiling, energy/CO2/cost, a model for a budget.

References are computed here with ``aiopen.domain.costs`` from the exercise's own scenario, read
from ``aiopen.domain.data`` at check time (not from the notebook, whose names a learner could
change): answers must agree to 1 %, and the usual slips (GiB, bits, all attention heads,
one sequence, rounding, watts, seconds) are named. q6 asks for a function and tries it on
fresh lists of candidates and budgets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from aiopen.domain import costs, data
from aiopen.teaching.checks import Mismatch, NotAnswered, Question, Reply, calls, describe, expect, number, pair, ratio_hint, value, whole_number

RELATIVE_TOLERANCE = 0.01
MODEL, GPU_NAME, GRID_NAME = "Llama 3.1 70B", "H100 SXM", "GPT-3 training data centre (V100)"
LOW_CARBON_GRID_NAME = "BLOOM training, French grid (A100)"
BATCH, CONTEXT, PRECISION = 8, 8192, "bf16"
PRECISIONS = ["bf16", "int8", "int4"]  # from most to fewest bits
GB = 1e9


@dataclass(frozen=True)
class Scenario:
    weights_gb: float
    kv_gb: float
    gpus_needed: int
    tokens_per_s: float
    hours: float
    energy_kwh: float
    co2_kg: float
    cost_usd: float


def scenario() -> Scenario:
    """The exercise's scenario, computed from the kit's sourced tables."""
    model, gpu = data.model(MODEL), data.gpu(GPU_NAME)
    arch = model.architecture
    weights = costs.weight_bytes(model.params, PRECISION)
    kv = costs.kv_cache_bytes(arch.layers, arch.kv_heads, arch.head_dim, CONTEXT, BATCH, PRECISION)
    gpus = costs.min_gpus(weights + kv, gpu.memory_bytes)
    tokens = costs.batch_decode_tokens_per_s_ceiling(weights, kv, BATCH, gpus, gpu.bandwidth_bytes_per_s)
    energy = costs.energy_kwh_per_million_tokens(gpu.power_w, gpus, tokens)
    return Scenario(
        weights_gb=weights / GB,
        kv_gb=kv / GB,
        gpus_needed=gpus,
        tokens_per_s=tokens,
        hours=costs.gpu_hours_per_million_tokens(1, tokens),
        energy_kwh=energy,
        co2_kg=costs.co2_kg_from_energy(energy, _grid(GRID_NAME)),
        cost_usd=costs.cost_per_million_tokens(data.default_price(GPU_NAME).price_per_gpu_hour, gpus, tokens),
    )


def _grid(name: str) -> float:
    return {c.name: c for c in data.carbon_intensities()}[name].kg_co2_per_kwh


def _close(got: float, wanted: float) -> bool:
    return math.isclose(got, wanted, rel_tol=RELATIVE_TOLERANCE)


def _check_value(reply: Reply, name: str, wanted: float, what: str, unit: str, slips: dict[float, str], hint: str) -> None:
    got = number(reply.value(name), name)
    if not _close(got, wanted):
        raise Mismatch(f"{what} (within 1 %)", f"{got:.4g} {unit}".strip(), ratio_hint(got, wanted, slips, hint))


GIB = GB / 2**30  # a value in GiB is this many times the value in GB
UNITS = {1e-9: "Check the units: a value in GB is already divided by 1e9.", 1e9: "Check the units: bandwidth is in GB/s, so keep the memory in GB too."}


def _builds_on(reply: Reply, names: tuple[str, ...]) -> None:
    """q3 onwards build on the earlier answers: those must be right first."""
    reference = scenario()
    earlier = "q1 and q2" if len(names) == 2 else "q1 to q3"
    try:
        for name in names:
            if not _close(number(reply.value(name), name), getattr(reference, name)):
                raise Mismatch(f"{earlier} to pass first", f"`{name}` is not right yet", f"This question builds on {', '.join(names)}.")
    except NotAnswered:
        raise NotAnswered(f"Answer {earlier} first: this question builds on {', '.join(names)}.") from None


def judge_q1(reply: Reply) -> None:
    slips = {GIB: "GB here means 10**9 bytes, not 2**30 (GiB).", 8: "That counts bits: memory is in bytes (8 bits each).", 2: "bf16 takes 2 bytes per parameter (that is fp32's 4).", 0.5: "bf16 takes 2 bytes per parameter.", 1e-9: UNITS[1e-9]}
    _check_value(reply, "weights_gb", scenario().weights_gb, "the bf16 weights of MODEL in GB", "GB", slips, "parameters x bytes per parameter, in GB.")


def judge_q2(reply: Reply) -> None:
    arch = data.model(MODEL).architecture
    slips = {
        GIB: "GB here means 10**9 bytes, not 2**30 (GiB).",
        0.5: "The leading 2 counts keys and values: both are stored.",
        1 / BATCH: "That is one sequence: the cache holds BATCH sequences.",
        2: "The cache is stored in bf16 (2 bytes per value), and the leading 2 counts keys and values once.",
        **{
            float(f): f"{f} times too large: only the {arch.kv_heads} KV heads per layer store keys and values (MODEL.architecture.kv_heads); grouped-query attention shares them among the query heads."
            for f in (4, 8, 16)
        },
    }
    _check_value(reply, "kv_gb", scenario().kv_gb, "the KV cache for BATCH sequences of CONTEXT tokens, in GB", "GB", slips, "Every token of every sequence stores a key and a value vector in every layer.")


def judge_q3(reply: Reply) -> None:
    _builds_on(reply, ("weights_gb", "kv_gb"))
    reference = scenario()
    got = whole_number(reply.value("gpus_needed"), "gpus_needed", "A number of GPUs is whole: round up.")
    if got == reference.gpus_needed:
        return
    memory = data.gpu(GPU_NAME).memory_gb
    weights_only = math.ceil(reference.weights_gb / memory)
    rounded = round((reference.weights_gb + reference.kv_gb) / memory)
    hints = []
    if got == weights_only:
        hints.append(f"{got} GPUs hold the weights alone: the KV cache needs GPU memory too.")
    if got == rounded:
        hints.append("A fraction of a GPU means one more GPU: round up, never to the nearest.")
    raise Mismatch("the fewest GPUs that hold the weights and the KV cache", str(got), " ".join(hints) or "Total memory over one GPU's memory, rounded up.")


def judge_q4(reply: Reply) -> None:
    _builds_on(reply, ("weights_gb", "kv_gb", "gpus_needed"))
    reference = scenario()
    slips = {
        1 / BATCH: "That is one user's share: each decode step makes a token for every sequence, so count the whole batch.",
        1 / reference.gpus_needed: "All gpus_needed GPUs read their share of memory in parallel: multiply by the number of GPUs.",
        (reference.weights_gb + reference.kv_gb) / reference.weights_gb: "Each step reads the weights and the whole KV cache: add the KV bytes.",
        **UNITS,
    }
    _check_value(reply, "tokens_per_s", reference.tokens_per_s, "the batch decode ceiling in tokens/s for the whole batch", "tokens/s", slips, "batch x GPUs x bandwidth over the bytes read per step, in consistent units.")


def judge_q5(reply: Reply) -> None:
    _builds_on(reply, ("weights_gb", "kv_gb", "gpus_needed"))
    reference = scenario()
    gpus = reference.gpus_needed
    checks = {
        "hours": ({3600: "That is in seconds: divide by 3600 for hours.", 60: "That is in minutes: divide by 60 for hours."}, "a million tokens at tokens_per_s, in hours."),
        "energy_kwh": ({1000: "That is in Wh: power_w is in watts, divide by 1000 for kW.", 1 / gpus: "Count all gpus_needed GPUs."}, "kW x GPUs x hours."),
        "co2_kg": ({_grid(LOW_CARBON_GRID_NAME) / _grid(GRID_NAME): "Use GRID's intensity, not the low-carbon grid's.", 1000: "energy_kwh is in kWh already."}, "energy x GRID's kg CO2eq per kWh."),
        "cost_usd": ({1 / gpus: "You pay for all gpus_needed GPUs.", 3600: "Hours, not seconds."}, "price per GPU-hour x GPUs x hours."),
    }
    for name, (slips, hint) in checks.items():
        _check_value(reply, name, getattr(reference, name), f"`{name}` per million tokens", "", slips, hint)


# --- q6: choose ---------------------------------------------------------------------------------

def cost_per_million(name: str, precision: str) -> float:
    """Dollars per million tokens for the scenario's workload on GPU_NAME (the notebook's function)."""
    gpu = data.gpu(GPU_NAME)
    arch = data.model(name).architecture
    kv_bytes = costs.kv_cache_bytes(arch.layers, arch.kv_heads, arch.head_dim, CONTEXT, BATCH, "bf16")
    estimate = costs.serving_estimate(data.model(name).params, precision, gpu.memory_bytes, gpu.bandwidth_bytes_per_s, kv_bytes, BATCH)
    return costs.cost_per_million_tokens(data.default_price(GPU_NAME).price_per_gpu_hour, estimate.gpus, estimate.tokens_per_s)


def _pool() -> list[str]:
    return [m.name for m in data.models() if m.architecture is not None and m.params]


def _best(candidates: list[str], budget: float) -> tuple[str, str] | None:
    affordable = [(n, p) for n in candidates for p in PRECISIONS if cost_per_million(n, p) <= budget]
    return max(affordable, key=lambda c: (data.model(c[0]).params, -PRECISIONS.index(c[1])), default=None)


def _budgets(candidates: list[str], rng: np.random.Generator, count: int) -> list[float]:
    """Budgets between two setups' costs, far from both, and one below them all."""
    prices = sorted({round(cost_per_million(n, p), 9) for n in candidates for p in PRECISIONS})
    gaps = [(a, b) for a, b in zip(prices, prices[1:]) if b / a > 1.01]
    chosen = [gaps[i] for i in rng.choice(len(gaps), size=min(count, len(gaps)), replace=False)] if gaps else []
    return [round(math.sqrt(a * b), 4) for a, b in chosen] + [round(prices[0] / 2, 4)]


def ask_q6(rng: np.random.Generator) -> list[dict]:
    pool = _pool()
    cases = [(["Llama 3.1 8B", "Llama 3.1 70B", "Llama 3.1 405B"], 5.0)]
    if {"Llama 2 7B", "Llama 3.1 8B"} <= set(pool):  # a smaller model whose KV cache makes it dearer
        pair_ = ["Llama 2 7B", "Llama 3.1 8B"]
        cases.append((pair_, round(1.01 * max(cost_per_million(n, p) for n in pair_ for p in PRECISIONS), 4)))
    for _ in range(4):
        size = int(rng.integers(2, min(5, len(pool)) + 1))
        chosen: list[str] = []
        for name in rng.permutation(pool):
            if len(chosen) < size and all(data.model(name).params != data.model(c).params for c in chosen):
                chosen.append(str(name))
        cases += [(chosen, budget) for budget in _budgets(chosen, rng, 2)]
    return [calls("choose", cases)]


def _show_choice(choice: tuple[str, str] | None) -> str:
    return "None (nothing fits)" if choice is None else f"({choice[0]!r}, {choice[1]!r}) at ${cost_per_million(*choice):.2f}"


def judge_q6(reply: Reply) -> None:
    def raised_hint(call) -> str:  # noqa: ANN001
        return "When no setup fits the budget, return None." if _best(list(call.args[0]), call.args[1]) is None else ""

    for call, got in reply.function("choose", hint=raised_hint):
        candidates, budget = list(call.args[0]), call.args[1]
        wanted = _best(candidates, budget)
        where = f"candidates {candidates} and a budget of ${budget:g}"
        if wanted is None:
            expect(got is None, f"None for {where} (nothing fits)", describe(got), "When no setup fits the budget, return None.")
            continue
        name, precision = pair(got, "choose(...)", "(model name, precision)")
        expect(name in candidates and precision in PRECISIONS, f"a model from the candidates and a precision from {PRECISIONS}", describe(got))
        choice = (name, precision)
        if cost_per_million(*choice) > budget:
            raise Mismatch(f"a setup within the budget for {where}", _show_choice(choice), "Compare each setup's cost with the budget.")
        if choice == wanted:
            continue
        affordable = [(n, p) for n in candidates for p in PRECISIONS if cost_per_million(n, p) <= budget]
        if choice == max(affordable, key=lambda c: cost_per_million(*c)):
            hint = "That is the most expensive setup within budget; the question asks for the largest model (most parameters), then the most bits."
        elif name == wanted[0]:
            hint = "Right model; now the highest precision (most bits) that fits: PRECISIONS runs from most to fewest bits."
        else:
            hint = "Look for the largest model (most parameters) that fits in any precision, whatever the order of the candidates."
        raise Mismatch(f"the largest model within budget, then the highest precision: {_show_choice(wanted)}, for {where}", _show_choice(choice), hint)


QUESTIONS = {
    "q1": Question(lambda rng: [value("weights_gb")], judge_q1),
    "q2": Question(lambda rng: [value("kv_gb")], judge_q2),
    "q3": Question(lambda rng: [value("weights_gb"), value("kv_gb"), value("gpus_needed")], judge_q3),
    "q4": Question(lambda rng: [value(n) for n in ("weights_gb", "kv_gb", "gpus_needed", "tokens_per_s")], judge_q4),
    "q5": Question(lambda rng: [value(n) for n in ("weights_gb", "kv_gb", "gpus_needed", "hours", "energy_kwh", "co2_kg", "cost_usd")], judge_q5),
    "q6": Question(ask_q6, judge_q6),
}
