"""Exercise 06 (capstone): wrong answers that must fail, correct variants that must pass."""

from __future__ import annotations

import numpy as np

from answer_tables import Case, table_tests
from aiopen.domain import costs, data
from aiopen.domain.openness import model as openness_model
from aiopen.domain.safety import load_probe_run, wilson_interval

EXERCISE = "06_capstone"
GPU, PRICE = data.gpu("H100 SXM"), data.default_price("H100 SXM")


def cost_per_million(name: str, precision: str) -> float:
    arch = data.model(name).architecture
    kv_bytes = costs.kv_cache_bytes(arch.layers, arch.kv_heads, arch.head_dim, 8192, 8, "bf16")
    estimate = costs.serving_estimate(data.model(name).params, precision, GPU.memory_bytes, GPU.bandwidth_bytes_per_s, kv_bytes, 8)
    return costs.cost_per_million_tokens(PRICE.price_per_gpu_hour, estimate.gpus, estimate.tokens_per_s)


# --- q1: blockers -----------------------------------------------------------------------------

def blockers_solution(candidate, needs):
    found = set()
    if not candidate["weights"]:
        found.add("weights")
    if candidate["licence"] != "open":
        found.add("licence")
    if candidate["cost"] > needs["budget"]:
        found.add("cost")
    if candidate["samples"] == 0 or wilson_interval(candidate["leaks"], candidate["samples"])[1] >= needs["max_leak_rate"]:
        found.add("leaks")
    return found


def blockers_list(candidate, needs):
    checks = {
        "weights": candidate["weights"],
        "licence": candidate["licence"] == "open",
        "cost": candidate["cost"] <= needs["budget"],
        "leaks": candidate["samples"] > 0 and wilson_interval(candidate["leaks"], candidate["samples"])[1] < needs["max_leak_rate"],
    }
    return [name for name, ok in checks.items() if not ok]


def blockers_point_estimate(candidate, needs):
    found = blockers_solution(candidate, needs) - {"leaks"}
    if candidate["samples"] == 0 or candidate["leaks"] / candidate["samples"] >= needs["max_leak_rate"]:
        found.add("leaks")
    return found


def blockers_divides_by_zero(candidate, needs):
    found = blockers_solution(candidate, needs) - {"leaks"}
    if wilson_interval(candidate["leaks"], candidate["samples"])[1] >= needs["max_leak_rate"]:
        found.add("leaks")
    return found


def blockers_unmeasured_is_fine(candidate, needs):
    found = blockers_solution(candidate, needs)
    if candidate["samples"] == 0:
        found.discard("leaks")
    return found


def blockers_restrictive_ok(candidate, needs):
    found = blockers_solution(candidate, needs)
    if candidate["licence"] == "restrictive":
        found.discard("licence")
    return found


def blockers_strict_budget(candidate, needs):
    found = blockers_solution(candidate, needs) - {"cost"}
    if candidate["cost"] >= needs["budget"] * 0.9:
        found.add("cost")
    return found


# --- q2: record ---------------------------------------------------------------------------------

def record_solution(name, openness_name):
    release = openness_model(openness_name)
    run = load_probe_run()
    measured = name == "SmolLM2-135M"
    return {
        "weights": release.components["Model parameters (Final)"].status == "yes",
        "licence": release.licence_terms,
        "cost": cost_per_million(name, "bf16"),
        "params": data.model(name).params,
        "leaks": sum(r.k for r in run.results) if measured else 0,
        "samples": sum(r.n for r in run.results) if measured else 0,
    }


def record_numpy(name, openness_name):
    result = record_solution(name, openness_name)
    return {**result, "weights": np.bool_(result["weights"]), "leaks": np.int64(result["leaks"]), "cost": np.float64(result["cost"])}


def record_licence_name(name, openness_name):
    return {**record_solution(name, openness_name), "licence": openness_model(openness_name).licence}


def record_everyone_measured(name, openness_name):
    run = load_probe_run()
    return {**record_solution(name, openness_name), "leaks": sum(r.k for r in run.results), "samples": sum(r.n for r in run.results)}


def record_first_probe(name, openness_name):
    result = record_solution(name, openness_name)
    if result["samples"]:
        first = load_probe_run().results[0]
        result.update(leaks=first.k, samples=first.n)
    return result


def record_int4(name, openness_name):
    return {**record_solution(name, openness_name), "cost": cost_per_million(name, "int4")}


def record_status_text(name, openness_name):
    return {**record_solution(name, openness_name), "weights": openness_model(openness_name).components["Model parameters (Final)"].status}


# --- q3: recommend -------------------------------------------------------------------------------

def recommend_solution(table, needs):
    eligible = [name for name, candidate in table.items() if not blockers_solution(candidate, needs)]
    return max(eligible, key=lambda name: table[name]["params"], default=None)


def recommend_loop(table, needs):
    best = None
    for name, candidate in table.items():
        if not blockers_solution(candidate, needs) and (best is None or candidate["params"] > table[best]["params"]):
            best = name
    return best


def recommend_cheapest(table, needs):
    eligible = [name for name, candidate in table.items() if not blockers_solution(candidate, needs)]
    return min(eligible, key=lambda name: table[name]["cost"], default=None)


def recommend_ignores_blockers(table, needs):
    return max(table, key=lambda name: table[name]["params"])


def recommend_empty_string(table, needs):
    return recommend_solution(table, needs) or ""


def recommend_fewest_blockers(table, needs):
    return min(table, key=lambda name: (len(blockers_solution(table[name], needs)), -table[name]["params"]))


WRONG = [
    Case("q1", "point-estimate", {"blockers": blockers_point_estimate}, "Wilson upper bound"),
    Case("q1", "divides-by-zero", {"blockers": blockers_divides_by_zero}, "no evidence"),
    Case("q1", "unmeasured-is-fine", {"blockers": blockers_unmeasured_is_fine}, "no evidence"),
    Case("q1", "restrictive-is-open", {"blockers": blockers_restrictive_ok}, "restrictive"),
    Case("q1", "strict-budget", {"blockers": blockers_strict_budget}, "at most"),
    Case("q1", "booleans", {"blockers": lambda candidate, needs: {k: True for k in blockers_solution(candidate, needs)}}, "set of requirement names"),
    Case("q2", "licence-name", {"record": record_licence_name}, "terms"),
    Case("q2", "everyone-measured", {"record": record_everyone_measured}, "Nobody measured"),
    Case("q2", "first-probe-only", {"record": record_first_probe}, "every probe"),
    Case("q2", "int4-cost", {"record": record_int4}, "bf16"),
    Case("q2", "status-text", {"record": record_status_text}, "True or False"),
    Case("q3", "cheapest", {"recommend": recommend_cheapest}, "largest"),
    Case("q3", "ignores-blockers", {"recommend": recommend_ignores_blockers}, "does not meet"),
    Case("q3", "empty-string", {"recommend": recommend_empty_string}, "None"),
    Case("q3", "fewest-blockers", {"recommend": recommend_fewest_blockers}),
    Case("q3", "constant-none", {"recommend": lambda table, needs: None}),
]

RIGHT = [
    Case("q1", "solution", {"blockers": blockers_solution}),
    Case("q1", "list", {"blockers": blockers_list}),
    Case("q2", "solution", {"record": record_solution}),
    Case("q2", "numpy-values", {"record": record_numpy}),
    Case("q3", "solution", {"recommend": recommend_solution}),
    Case("q3", "loop", {"recommend": recommend_loop}),
]


test_wrong_answer_fails, test_correct_variant_passes = table_tests(EXERCISE, WRONG, RIGHT)
