"""Exercise 03 (costs): wrong answers that must fail, correct variants that must pass."""

from __future__ import annotations

import math

import numpy as np

from answer_tables import Case, table_tests
from aiopen.domain import costs, data

EXERCISE = "03_costs"
MODEL = data.model("Llama 3.1 70B")
GPU = data.gpu("H100 SXM")
PRICE = data.default_price("H100 SXM")
GRID = {c.name: c for c in data.carbon_intensities()}["GPT-3 training data centre (V100)"]
LOW_CARBON_GRID = {c.name: c for c in data.carbon_intensities()}["BLOOM training, French grid (A100)"]
BATCH, CONTEXT, GB = 8, 8192, 1e9
ARCH = MODEL.architecture
PRECISIONS = ["bf16", "int8", "int4"]

WEIGHTS = MODEL.params * 2 / GB
KV = 2 * ARCH.layers * ARCH.kv_heads * ARCH.head_dim * 2 * CONTEXT * BATCH / GB
GPUS = math.ceil((WEIGHTS + KV) / GPU.memory_gb)
TOKENS = BATCH * GPUS * GPU.bandwidth_gb_s / (WEIGHTS + KV)
HOURS = 1e6 / TOKENS / 3600
ENERGY = GPU.power_w / 1000 * GPUS * HOURS
CO2 = ENERGY * GRID.kg_co2_per_kwh
COST = PRICE.price_per_gpu_hour * GPUS * HOURS


def cost_per_million(name: str, precision: str) -> float:
    arch = data.model(name).architecture
    kv_bytes = costs.kv_cache_bytes(arch.layers, arch.kv_heads, arch.head_dim, CONTEXT, BATCH, "bf16")
    estimate = costs.serving_estimate(data.model(name).params, precision, GPU.memory_bytes, GPU.bandwidth_bytes_per_s, kv_bytes, BATCH)
    return costs.cost_per_million_tokens(PRICE.price_per_gpu_hour, estimate.gpus, estimate.tokens_per_s)


CONTEXT_NAMES = {
    "MODEL": MODEL, "GPU": GPU, "PRICE": PRICE, "GRID": GRID, "LOW_CARBON_GRID": LOW_CARBON_GRID,
    "BATCH": BATCH, "CONTEXT": CONTEXT, "BYTES_BF16": 2, "GB": GB, "math": math, "costs": costs, "data": data,
    "PRECISIONS": PRECISIONS, "cost_per_million": cost_per_million,
    "BUDGET_USD": 5.0, "CANDIDATES": ["Llama 3.1 8B", "Llama 3.1 70B", "Llama 3.1 405B"],
}
MEMORY = {"weights_gb": WEIGHTS, "kv_gb": KV}
SCENARIO = {**MEMORY, "gpus_needed": GPUS, "tokens_per_s": TOKENS}
PER_MILLION = {"hours": HOURS, "energy_kwh": ENERGY, "co2_kg": CO2, "cost_usd": COST}


def ns(*parts: dict, **names: object) -> dict:
    """The notebook's names, then ``parts`` and ``names`` (later ones win)."""
    merged = dict(CONTEXT_NAMES)
    for part in parts:
        merged.update(part)
    return {**merged, **names}


# --- q6: choose -------------------------------------------------------------------------------

def choose_solution(candidates, budget):
    by_size = sorted(candidates, key=lambda name: data.model(name).params, reverse=True)
    return next(((name, p) for name in by_size for p in PRECISIONS if cost_per_million(name, p) <= budget), None)


def choose_list(candidates, budget):
    best = None
    for name in candidates:
        for p in PRECISIONS:
            if cost_per_million(name, p) <= budget:
                key = (data.model(name).params, -PRECISIONS.index(p))
                if best is None or key > best[0]:
                    best = (key, [name, p])
    return None if best is None else best[1]


def choose_most_expensive(candidates, budget):
    affordable = [(cost_per_million(n, p), (n, p)) for n in candidates for p in PRECISIONS if cost_per_million(n, p) <= budget]
    return max(affordable)[1] if affordable else None


def choose_list_order(candidates, budget):
    return next(((n, p) for n in reversed(candidates) for p in PRECISIONS if cost_per_million(n, p) <= budget), None)


def choose_cheapest(candidates, budget):
    affordable = [(cost_per_million(n, p), (n, p)) for n in candidates for p in PRECISIONS if cost_per_million(n, p) <= budget]
    return min(affordable)[1] if affordable else None


def choose_fewest_bits(candidates, budget):
    by_size = sorted(candidates, key=lambda name: data.model(name).params, reverse=True)
    return next(((n, p) for n in by_size for p in reversed(PRECISIONS) if cost_per_million(n, p) <= budget), None)


def choose_empty_string(candidates, budget):
    return choose_solution(candidates, budget) or ""


def choose_raises(candidates, budget):
    by_size = sorted(candidates, key=lambda name: data.model(name).params, reverse=True)
    return next((name, p) for name in by_size for p in PRECISIONS if cost_per_million(name, p) <= budget)


