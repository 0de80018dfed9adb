"""Exercise 01 (openness): wrong answers that must fail, correct variants that must pass."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from answer_tables import Case, table_tests
from aiopen.domain.openness import MOF_COMPONENTS, OSAID_MAPPING, mof_class, models, osaid_from_release, osaid_verdict

EXERCISE = "01_openness"
ALL = {c.name for c in MOF_COMPONENTS}
CODE = {"Model architecture", "Data preprocessing code", "Training code", "Inference code", "Evaluation code"}
CONTEXT = {"MOF_COMPONENTS": MOF_COMPONENTS, "OSAID_MAPPING": OSAID_MAPPING}


def ns(**names: object) -> dict:
    return {**CONTEXT, **names}


# --- q1: my_mof_class -----------------------------------------------------------------

def required(level: int, optional: bool = False) -> set[str]:
    return {c.name for c in MOF_COMPONENTS if (optional or not c.optional) and c.mof_class >= level}


def mof_solution(components):
    best = None
    for level in (3, 2, 1):
        if not required(level) <= set(components):
            break
        best = level
    return best


def mof_bottom_up(components):
    for level in (1, 2, 3):
        if required(level) <= set(components):
            return level
    return None


def mof_numpy(components):
    level = mof_solution(components)
    return None if level is None else np.int64(level)


def mof_not_cumulative(components):
    best = None
    for level in (3, 2, 1):
        only = {c.name for c in MOF_COMPONENTS if not c.optional and c.mof_class == level}
        if only <= set(components):
            best = level
    return best


def mof_optional_counts(components):
    best = None
    for level in (3, 2, 1):
        if not required(level, optional=True) <= set(components):
            break
        best = level
    return best


def mof_zero(components):
    level = mof_solution(components)
    return 0 if level is None else level


def mof_roman(components):
    level = mof_solution(components)
    return None if level is None else "I" * level


def mof_by_count(components):
    count = len(components)
    return 1 if count >= 16 else 2 if count >= 10 else 3 if count >= 6 else None


def mof_mutates(components):
    components -= {c.name for c in MOF_COMPONENTS if c.optional}
    return mof_solution(components)


def mof_strict(components):
    best = None
    for level in (3, 2, 1):
        needed = {c.name for c in MOF_COMPONENTS if not c.optional and c.mof_class > level}
        if not needed <= set(components):
            break
        best = level
    return best


def mof_first_met(components):
    for level in (3, 2, 1):
        if required(level) <= set(components):
            return level
    return None


# --- q2: my_osaid -----------------------------------------------------------------------

def osaid_solution(components, licence_open):
    for mode, needs in OSAID_MAPPING.values():
        present = [name in components for name in needs]
        if not (any(present) if mode == "any" else all(present)):
            return False
    return bool(licence_open)


def osaid_explicit(components, licence_open):
    data = "Data card" in components or "Datasets" in components
    return licence_open and data and CODE <= set(components) and "Model parameters (Final)" in components


def osaid_numpy(components, licence_open):
    return np.bool_(osaid_solution(components, licence_open))


def osaid_no_licence(components, licence_open):
    return osaid_solution(components, True)


def osaid_both_data(components, licence_open):
    return osaid_solution(components, licence_open) and {"Data card", "Datasets"} <= set(components)


def osaid_data_card_only(components, licence_open):
    return osaid_solution(components, licence_open) and "Data card" in components


def osaid_mof(components, licence_open):
    return licence_open and mof_class(components) is not None


def osaid_four_code(components, licence_open):
    code = CODE - {"Evaluation code"}
    data = "Data card" in components or "Datasets" in components
    return licence_open and data and code <= set(components) and "Model parameters (Final)" in components


def osaid_words(components, licence_open):
    return "yes" if osaid_solution(components, licence_open) else "no"


def osaid_ints(components, licence_open):
    return int(osaid_solution(components, licence_open))


# --- q3: cheapest_change ----------------------------------------------------------------

def change_solution(components, licence_open):
    missing = [c.name for c in MOF_COMPONENTS if c.name not in components]
    for size in range(len(missing) + 1):
        for extra in combinations(missing, size):
            if osaid_from_release(set(components) | set(extra), licence_open=True).meets:
                return set(extra), not licence_open
    raise ValueError("impossible")


def change_greedy(components, licence_open):
    to_add = set()
    for mode, needs in OSAID_MAPPING.values():
        absent = [c for c in needs if c not in components]
        if mode == "all":
            to_add |= set(absent)
        elif len(absent) == len(needs):
            to_add.add(needs[-1])  # Datasets this time
    return to_add, not licence_open


def change_lists(components, licence_open):
    to_add, flip = change_solution(components, licence_open)
    return [sorted(to_add), flip]


def change_numpy(components, licence_open):
    to_add, flip = change_solution(components, licence_open)
    return frozenset(to_add), np.bool_(flip)


def change_own_licence(components, licence_open):
    missing = [c.name for c in MOF_COMPONENTS if c.name not in components]
    for size in range(len(missing) + 1):
        for extra in combinations(missing, size):
            if osaid_from_release(set(components) | set(extra), licence_open=licence_open).meets:
                return set(extra), not licence_open
    return set(missing), not licence_open


def change_both_data(components, licence_open):
    to_add, flip = change_solution(components, licence_open)
    if not {"Data card", "Datasets"} & set(components):
        to_add |= {"Data card", "Datasets"}
    return to_add, flip


def change_always_open(components, licence_open):
    return change_solution(components, licence_open)[0], True


def change_never_open(components, licence_open):
    return change_solution(components, licence_open)[0], False


def change_mutates(components, licence_open):
    to_add, flip = change_solution(components, licence_open)
    components |= to_add
    return to_add, flip


def change_everything(components, licence_open):
    return ALL - set(components), not licence_open


def change_with_present(components, licence_open):
    to_add, flip = change_solution(components, licence_open)
    return to_add | (set(components) & CODE), flip


def change_swapped(components, licence_open):
    to_add, flip = change_solution(components, licence_open)
    return flip, to_add


# --- q4: osi_validated ------------------------------------------------------------------

def osi_solution(names):
    return {n for n in names if osaid_verdict(n).meets and osaid_verdict(n).assessed_by == "OSI"}


def osi_list(names):
    return [n for n in names if osaid_verdict(n).status == "meets" and osaid_verdict(n).assessed_by == "OSI"]


def osi_hard_coded(names):
    return {n for n in names if n in {"OLMo 7B", "Pythia"}}


def osi_any_osi(names):
    return {n for n in names if osaid_verdict(n).assessed_by == "OSI"}


def osi_not_failing(names):
    return {n for n in names if osaid_verdict(n).status != "fails"}


def osi_ignores_input(names):
    return {m.name for m in models() if osaid_verdict(m.name).meets and osaid_verdict(m.name).assessed_by == "OSI"}


WRONG = [
    Case("q1", "not-cumulative", ns(my_mof_class=mof_not_cumulative), "cumulative"),
    Case("q1", "optional-counted", ns(my_mof_class=mof_optional_counts), "optional"),
    Case("q1", "zero-for-none", ns(my_mof_class=mof_zero), "None"),
    Case("q1", "roman-numerals", ns(my_mof_class=mof_roman), "3, 2, 1 or None"),
    Case("q1", "by-count", ns(my_mof_class=mof_by_count)),
    Case("q1", "mutates-input", ns(my_mof_class=mof_mutates), "changed"),
    Case("q1", "strict-comparison", ns(my_mof_class=mof_strict)),
    Case("q1", "first-class-met", ns(my_mof_class=mof_first_met)),
    Case("q1", "stub", ns(my_mof_class=lambda components: (_ for _ in ()).throw(NotImplementedError("Write your answer here")))),
    Case("q2", "ignores-licence", ns(my_osaid=osaid_no_licence), "licence"),
    Case("q2", "both-data-items", ns(my_osaid=osaid_both_data), "Data card or the Datasets"),
    Case("q2", "data-card-only", ns(my_osaid=osaid_data_card_only), "Data card or the Datasets"),
    Case("q2", "mof-class-iii", ns(my_osaid=osaid_mof)),
    Case("q2", "constant-false", ns(my_osaid=lambda components, licence_open: False)),
    Case("q2", "four-code-components", ns(my_osaid=osaid_four_code)),
    Case("q2", "yes-no-words", ns(my_osaid=osaid_words), "True or False"),
    Case("q2", "ones-and-zeros", ns(my_osaid=osaid_ints), "True or False"),
    Case("q2", "old-dict-only", ns(meets_osaid={"Aurora-7B": False, "Birch-2B": True, "Cedar-1B": False, "Fir-3B": True})),
    Case("q3", "tests-own-licence", ns(cheapest_change=change_own_licence), "smallest"),
    Case("q3", "both-data-items", ns(cheapest_change=change_both_data), "smallest"),
    Case("q3", "always-opens-licence", ns(cheapest_change=change_always_open), "licence"),
    Case("q3", "never-opens-licence", ns(cheapest_change=change_never_open), "licence"),
    Case("q3", "mutates-input", ns(cheapest_change=change_mutates), "changed"),
    Case("q3", "everything-missing", ns(cheapest_change=change_everything), "smallest"),
    Case("q3", "adds-present-components", ns(cheapest_change=change_with_present), "already"),
    Case("q3", "swapped-pair", ns(cheapest_change=change_swapped), "pair"),
    Case("q4", "hard-coded", ns(osi_validated=osi_hard_coded)),
    Case("q4", "any-osi-verdict", ns(osi_validated=osi_any_osi), "meets"),
    Case("q4", "not-failing", ns(osi_validated=osi_not_failing), "OSI"),
    Case("q4", "ignores-input", ns(osi_validated=osi_ignores_input)),
    Case("q4", "all-names", ns(osi_validated=lambda names: set(names))),
    Case("q4", "old-constant-set", ns(osi_says_open={"OLMo 7B", "Pythia"})),
]

RIGHT = [
    Case("q1", "solution", ns(my_mof_class=mof_solution)),
    Case("q1", "bottom-up", ns(my_mof_class=mof_bottom_up)),
    Case("q1", "numpy-int", ns(my_mof_class=mof_numpy)),
    Case("q1", "sorted-list-input", ns(my_mof_class=lambda components: mof_solution(sorted(components)))),
    Case("q2", "mapping-loop", ns(my_osaid=osaid_solution)),
    Case("q2", "explicit", ns(my_osaid=osaid_explicit)),
    Case("q2", "numpy-bool", ns(my_osaid=osaid_numpy)),
    Case("q3", "brute-force", ns(cheapest_change=change_solution)),
    Case("q3", "greedy-datasets", ns(cheapest_change=change_greedy)),
    Case("q3", "list-pair", ns(cheapest_change=change_lists)),
    Case("q3", "frozenset-numpy-bool", ns(cheapest_change=change_numpy)),
    Case("q4", "filter", ns(osi_validated=osi_solution)),
    Case("q4", "list-by-status", ns(osi_validated=osi_list)),
]


test_wrong_answer_fails, test_correct_variant_passes = table_tests(EXERCISE, WRONG, RIGHT)
