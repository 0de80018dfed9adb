"""Checks for exercise 01_openness: the MOF by hand, OSAID verdicts, the cheapest fix, who says so."""

from __future__ import annotations

from aiopen.checks import Answers, Mismatch, expect
from aiopen.openness import CLASS_NAMES, MOF_COMPONENTS, OSAID_MAPPING, mof_class, models, osaid_from_release, osaid_verdict

ALL = {c.name for c in MOF_COMPONENTS}
OPTIONAL = {c.name for c in MOF_COMPONENTS if c.optional}


def _required(mof_class_: int) -> set[str]:
    return {c.name for c in MOF_COMPONENTS if not c.optional and c.mof_class >= mof_class_}


CUMULATIVE = "Classes are cumulative: Class II and Class I also need every required Class III component."
MOF_CASES = [  # (description, components, hint if wrong)
    ("all 17 components", ALL, "All required components of every class are there."),
    ("the required Class III components only", _required(3), "Required Class III components are enough for Class III."),
    ("the required Class III and Class II components", _required(2), "Look at .mof_class >= 2 for Class II."),
    ("every required component, no optional one", _required(1), "Optional components never count, present or not."),
    ("every component except the Data card", ALL - {"Data card"}, CUMULATIVE),
    ("every component except Training code", ALL - {"Training code"}, "One missing Class II component stops at Class III."),
    ("every component except Datasets", ALL - {"Datasets"}, "Datasets is a Class I component."),
    ("only the optional components", OPTIONAL, "Optional components never count."),
    ("no components", set(), "Nothing released reaches no class: return None."),
]


def _class_name(value: object) -> str:
    return CLASS_NAMES.get(value, "None (below Class III)") if value is None or isinstance(value, int) else repr(value)


def q1(answers: Answers) -> None:
    classify = answers.function("my_mof_class")
    for description, components, hint in MOF_CASES:
        wanted, got = mof_class(components), classify(set(components))
        expect(got == wanted and type(got) is type(wanted), f"{_class_name(wanted)} for {description}", _class_name(got), hint)


def q2(answers: Answers) -> None:
    releases, meets = answers["RELEASES"], answers["meets_osaid"]
    expect(isinstance(meets, dict), "a dict: release name -> True/False", f"a {type(meets).__name__}")
    expect(set(meets) == set(releases), f"one entry for each of {sorted(releases)}", f"entries for {sorted(meets)}")
    for name, release in releases.items():
        wanted = osaid_from_release(release["components"], release["licence_open"]).meets
        expect(isinstance(meets[name], bool), f"True or False for {name}", repr(meets[name]))
        if meets[name] != wanted:
            hint = (
                "Check each requirement in turn; one of them is not met."
                if meets[name]
                else "The OSAID asks for data information, the five code components, the final parameters and open terms, not for MOF documents."
            )
            raise Mismatch(f"a different verdict for {name}", repr(meets[name]), hint)


def _fewest_additions(components: set[str]) -> int:
    """Reference: count what each OSAID requirement still needs (the kit's reading)."""
    needed = 0
    for mode, needs in OSAID_MAPPING.values():
        absent = [c for c in needs if c not in components]
        needed += (1 if len(absent) == len(needs) else 0) if mode == "any" else len(absent)
    return needed


FIX_CASES = [  # (description, components, licence_open)
    ("an open release of every component", ALL, True),
    ("a restricted release of every component", ALL, False),
    ("open weights and an inference script only", {"Model parameters (Final)", "Inference code"}, True),
    ("a restricted release of weights, a model card and a report", {"Model parameters (Final)", "Model card", "Technical report"}, False),
    ("the Class II release Cedar-1B", _required(2) | {"Supporting libraries and tools"}, True),
]


def q3(answers: Answers) -> None:
    change = answers.function("cheapest_change")
    for description, components, licence_open in FIX_CASES:
        result = change(set(components), licence_open)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise Mismatch("a pair (set of components to add, True/False)", f"{result!r:.80}", "return to_add, open_licence")
        to_add, open_licence = set(result[0]), result[1]
        unknown = to_add - ALL
        expect(not unknown, "MOF component names", f"{sorted(unknown)}", "Names as in MOF_COMPONENTS, e.g. 'Training code'.")
        expect(
            open_licence == (not licence_open),
            f"open_licence={not licence_open} for {description}",
            repr(open_licence),
            "The licence must change exactly when it is not open already.",
        )
        expect(
            osaid_from_release(set(components) | to_add, licence_open=True).meets,
            f"additions that make {description} meet the OSAID",
            f"still missing: {', '.join(osaid_from_release(set(components) | to_add, licence_open=True).missing)}",
        )
        fewest = _fewest_additions(set(components))
        expect(
            len(to_add) == fewest,
            f"the smallest set of additions for {description}",
            f"{len(to_add)} components",
            "Try smaller sets first; Data card and Datasets each satisfy data information.",
        )


def q4(answers: Answers) -> None:
    got = answers["osi_says_open"]
    expect(isinstance(got, (set, list, tuple, frozenset)), "a set of model names", f"a {type(got).__name__}")
    wanted = {m.name for m in models() if osaid_verdict(m.name).meets and osaid_verdict(m.name).assessed_by == "OSI"}
    extra, absent = set(got) - wanted, wanted - set(got)
    if extra:
        raise Mismatch(
            "only models OSI itself validated as meeting the OSAID",
            f"also {sorted(extra)}",
            "Keep a model only if its verdict .meets and .assessed_by == 'OSI'.",
        )
    expect(not absent, f"{len(wanted)} models", f"{len(set(got))} (one or more missing)", "Look at every row of models().")


QUESTIONS = {"q1": q1, "q2": q2, "q3": q3, "q4": q4}