WRONG = [
    Case("q1", "gib", ns(weights_gb=MODEL.params * 2 / 2**30), "GiB"),
    Case("q1", "bits", ns(weights_gb=MODEL.params * 16 / GB), "bits"),
    Case("q1", "fp32", ns(weights_gb=MODEL.params * 4 / GB), "2 bytes"),
    Case("q1", "one-byte", ns(weights_gb=MODEL.params / GB), "2 bytes"),
    Case("q1", "billions", ns(weights_gb=MODEL.params / GB * 2 / GB), ""),
    Case("q1", "text", ns(weights_gb="141 GB"), "number"),
    Case("q2", "all-attention-heads", ns(MEMORY, kv_gb=KV * 8), "kv_heads"),
    Case("q2", "no-keys-and-values", ns(MEMORY, kv_gb=KV / 2), "keys and values"),
    Case("q2", "one-sequence", ns(MEMORY, kv_gb=KV / BATCH), "BATCH"),
    Case("q2", "gib", ns(MEMORY, kv_gb=KV * GB / 2**30), "GiB"),
    Case("q2", "fp32-cache", ns(MEMORY, kv_gb=KV * 2), "bf16"),
    Case("q3", "weights-only", ns(MEMORY, gpus_needed=math.ceil(WEIGHTS / GPU.memory_gb)), "KV cache"),
    Case("q3", "rounded", ns(MEMORY, gpus_needed=round((WEIGHTS + KV) / GPU.memory_gb)), "round up"),
    Case("q3", "fraction", ns(MEMORY, gpus_needed=(WEIGHTS + KV) / GPU.memory_gb), "whole number"),
    Case("q3", "guessed-without-q1-q2", ns(gpus_needed=GPUS), "q1"),
    Case("q3", "one-more", ns(MEMORY, gpus_needed=GPUS + 1), "fewest"),
    Case("q4", "per-user", ns(SCENARIO, tokens_per_s=TOKENS / BATCH), "whole batch"),
    Case("q4", "one-gpu", ns(SCENARIO, tokens_per_s=TOKENS / GPUS), "GPUs"),
    Case("q4", "weights-only", ns(SCENARIO, tokens_per_s=BATCH * GPUS * GPU.bandwidth_gb_s / WEIGHTS), "KV"),
    Case("q4", "bytes-over-gb", ns(SCENARIO, tokens_per_s=TOKENS / GB), "units"),
    Case("q5", "seconds", ns(SCENARIO, PER_MILLION, hours=1e6 / TOKENS), "3600"),
    Case("q5", "watts", ns(SCENARIO, PER_MILLION, energy_kwh=ENERGY * 1000), "1000"),
    Case("q5", "one-gpu-energy", ns(SCENARIO, PER_MILLION, energy_kwh=ENERGY / GPUS), "gpus_needed"),
    Case("q5", "one-gpu-cost", ns(SCENARIO, PER_MILLION, cost_usd=COST / GPUS), "gpus_needed"),
    Case("q5", "low-carbon-grid", ns(SCENARIO, PER_MILLION, co2_kg=ENERGY * LOW_CARBON_GRID.kg_co2_per_kwh), "GRID"),
    Case("q5", "missing-cost", ns(SCENARIO, hours=HOURS, energy_kwh=ENERGY, co2_kg=CO2)),
    Case("q6", "most-expensive-within-budget", ns(choose=choose_most_expensive), "most expensive"),
    Case("q6", "list-order", ns(choose=choose_list_order), "largest"),
    Case("q6", "cheapest", ns(choose=choose_cheapest), "largest"),
    Case("q6", "fewest-bits", ns(choose=choose_fewest_bits), "precision"),
    Case("q6", "empty-string-for-none", ns(choose=choose_empty_string), "None"),
    Case("q6", "raises-when-nothing-fits", ns(choose=choose_raises), "None"),
    Case("q6", "old-constant-choice", ns(choice=("Llama 3.1 70B", "int8"))),
]

RIGHT = [
    Case("q1", "solution", ns(weights_gb=WEIGHTS)),
    Case("q1", "numpy", ns(weights_gb=np.float64(WEIGHTS))),
    Case("q1", "rounded-by-hand", ns(weights_gb=141)),
    Case("q2", "solution", ns(MEMORY)),
    Case("q2", "kit-function", ns(weights_gb=WEIGHTS, kv_gb=costs.kv_cache_bytes(ARCH.layers, ARCH.kv_heads, ARCH.head_dim, CONTEXT, BATCH) / GB)),
    Case("q3", "solution", ns(MEMORY, gpus_needed=GPUS)),
    Case("q3", "integral-float", ns(MEMORY, gpus_needed=float(GPUS))),
    Case("q3", "numpy-int", ns(MEMORY, gpus_needed=np.int64(GPUS))),
    Case("q4", "solution", ns(SCENARIO)),
    Case("q4", "in-bytes", ns({**SCENARIO, "tokens_per_s": BATCH * GPUS * GPU.bandwidth_bytes_per_s / ((WEIGHTS + KV) * GB)})),
    Case("q5", "solution", ns(SCENARIO, PER_MILLION)),
    Case("q5", "numpy", ns(SCENARIO, {k: np.float64(v) for k, v in PER_MILLION.items()})),
    Case("q6", "solution", ns(choose=choose_solution)),
    Case("q6", "list-pair", ns(choose=choose_list)),
]


test_wrong_answer_fails, test_correct_variant_passes = table_tests(EXERCISE, WRONG, RIGHT)
