"""Checks for exercise 01_openness: the MOF by hand, the OSAID by hand, the cheapest fix, who says so.

Every question calls the learner's function on fresh releases (random sets of MOF
components, both kinds of licence) and compares the whole answer with the kit's own
``aiopen.domain.openness`` functions, read at check time.
"""

from __future__ import annotations

import numpy as np

from aiopen.domain import data
from aiopen.teaching.checks import Mismatch, Question, Reply, calls, describe, expect, pair, truth
from aiopen.domain.openness import CLASS_NAMES, MOF_COMPONENTS, OSAID_MAPPING, mof_class, models, osaid_from_release, osaid_verdict

NAMES = [c.name for c in MOF_COMPONENTS]
ALL = set(NAMES)
OPTIONAL = {c.name for c in MOF_COMPONENTS if c.optional}
DATA_ITEMS = sorted(next(needs for mode, needs in OSAID_MAPPING.values() if mode == "any"))  # Data card, Datasets
CUMULATIVE = "Classes are cumulative: Class II also needs every required Class III component, and Class I every required Class II one."


def _required(level: int) -> set[str]:
    return {c.name for c in MOF_COMPONENTS if not c.optional and c.mof_class >= level}


def _osaid_core() -> set[str]:
    """Every component the OSAID reading needs, with one way to give data information."""
    return {name for mode, needs in OSAID_MAPPING.values() if mode == "all" for name in needs}


def _release(rng: np.random.Generator) -> set[str]:
    """A random release, biased towards the edges of the classes and of the OSAID."""
    shape = rng.integers(5)
    others = [n for n in NAMES if rng.random() < 0.3]
    if shape == 0:
        return {n for n in NAMES if rng.random() < 0.5}
    if shape == 1:
        return _required(int(rng.integers(1, 4))) | set(others)
    if shape == 2:
        base = sorted(_required(int(rng.integers(1, 4))))
        drop = set(rng.choice(base, size=int(rng.integers(1, 3)), replace=False))
        return (set(base) - drop) | (set(others) & OPTIONAL)
    data_information = {DATA_ITEMS[int(rng.integers(len(DATA_ITEMS)))]} if rng.random() < 0.8 else set()
    release = _osaid_core() | data_information | set(others)
    if shape == 4:
        release -= {sorted(_osaid_core())[int(rng.integers(len(_osaid_core())))]}
    return release


def _releases(rng: np.random.Generator, count: int) -> list[set[str]]:
    return [_release(rng) for _ in range(count)]


def _show_release(components: set[str]) -> str:
    absent = sorted(ALL - set(components))
    if not absent:
        return "a release of all 17 components"
    if len(absent) > 8:
        return f"a release of only {', '.join(sorted(components)) or 'nothing'}"
    return f"a release of every component except {', '.join(absent)}"


# --- q1: my_mof_class ---------------------------------------------------------------------

FIXED_MOF = [ALL, _required(3), _required(2), _required(1), ALL - {"Data card"}, ALL - {"Training code"}, ALL - {"Datasets"}, OPTIONAL, set()]


def _class_name(value: object) -> str:
    return CLASS_NAMES.get(value, "None (below Class III)") if value is None or isinstance(value, int) else describe(value)


