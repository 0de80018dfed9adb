"""Checks for exercise 03_costs: memory, GPUs, throughput ceiling, energy/CO2/cost, a model for a budget.

References come from ``aiopen.costs`` on the notebook's own scenario (MODEL, GPU, PRICE,
GRID, BATCH, CONTEXT); answers must agree to 1 %.
"""

from __future__ import annotations

import math

from aiopen import costs, data
from aiopen.checks import Answers, Mismatch, expect, number

RELATIVE_TOLERANCE = 0.01
GIB_OVER_GB = 2**30 / 1e9


def _close(got: float, wanted: float) -> bool:
    return math.isclose(got, wanted, rel_tol=RELATIVE_TOLERANCE)


def _expect_close(got: float, wanted: float, what: str, unit: str, hint: str) -> None:
    if _close(got, wanted):
        return
    if _close(got * GIB_OVER_GB, wanted):
        hint = "GB here means 10**9 bytes, not 2**30 (GiB)."
    elif _close(got * 2, wanted) or _close(got / 2, wanted):
        hint = f"Off by a factor of 2: {hint}"
    raise Mismatch(f"{what} (within 1 %)", f"{got:.4g} {unit}", hint)


def _reference(answers: Answers) -> dict[str, float]:
    """Memory, GPUs and the throughput ceiling for the notebook's scenario."""
    model, gpu, batch, context = answers["MODEL"], answers["GPU"], answers["BATCH"], answers["CONTEXT"]
    arch = model.architecture
    weights = costs.weight_bytes(model.params, "bf16")
    kv = costs.kv_cache_bytes(arch.layers, arch.kv_heads, arch.head_dim, context, batch, "bf16")
    gpus = costs.min_gpus(weights + kv, gpu.memory_bytes)
    return {
        "weights_gb": weights / 1e9,
        "kv_gb": kv / 1e9,
        "gpus_needed": gpus,
        "tokens_per_s": costs.batch_decode_tokens_per_s_ceiling(weights, kv, batch, gpus, gpu.bandwidth_bytes_per_s),
    }


def _per_million_tokens(answers: Answers) -> dict[str, float]:
    """Hours, energy, CO2 and cost per million tokens at the ceiling."""
    scenario = _reference(answers)
    gpus, tokens_per_s, gpu = scenario["gpus_needed"], scenario["tokens_per_s"], answers["GPU"]
    energy = costs.energy_kwh_per_million_tokens(gpu.power_w, gpus, tokens_per_s)
    return {
        "hours": costs.gpu_hours_per_million_tokens(1, tokens_per_s),
        "energy_kwh": energy,
        "co2_kg": costs.co2_kg_from_energy(energy, answers["GRID"].kg_co2_per_kwh),
        "cost_usd": costs.cost_per_million_tokens(answers["PRICE"].price_per_gpu_hour, gpus, tokens_per_s),
    }


def q1(answers: Answers) -> None:
    got = number(answers["weights_gb"], "weights_gb")
    _expect_close(got, _reference(answers)["weights_gb"], "the bf16 weights of MODEL in GB", "GB", "parameters x 2 bytes, divided by 1e9.")


def q2(answers: Answers) -> None:
    got = number(answers["kv_gb"], "kv_gb")
    _expect_close(got, _reference(answers)["kv_gb"], "the KV cache for BATCH sequences of CONTEXT tokens, in GB", "GB", "The leading 2 counts keys and values.")


def q3(answers: Answers) -> None:
    got, reference = answers["gpus_needed"], _reference(answers)
    expect(isinstance(got, int), "a whole number of GPUs", repr(got), "Use math.ceil, which returns an int.")
    if got != reference["gpus_needed"]:
        weights_only = math.ceil(reference["weights_gb"] * 1e9 / answers["GPU"].memory_bytes)
        hint = "The KV cache needs GPU memory too." if got == weights_only else "Divide the total memory by one GPU's memory and round up."
        raise Mismatch("the fewest GPUs that hold the weights and the KV cache", f"{got}", hint)


def q4(answers: Answers) -> None:
    got, wanted = number(answers["tokens_per_s"], "tokens_per_s"), _reference(answers)["tokens_per_s"]
    if _close(got * answers["BATCH"], wanted):
        raise Mismatch("the ceiling for the whole batch", f"{got:.4g} tokens/s (one user's share)", "Each decode step makes one token for every sequence in the batch.")
    _expect_close(got, wanted, "the batch decode ceiling in tokens/s", "tokens/s", "batch x GPUs x bandwidth / (weights + KV), in consistent units; q3 must pass first.")


def q5(answers: Answers) -> None:
    reference = _per_million_tokens(answers)
    hints = {
        "hours": "1e6 / tokens_per_s / 3600.",
        "energy_kwh": "GPU.power_w / 1000 x gpus_needed x hours.",
        "co2_kg": "energy_kwh x GRID.kg_co2_per_kwh.",
        "cost_usd": "PRICE.price_per_gpu_hour x gpus_needed x hours.",
    }
    for name, hint in hints.items():
        got = number(answers[name], name)
        _expect_close(got, reference[name], f"`{name}` per million tokens", "", hint)


def q6(answers: Answers) -> None:
    choice, budget = answers["choice"], answers["BUDGET_USD"]
    candidates, precisions, price_of = answers["CANDIDATES"], answers["PRECISIONS"], answers.function("cost_per_million")
    if not (isinstance(choice, tuple) and len(choice) == 2 and choice[0] in candidates and choice[1] in precisions):
        raise Mismatch("a pair (name from CANDIDATES, precision from PRECISIONS)", f"{choice!r:.80}")
    affordable = [(name, p) for name in candidates for p in precisions if price_of(name, p) <= budget]
    expect(bool(affordable), "at least one affordable setup", "none", "Raise BUDGET_USD back to 5.0.")
    best = max(affordable, key=lambda pair: (data.model(pair[0]).params, costs.bytes_per_param(pair[1])))
    if choice not in affordable:
        raise Mismatch(f"a setup costing at most ${budget:g} per million tokens", f"${price_of(*choice):.2f} for {choice}", "Compare each cost with BUDGET_USD.")
    expect(choice == best, "the largest model within budget, then the highest precision", f"{choice}", "A larger model, or more bits for the same model, also fits the budget.")


QUESTIONS = {"q1": q1, "q2": q2, "q3": q3, "q4": q4, "q5": q5, "q6": q6}
