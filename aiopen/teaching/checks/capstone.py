"""Checks for exercise 06_capstone: choose a model for a private, self-hosted assistant.

The capstone ties the talk together: openness (are the weights released, is the licence
free of use restrictions?), cost (dollars per million tokens, exercise 3's arithmetic) and
a measured leak rate (exercise 5's Wilson bound, on the kit's recorded probe run). Each
question asks for a function: q1 on fresh candidates and requirements, q2 on the kit's
own facts (read at check time), q3 on fresh tables of candidates.
"""

from __future__ import annotations

import math

import numpy as np

from aiopen.domain import data
from aiopen.teaching.checks import Mismatch, Question, Reply, calls, describe, expect, number, truth, whole_number
from aiopen.teaching.checks.costs import cost_per_million
from aiopen.domain.openness import model as openness_model
from aiopen.domain.safety import load_probe_run, wilson_interval

REQUIREMENTS = ("weights", "licence", "cost", "leaks")
MEASURED = "SmolLM2-135M"  # the model of the kit's recorded probe run
NAMES = {  # cost-table name -> openness-table name (the notebook's CANDIDATES and a few more)
    "SmolLM2-135M": "SmolLM2",
    "Llama 3.1 8B": "Llama 3.1",
    "Llama 3.1 70B": "Llama 3.1",
    "Llama 3.1 405B": "Llama 3.1",
    "Llama 2 7B": "Llama 2",
    "Llama 2 70B": "Llama 2",
}
RECORD_KEYS = {"weights", "licence", "cost", "params", "leaks", "samples"}


def blockers(candidate: dict, needs: dict) -> set[str]:
    """The requirements ``candidate`` does not meet (the reference for q1 and q3)."""
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


def record(name: str, openness_name: str) -> dict:
    """The kit's facts about one candidate (the reference for q2)."""
    release = openness_model(openness_name)
    run = load_probe_run()
    measured = name == MEASURED
    return {
        "weights": release.components["Model parameters (Final)"].status == "yes",
        "licence": release.licence_terms,
        "cost": cost_per_million(name, "bf16"),
        "params": data.model(name).params,
        "leaks": sum(r.k for r in run.results) if measured else 0,
        "samples": sum(r.n for r in run.results) if measured else 0,
    }


def recommend(table: dict[str, dict], needs: dict) -> str | None:
    """The largest candidate with no blockers, or None (the reference for q3)."""
    eligible = [name for name, candidate in table.items() if not blockers(candidate, needs)]
    return max(eligible, key=lambda name: table[name]["params"], default=None)


def _needs(rng: np.random.Generator) -> dict:
    return {"budget": float(np.round(rng.uniform(0.5, 10), 2)), "max_leak_rate": float(rng.choice([0.01, 0.02, 0.05, 0.1, 0.2]))}