def _level(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _non_cumulative(components: set[str]) -> int | None:
    best = None
    for level in (3, 2, 1):
        if {c.name for c in MOF_COMPONENTS if not c.optional and c.mof_class == level} <= components:
            best = level
    return best


def _optional_counted(components: set[str]) -> int | None:
    best = None
    for level in (3, 2, 1):
        if not {c.name for c in MOF_COMPONENTS if c.mof_class >= level} <= components:
            break
        best = level
    return best


def ask_q1(rng: np.random.Generator) -> list[dict]:
    return [calls("my_mof_class", [(set(c),) for c in FIXED_MOF + _releases(rng, 30)])]


def judge_q1(reply: Reply) -> None:
    for call, got in reply.function("my_mof_class"):
        components = set(call.args[0])
        wanted, got = mof_class(components), _level(got)
        expect(got is None or isinstance(got, int) and not isinstance(got, bool), "3, 2, 1 or None (an int, or None)", describe(got), "Return the class number, or None below Class III.")
        if got == wanted:
            continue
        if got == 0 and wanted is None:
            raise Mismatch(f"None for {_show_release(components)}", "0", "Below Class III the answer is None, not 0.")
        hint = (
            CUMULATIVE if got == _non_cumulative(components) else
            "Optional components never count, present or not." if got == _optional_counted(components) else
            "Go through the classes from III to I and stop at the first whose required components are not all there."
        )
        raise Mismatch(f"{_class_name(wanted)} for {_show_release(components)}", _class_name(got), hint)


# --- q2: my_osaid --------------------------------------------------------------------------

def ask_q2(rng: np.random.Generator) -> list[dict]:
    edges = [_osaid_core() | {item} for item in DATA_ITEMS] + [(_osaid_core() - {name}) | {DATA_ITEMS[0]} for name in sorted(_osaid_core())]
    cases = [(c, True) for c in edges] + [(c, bool(rng.random() < 0.7)) for c in _releases(rng, 30)]
    return [calls("my_osaid", [(set(c), licence) for c, licence in cases])]


def judge_q2(reply: Reply) -> None:
    for call, got in reply.function("my_osaid"):
        components, licence_open = set(call.args[0]), call.args[1]
        got = truth(got, "my_osaid(...)")
        verdict = osaid_from_release(components, licence_open)
        if got == verdict.meets:
            continue
        where = f"{_show_release(components)} under {'an open' if licence_open else 'a restrictive'} licence"
        if got and not licence_open and osaid_from_release(components, True).meets:
            hint = "A restrictive licence fails the OSAID: the code and the parameters must be under open terms."
        elif got:
            hint = f"It misses: {', '.join(verdict.missing)}. Check each requirement in turn."
        else:
            hint = "It meets every requirement: data information (the Data card or the Datasets, either is enough), the five code components, the final parameters, under an open licence."
        raise Mismatch(f"{verdict.meets} for {where}", repr(got), hint)


# --- q3: cheapest_change -------------------------------------------------------------------

def _fewest_additions(components: set[str]) -> int:
    """Each OSAID requirement needs its absent components ('all') or one of them ('any')."""
    needed = 0
    for mode, needs in OSAID_MAPPING.values():
        absent = [c for c in needs if c not in components]
        needed += (1 if len(absent) == len(needs) else 0) if mode == "any" else len(absent)
    return needed


def ask_q3(rng: np.random.Generator) -> list[dict]:
    releases = _releases(rng, 24) + [ALL, {"Model parameters (Final)", "Inference code"}]
    return [calls("cheapest_change", [(set(c), bool(rng.random() < 0.5)) for c in releases])]


def judge_q3(reply: Reply) -> None:
    for call, result in reply.function("cheapest_change"):
        components, licence_open = set(call.args[0]), call.args[1]
        where = f"{_show_release(components)} under {'an open' if licence_open else 'a restrictive'} licence"
        first, second = pair(result, "cheapest_change(...)", "(components to add, licence must open)")
        if isinstance(first, bool) and isinstance(second, (set, list, tuple)):
            raise Mismatch("the pair (components to add, licence must open) in that order", describe(result), "return to_add, open_licence")
        expect(isinstance(first, (set, list, tuple)) and all(isinstance(n, str) for n in first), "a set of component names to add", describe(first))
        to_add, open_licence = set(first), truth(second, "open_licence")
        unknown = to_add - ALL
        expect(not unknown, "MOF component names", f"{sorted(unknown)}", "Names as in MOF_COMPONENTS, e.g. 'Training code'.")
        present = to_add & components
        expect(not present, f"only components the release lacks, for {where}", f"{sorted(present)}, already in the release", "Add only what is missing.")
        expect(open_licence == (not licence_open), f"open_licence={not licence_open} for {where}", repr(open_licence), "The licence must change exactly when it is not open already.")
        after = osaid_from_release(components | to_add, licence_open=True)
        expect(after.meets, f"additions that make {where} meet the OSAID", f"still missing: {', '.join(after.missing)}")
        fewest = _fewest_additions(components)
        expect(
            len(to_add) == fewest,
            f"the smallest set of additions ({fewest}) for {where}",
            f"{len(to_add)} components: {', '.join(sorted(to_add))}",
            "Try smaller sets first, testing with an open licence; the Data card and the Datasets each give data information.",
        )


# --- q4: osi_validated ---------------------------------------------------------------------

def _known_names() -> list[str]:
    names = [m.name for m in models()]
    for row in data.rows("openness_osaid"):
        if not any(m.osi_name == row["model"] or m.name == row["model"] for m in models()):
            names.append(row["model"])
    return names


def _osi_meets(name: str) -> bool:
    verdict = osaid_verdict(name)
    return verdict.meets and verdict.assessed_by == "OSI"


def ask_q4(rng: np.random.Generator) -> list[dict]:
    names = _known_names()
    validated = [n for n in names if _osi_meets(n)]
    others = [n for n in names if not _osi_meets(n)]
    lists = [names]
    for _ in range(6):
        chosen = set(rng.choice(validated, size=int(rng.integers(1, len(validated) + 1)), replace=False))
        chosen |= set(rng.choice(others, size=int(rng.integers(2, min(8, len(others)) + 1)), replace=False))
        lists.append([n for n in names if n in chosen])
    return [calls("osi_validated", [(list(n),) for n in lists])]


def judge_q4(reply: Reply) -> None:
    for call, got in reply.function("osi_validated"):
        names = list(call.args[0])
        expect(isinstance(got, (set, list, tuple)) and all(isinstance(n, str) for n in got), "a set of model names", describe(got))
        wanted = {n for n in names if _osi_meets(n)}
        extra, absent = set(got) - wanted, wanted - set(got)
        if extra - set(names):
            raise Mismatch("only names taken from `names`", f"also {sorted(extra - set(names))}", "Filter the names you are given.")
        if any(osaid_verdict(n).assessed_by == "OSI" for n in extra):
            raise Mismatch("only models OSI validated as meeting the OSAID", f"also {sorted(extra)}", "OSI also published failing verdicts: keep a name only when OSI found that it meets the definition.")
        if extra:
            raise Mismatch("only verdicts OSI itself published", f"also {sorted(extra)}", "Those verdicts are the kit's own reading, not OSI's: look at who assessed each one.")
        expect(not absent, f"every OSI-validated model among {len(names)} names", f"{len(set(got))}, without {sorted(absent)}", "Look at every name's verdict.")


QUESTIONS = {
    "q1": Question(ask_q1, judge_q1),
    "q2": Question(ask_q2, judge_q2),
    "q3": Question(ask_q3, judge_q3),
    "q4": Question(ask_q4, judge_q4),
}