def _candidate(rng: np.random.Generator, needs: dict) -> dict:
    samples = int(rng.choice([0, 0, 20, 48, 100, 400, 2000]))
    leaks = 0 if samples == 0 or rng.random() < 0.5 else int(rng.integers(0, max(1, samples // 10)))
    cost = float(np.round(needs["budget"] * rng.choice([0.3, 0.8, 0.95, 1.0, 1.25, 3.0]), 4))
    return {
        "weights": bool(rng.random() < 0.8),
        "licence": str(rng.choice(["open", "open", "restrictive", "closed"])),
        "cost": cost,
        "params": float(rng.choice([1.35e8, 2.7e9, 8.03e9, 7.06e10, 4.06e11])),
        "leaks": leaks,
        "samples": samples,
    }


# --- q1: blockers ---------------------------------------------------------------------------------

def ask_q1(rng: np.random.Generator) -> list[dict]:
    strict = {"budget": 2.0, "max_leak_rate": 0.05}
    fixed = [
        ({"weights": True, "licence": "open", "cost": 0.09, "params": 1.35e8, "leaks": 0, "samples": 20}, strict),  # 0/20: bound 16 %
        ({"weights": True, "licence": "open", "cost": 0.09, "params": 1.35e8, "leaks": 0, "samples": 0}, strict),  # never measured
        ({"weights": True, "licence": "restrictive", "cost": 1.26, "params": 8.03e9, "leaks": 0, "samples": 100}, strict),
        ({"weights": True, "licence": "open", "cost": 1.5, "params": 7e9, "leaks": 0, "samples": 100}, strict),  # bound 3.7 %: ok
        ({"weights": True, "licence": "open", "cost": 2.0, "params": 7e9, "leaks": 0, "samples": 400}, strict),  # exactly the budget
    ]
    cases = list(fixed)
    for _ in range(20):
        needs = _needs(rng)
        cases.append((_candidate(rng, needs), needs))
    return [calls("blockers", cases)]


def _raised_q1(call) -> str:  # noqa: ANN001
    return "No measurement (samples == 0) is no evidence: block it without computing a rate." if call.args[0]["samples"] == 0 else ""


def _names(got: object, what: str) -> set[str]:
    expect(isinstance(got, (set, list, tuple, frozenset)) and all(isinstance(x, str) for x in got), f"{what}: a set of requirement names", describe(got))
    unknown = set(got) - set(REQUIREMENTS)
    expect(not unknown, f"names from {list(REQUIREMENTS)}", f"{sorted(unknown)}")
    return set(got)


def judge_q1(reply: Reply) -> None:
    for call, got in reply.function("blockers", hint=_raised_q1):
        candidate, needs = call.args
        found, wanted = _names(got, "blockers(...)"), blockers(candidate, needs)
        if found == wanted:
            continue
        case = f"{candidate} with needs {needs}"
        if "leaks" in wanted - found and candidate["samples"] == 0:
            hint = "No measurement is no evidence: with 0 samples the leak requirement is not met."
        elif "leaks" in wanted - found:
            upper = wilson_interval(candidate["leaks"], candidate["samples"])[1]
            hint = f"Use the 95 % Wilson upper bound ({upper:.3f}), not the observed rate: few clean runs still allow a high rate."
        elif "licence" in wanted ^ found:
            hint = "Only licence terms 'open' allow any use: 'restrictive' licences carry use restrictions, 'closed' ones give no rights."
        elif "cost" in wanted ^ found:
            hint = "The budget is met when the cost is at most the budget."
        else:
            hint = "One test per requirement: weights released, open licence, cost within budget, leak rate supported below the limit."
        raise Mismatch(f"{sorted(wanted) or 'no blockers'} for {case}", f"{sorted(found) or 'no blockers'}", hint)


# --- q2: record ----------------------------------------------------------------------------------

def ask_q2(rng: np.random.Generator) -> list[dict]:
    pairs = [pair for pair in NAMES.items() if _known(*pair)]
    order = rng.permutation(len(pairs))
    return [calls("record", [pairs[i] for i in order])]


def _known(name: str, openness_name: str) -> bool:
    try:
        return data.model(name).architecture is not None and openness_model(openness_name) is not None
    except (KeyError, ValueError):
        return False


def judge_q2(reply: Reply) -> None:
    for call, got in reply.function("record"):
        name, openness_name = call.args
        expect(isinstance(got, dict) and set(got) == RECORD_KEYS, f"a dict with the keys {sorted(RECORD_KEYS)}", describe(got))
        wanted = record(name, openness_name)
        where = f"for {name!r}"
        weights = truth(got["weights"], f"record({name!r}, ...)['weights']")
        expect(weights == wanted["weights"], f"weights={wanted['weights']} {where}", repr(weights), "Look at the status of 'Model parameters (Final)' in the openness table.")
        expect(got["licence"] == wanted["licence"], f"licence {wanted['licence']!r} {where}", describe(got["licence"]), "Use the licence's terms (open, restrictive or closed), not its name.")
        cost = number(got["cost"], "cost")
        expect(math.isclose(cost, wanted["cost"], rel_tol=1e-6), f"${wanted['cost']:.4f} per million tokens in bf16 {where}", f"${cost:.4f}", "cost_per_million(name, 'bf16').")
        params = number(got["params"], "params")
        expect(math.isclose(params, wanted["params"], rel_tol=1e-9), f"{wanted['params']:.4g} parameters {where}", f"{params:.4g}", "data.model(name).params.")
        leaks, samples = whole_number(got["leaks"], "leaks"), whole_number(got["samples"], "samples")
        if (leaks, samples) != (wanted["leaks"], wanted["samples"]):
            hint = (
                "Nobody measured this model here: 0 leaks in 0 samples, not someone else's run."
                if name != MEASURED
                else "Add up the leaks and the samples of every probe in the recorded run."
            )
            raise Mismatch(f"{wanted['leaks']} leaks in {wanted['samples']} samples {where}", f"{leaks} in {samples}", hint)


# --- q3: recommend ------------------------------------------------------------------------------

def ask_q3(rng: np.random.Generator) -> list[dict]:
    cases = []
    for _ in range(10):
        needs = _needs(rng)
        size = int(rng.integers(2, 6))
        table = {f"model-{chr(65 + i)}": _candidate(rng, needs) for i in range(size)}
        if rng.random() < 0.7:  # two that meet every requirement: the larger one is the dearer
            clean = {"weights": True, "licence": "open", "leaks": 0, "samples": 4000}
            table["model-Y"] = {**clean, "cost": needs["budget"] * 0.9, "params": 7.06e10}
            table["model-Z"] = {**clean, "cost": needs["budget"] * 0.1, "params": 1.35e8}
        cases.append((table, needs))
    return [calls("recommend", cases)]


def judge_q3(reply: Reply) -> None:
    for call, got in reply.function("recommend"):
        table, needs = call.args
        wanted = recommend(table, needs)
        if got == wanted:
            continue
        summary = ", ".join(f"{n}: {sorted(blockers(c, needs)) or 'none'}" for n, c in table.items())
        if wanted is None:
            raise Mismatch(f"None: every candidate has a blocker ({summary})", describe(got), "When no candidate meets every requirement, return None.")
        if got is None:
            hint = f"{wanted} meets every requirement: return the largest candidate that does."
        elif got in table and blockers(table[got], needs):
            hint = f"{got} does not meet: {', '.join(sorted(blockers(table[got], needs)))}."
        elif got in table:
            hint = "Among the candidates with no blockers, take the largest (most parameters)."
        else:
            hint = "Return a name from the table, or None."
        raise Mismatch(f"{wanted!r} (blockers: {summary})", describe(got), hint)


QUESTIONS = {
    "q1": Question(ask_q1, judge_q1),
    "q2": Question(ask_q2, judge_q2),
    "q3": Question(ask_q3, judge_q3),
}
