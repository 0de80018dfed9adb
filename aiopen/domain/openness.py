"""What does "open" mean for a model? The published frameworks, as code and sourced data.

Three lenses, each from its own source (see ``aiopen/domain/data/openness_*.csv``):

* the LF AI & Data **Model Openness Framework** (MOF, arXiv 2403.13784): 17 components
  in three cumulative classes, III Open Model < II Open Tooling < I Open Science;
* the OSI **Open Source AI Definition 1.0** (OSAID, 28 Oct 2024): data information,
  code and parameters, each under open terms, plus OSI's own published validations;
* the Stanford **Foundation Model Transparency Index** (FMTI) totals, and the 14-dimension
  openness scores of Liesenfeld & Dingemanse (FAccT '24).

A component whose status no source states is ``"unknown"``, never ``"no"``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from aiopen.domain.data import Provenance, rows
from aiopen.domain.wording import names

# --- Model Openness Framework -------------------------------------------------------------

CLASS_NAMES = {3: "Class III: Open Model", 2: "Class II: Open Tooling", 1: "Class I: Open Science"}
STATUSES = ("yes", "partial", "no", "disputed", "unknown")


@dataclass(frozen=True)
class MofComponent:
    """One of the MOF's 17 components, spelled as in the MOF's own settings file."""

    name: str
    short_label: str
    mof_class: int
    optional: bool
    description: str


MOF_COMPONENTS: tuple[MofComponent, ...] = tuple(
    MofComponent(
        name=row["component"],
        short_label=row["short_label"],
        mof_class=int(row["mof_class"]),
        optional=row["required"] == "no",
        description=row["description"],
    )
    for row in rows("openness_mof_components")
)


def _key(name: str) -> str:
    """Compare names ignoring case, repeated whitespace and '&' versus 'and'."""
    return re.sub(r"\s+", " ", name.replace("&", " and ")).strip().casefold()


_COMPONENT_BY_KEY = {_key(c.name): c.name for c in MOF_COMPONENTS}


def _suggest(name: str, candidates: Iterable[str]) -> str:
    by_key = {_key(c): c for c in candidates}
    close = difflib.get_close_matches(_key(name), list(by_key), n=3, cutoff=0.5)
    return f" Did you mean {', '.join(repr(by_key[k]) for k in close)}?" if close else ""


def canonical_component(name: str) -> str:
    """The MOF spelling of ``name`` (matched case- and whitespace-insensitively).

    Raises ``ValueError`` naming the unknown component and suggesting close matches.
    """
    try:
        return _COMPONENT_BY_KEY[_key(name)]
    except KeyError:
        raise ValueError(
            f"{name!r} is not one of the Model Openness Framework's 17 components."
            f"{_suggest(name, _COMPONENT_BY_KEY.values())} See aiopen.domain.openness.MOF_COMPONENTS for the list."
        ) from None


def required_for_class(mof_class: int) -> list[str]:
    """Required components for ``mof_class`` (3, 2 or 1), including those of the lower classes."""
    if mof_class not in CLASS_NAMES:
        raise ValueError(f"MOF classes are 3 (Open Model), 2 (Open Tooling) and 1 (Open Science), not {mof_class!r}.")
    return [c.name for c in MOF_COMPONENTS if not c.optional and c.mof_class >= mof_class]


def mof_missing(components: Iterable[str], mof_class: int) -> list[str]:
    """Required components that ``components`` lacks for ``mof_class``, in MOF order."""
    released = {canonical_component(c) for c in components}
    return [name for name in required_for_class(mof_class) if name not in released]


def mof_class(components: Iterable[str]) -> int | None:
    """The best MOF class a release with ``components`` reaches: 3, 2, 1, or ``None``.

    Classes are cumulative (Class II needs every required Class III component too) and
    optional components are never required. ``None`` means Class III is not met.
    """
    released = list(components)
    best = None
    for candidate in (3, 2, 1):
        if mof_missing(released, candidate):
            break
        best = candidate
    return best


# --- Sourced model table ------------------------------------------------------------------

ASSESSORS = {  # who says what a release ships: the kit's reading of primary documents, and two frameworks
    "kit": "The kit's reading of the developer's documents",
    "MOT": "LF AI & Data Model Openness Tool",
    "EOSAI": "European Open Source AI Index (Liesenfeld & Dingemanse)",
}


@dataclass(frozen=True)
class Verdict:
    """What one source says about one component of one release."""

    assessor: str  # a key of ASSESSORS
    status: str  # yes / partial / no
    provenance: Provenance
    evaluated: str | None = None  # the release the framework evaluated, when it names one
    value: str | None = None  # the framework's own rating, e.g. "partial" or "included (licence: MIT)"


@dataclass(frozen=True)
class ComponentFact:
    """Every source's verdict on one component of one release, and the status they add up to.

    ``status`` is the verdicts' common status, ``"disputed"`` when they differ, or
    ``"unknown"`` when no source rates the component (unknown is never "no").
    """

    verdicts: tuple[Verdict, ...] = ()

    @property
    def status(self) -> str:
        found = {v.status for v in self.verdicts}
        if not found:
            return "unknown"
        return found.pop() if len(found) == 1 else "disputed"

    def says(self, *statuses: str) -> bool:
        """True when at least one source rates the component and every one says one of ``statuses``."""
        return bool(self.verdicts) and all(v.status in statuses for v in self.verdicts)


UNKNOWN = ComponentFact()


@dataclass(frozen=True)
class ModelRelease:
    """One model release: licence and every source's verdict on each MOF component."""

    name: str
    developer: str
    licence: str
    licence_terms: str  # open / restrictive / closed
    osi_name: str | None
    provenance: Provenance
    components: Mapping[str, ComponentFact]

    def with_status(self, status: str) -> list[str]:
        """Components whose combined status is ``status``, in MOF order."""
        return [name for name, fact in self.components.items() if fact.status == status]

    @property
    def released(self) -> list[str]:
        """Components every source that rates them says are released (disputed or unknown count as absent)."""
        return self.with_status("yes")

    @property
    def mof_class(self) -> int | None:
        """MOF class from the components sources agree are released."""
        return mof_class(self.released)


def _verdicts() -> dict[tuple[str, str], list[Verdict]]:
    found: dict[tuple[str, str], list[Verdict]] = {}
    for row in rows("openness_model_components"):
        found.setdefault((row["model"], canonical_component(row["component"])), []).append(
            Verdict("kit", row["status"], Provenance.of(row))
        )
    for row in rows("openness_framework_evaluations"):
        found.setdefault((row["model"], canonical_component(row["component"])), []).append(
            Verdict(row["framework"], row["status"], Provenance.of(row), row["evaluated"], row["value"])
        )
    for (model_name, component), verdicts in found.items():
        for v in verdicts:
            if v.assessor not in ASSESSORS or v.status not in ("yes", "partial", "no"):
                raise ValueError(f"Openness of {model_name} / {component}: {v.assessor!r} says {v.status!r}; expected one of {', '.join(ASSESSORS)} saying yes, partial or no.")
    return found


@lru_cache(maxsize=None)
def _models() -> tuple[ModelRelease, ...]:
    verdicts = _verdicts()
    releases = rows("openness_models")
    unknown = {m for m, _ in verdicts} - {r["model"] for r in releases}
    if unknown:
        raise ValueError(f"Component verdicts name releases that openness_models.csv lacks: {', '.join(sorted(unknown))}.")
    return tuple(
        ModelRelease(
            name=row["model"],
            developer=row["developer"],
            licence=row["licence"],
            licence_terms=row["licence_terms"],
            osi_name=row["osi_name"],
            provenance=Provenance.of(row),
            components={c.name: ComponentFact(tuple(verdicts.get((row["model"], c.name), ()))) for c in MOF_COMPONENTS},
        )
        for row in releases
    )


def models() -> list[ModelRelease]:
    """The sourced model table (Llama 2 ... GPT-4), one ``ModelRelease`` per model."""
    return list(_models())


WEIGHTS, TRAINING_CODE, DATASETS = "Model parameters (Final)", "Training code", "Datasets"


def category(release: ModelRelease) -> str | None:
    """The release's openness in one word, derived from its component verdicts.

    ``"closed"`` when every source says the final weights are not released; ``"open"`` when
    the weights are released (fully or gated) and every source says the training code and
    the datasets are released; ``"weights"`` for other releases with weights; ``None`` when
    the sources disagree about the weights or none rates them.
    """
    weights = release.components[WEIGHTS]
    if weights.says("no"):
        return "closed"
    if not weights.says("yes", "partial"):
        return None
    return "open" if release.components[TRAINING_CODE].says("yes") and release.components[DATASETS].says("yes") else "weights"


CATEGORY_LABELS = {  # the values of category()
    "open": "Weights, training code and data released",
    "weights": "Weights released; code or data not (or disputed)",
    "closed": "Weights not released (API only)",
    None: "Sources disagree on the weights",
}


def category_of(release_name: str | None) -> str | None:
    """The category of the release called ``release_name`` (``None`` for no release)."""
    return category(model(release_name)) if release_name else None


def unknown_share(releases: Iterable[ModelRelease]) -> float:
    """Share of (release, component) cells that no source rates."""
    statuses = [fact.status for release in releases for fact in release.components.values()]
    return statuses.count("unknown") / len(statuses) if statuses else 0.0


class UnknownModelError(KeyError, ValueError):
    """A model name that is in none of the kit's tables (a KeyError and a ValueError)."""

    def __str__(self) -> str:
        return str(self.args[0])


def _osi_rows() -> dict[str, dict[str, str | None]]:
    return {_key(row["model"]): row for row in rows("openness_osaid")}


def _all_names() -> list[str]:
    return [m.name for m in _models()] + [row["model"] for row in _osi_rows().values()]


def model(name: str) -> ModelRelease:
    """The release called ``name`` (case-insensitive); ``UnknownModelError`` if there is none."""
    for release in _models():
        if _key(release.name) == _key(name):
            return release
    raise UnknownModelError(f"No model called {name!r} in the openness table.{_suggest(name, _all_names())}")


# --- Open Source AI Definition 1.0 --------------------------------------------------------

DATA_INFORMATION = "Data information"
CODE = "Code under an OSI licence"
PARAMETERS = "Parameters under open terms"
REQUIREMENTS = (DATA_INFORMATION, CODE, PARAMETERS)

OSAID_SOURCE = "OSI, The Open Source AI Definition 1.0, opensource.org/ai/open-source-ai-definition"
OSAID_DATE = "2024-10-28"
OSAID_ACCESSED = "2026-11-27"

# The kit's interpretation (OSI publishes no mapping onto MOF components):
# - Data information: a Data card, or the Datasets themselves (OSAID requires a complete
#   description of the data, not the data).
# - Code: all the code OSAID lists (data processing, training, validation, inference,
#   architecture) -> these five MOF components, under an open licence.
# - Parameters: the final parameters, under open terms. Checkpoints are examples in OSAID,
#   not requirements, so intermediate parameters are not needed.
# One licence choice covers code and parameters (a simplification: real releases can
# license them differently, as BLOOM does).
OSAID_MAPPING: dict[str, tuple[str, tuple[str, ...]]] = {
    DATA_INFORMATION: ("any", ("Data card", "Datasets")),
    CODE: ("all", ("Model architecture", "Data preprocessing code", "Training code", "Inference code", "Evaluation code")),
    PARAMETERS: ("all", ("Model parameters (Final)",)),
}
LICENCED_REQUIREMENTS = (CODE, PARAMETERS)


@dataclass(frozen=True)
class OsaidVerdict:
    """Whether a release meets the OSAID 1.0, which requirements it misses, and who says so."""

    meets: bool
    missing: list[str]
    unknown: list[str] = field(default_factory=list)
    model: str | None = None
    assessed_by: str = "kit"  # "OSI" (published validation) or "kit" (this module's reading)
    source: str = OSAID_SOURCE
    published: str = OSAID_DATE
    accessed: str = OSAID_ACCESSED
    verification: str = "derived"
    notes: str | None = None

    @property
    def status(self) -> str:
        """'meets', 'fails', or 'unknown' (the kit's reading found nothing missing, but not everything is known)."""
        if self.meets:
            return "meets"
        return "fails" if self.missing or self.assessed_by == "OSI" else "unknown"

    @property
    def summary(self) -> str:
        """Plain-language sentences for captions and widgets, saying who decided what."""
        verb = {"meets": "meets", "fails": "does not meet", "unknown": "cannot be shown to meet"}[self.status]
        who = "OSI's published validation" if self.assessed_by == "OSI" else "The kit's reading"
        sentences = [f"{who}: {verb} the Open Source AI Definition 1.0."]
        reading = " (the kit's reading)" if self.assessed_by == "OSI" else ""
        if self.missing:
            sentences.append(f"Missing{reading}: {', '.join(self.missing)}.")
        if self.unknown:
            sentences.append(f"Not known from the sources: {', '.join(self.unknown)}.")
        return " ".join(sentences)


def _requirement_states(statuses: Mapping[str, str], licence_terms: str | None) -> dict[str, str]:
    """'met' / 'missing' / 'unknown' per OSAID requirement, from component statuses and licence.

    A disputed component counts as unknown: the kit does not pick a side.
    """
    states = {}
    for requirement, (mode, components) in OSAID_MAPPING.items():
        values = ["unknown" if s == "disputed" else s for s in (statuses.get(c, "unknown") for c in components)]
        if mode == "any":
            state = "met" if "yes" in values else "unknown" if "unknown" in values else "missing"
        else:
            state = "missing" if {"no", "partial"} & set(values) else "unknown" if "unknown" in values else "met"
        if requirement in LICENCED_REQUIREMENTS and state != "missing":
            if licence_terms in ("restrictive", "closed"):
                state = "missing"
            elif licence_terms != "open":
                state = "unknown"
        states[requirement] = state
    return states


def _verdict(states: Mapping[str, str], **provenance: str | None) -> OsaidVerdict:
    return OsaidVerdict(
        meets=all(s == "met" for s in states.values()),
        missing=[r for r in REQUIREMENTS if states[r] == "missing"],
        unknown=[r for r in REQUIREMENTS if states[r] == "unknown"],
        **provenance,
    )


def _yes_or_no(value: object, name: str) -> bool:
    """``True`` or ``False`` (numpy's too), nothing else: a string such as "no" is truthy, so it is refused."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ValueError(f"{name} must be True or False, not {value!r:.60}.")


def osaid_check(data_information: bool, code_open: bool, parameters_open: bool) -> OsaidVerdict:
    """Verdict for a release described by the three OSAID requirements directly (each True or False)."""
    met = {DATA_INFORMATION: _yes_or_no(data_information, "data_information"), CODE: _yes_or_no(code_open, "code_open"),
           PARAMETERS: _yes_or_no(parameters_open, "parameters_open")}
    return _verdict({r: "met" if ok else "missing" for r, ok in met.items()})


def osaid_from_release(components: Iterable[str], licence_open: bool) -> OsaidVerdict:
    """Verdict for a release that ships exactly ``components`` (MOF names) under one licence (True or False).

    Uses ``OSAID_MAPPING``, the kit's interpretation, not an OSI publication.
    """
    licence_open = _yes_or_no(licence_open, "licence_open")
    if isinstance(components, str) or not isinstance(components, Iterable):
        raise ValueError(f"components must be a list of MOF component names, not {components!r:.60}.")
    components = list(components)
    if not all(isinstance(c, str) for c in components):
        raise ValueError("Every component must be a MOF component name (a string); see aiopen.domain.openness.MOF_COMPONENTS.")
    released = {canonical_component(c) for c in components}
    statuses = {c.name: "yes" if c.name in released else "no" for c in MOF_COMPONENTS}
    return _verdict(_requirement_states(statuses, "open" if licence_open else "restrictive"))


_OSI_MISSING_BY_RESULT = {"licence changes needed": "Open licence terms (OSI: they 'would probably pass if they changed their licenses')"}


def osaid_verdict(name: str) -> OsaidVerdict:
    """OSAID verdict for a model, by name (case-insensitive).

    OSI's own published validation when there is one (``assessed_by == "OSI"``); for the
    kit's other models, the kit's reading of their sourced components and licence
    (``assessed_by == "kit"``). Which requirements a model misses is always the kit's
    reading: OSI publishes only the verdict. Unknown names raise ``UnknownModelError``.
    """
    osi = _osi_rows()
    release = next((m for m in _models() if _key(m.name) == _key(name)), None)
    osi_key = _key(release.osi_name) if release and release.osi_name else _key(name)
    if release is None and osi_key not in osi:
        raise UnknownModelError(f"No model called {name!r} has an openness verdict in the kit.{_suggest(name, _all_names())}")
    if release is None:
        release = next((m for m in _models() if m.osi_name and _key(m.osi_name) == osi_key), None)
    states = (
        _requirement_states({c: f.status for c, f in release.components.items()}, release.licence_terms)
        if release
        else dict.fromkeys(REQUIREMENTS, "unknown")
    )
    row = osi.get(osi_key)
    if row is None:
        return _verdict(states, model=release.name, notes="No OSI validation published; derived from the kit's sourced components.")
    result = row["osi_result"]
    provenance = dict(
        model=release.name if release else row["model"],
        assessed_by="OSI",
        source=row["source"],
        published=row["published"],
        accessed=row["accessed"],
        verification=row["verification"],
        notes=row["notes"],
    )
    if result == "meets":
        return OsaidVerdict(meets=True, missing=[], **provenance)
    if result in _OSI_MISSING_BY_RESULT:
        return OsaidVerdict(meets=False, missing=[_OSI_MISSING_BY_RESULT[result]], **provenance)
    derived = _verdict(states)
    return OsaidVerdict(meets=False, missing=derived.missing, unknown=derived.unknown, **provenance)


# --- Transparency and openness scores -----------------------------------------------------

FMTI_INDICES = {"2023-10": "Oct 2023", "2024-05": "May 2024", "2025-12": "Dec 2025 (revised indicators)"}


@dataclass(frozen=True)
class Score:
    """A sourced total: FMTI (out of 100) or Liesenfeld & Dingemanse (out of 14)."""

    subject: str  # developer (FMTI) or the kit's model name (Liesenfeld)
    assessed: str | None  # flagship model (FMTI) or the release the paper scored
    edition: str  # FMTI index date, or "FAccT '24"
    total: float
    out_of: int
    provenance: Provenance


def fmti_scores() -> list[Score]:
    """FMTI totals per developer and index (Oct 2023, May 2024, Dec 2025 revised)."""
    return [
        Score(r["developer"], r["flagship"], r["index"], float(r["total"]), 100, Provenance.of(r))
        for r in rows("openness_fmti")
        if r["kind"] == "developer"
    ]


def fmti_means() -> dict[str, float]:
    """The published mean total of each FMTI index, keyed like ``FMTI_INDICES``."""
    return {r["index"]: float(r["total"]) for r in rows("openness_fmti") if r["kind"] == "mean"}


def liesenfeld_scores() -> dict[str, Score]:
    """Liesenfeld & Dingemanse openness totals out of 14, keyed by the kit's model name."""
    return {
        r["model"]: Score(r["model"], r["assessed_release"], "FAccT '24", float(r["total"]), int(r["out_of"]), Provenance.of(r))
        for r in rows("openness_liesenfeld")
    }


# --- Captions computed from the tables ----------------------------------------------------


def _edition(edition: str) -> str:
    """``"2023-10"`` -> ``"Oct 2023"``: the index's name without its qualifier."""
    return FMTI_INDICES[edition].split(" (")[0]



def checklist_caption() -> str:
    """What the release checklist shows, with the frameworks' sources read from the tables."""
    mof_source = rows("openness_mof_components")[0]["source"].split("; ")[-1]
    return (
        f"Checklist of the Model Openness Framework's {len(MOF_COMPONENTS)} components ({mof_source}) in its "
        f"{len(CLASS_NAMES)} cumulative classes, and the {len(REQUIREMENTS)} requirements of the OSI Open Source AI Definition "
        f"({OSAID_SOURCE.split(', ')[-1]}, {OSAID_DATE}). The mapping from components to OSI requirements is the kit's interpretation "
        "(see aiopen.domain.openness.OSAID_MAPPING); OSI publishes no such mapping. Presets 'as sourced' tick only what every source states."
    )


def fmti_caption() -> str:
    """What the FMTI chart shows, with its figures read from ``openness_fmti.csv``.

    The first two indices share one set of indicators; the latest one revised them.
    """
    means = fmti_means()
    first, second, *_, latest = sorted(means)
    totals: dict[str, dict[str, Score]] = {}
    for score in fmti_scores():
        totals.setdefault(score.edition, {})[score.subject] = score
    leader = max(totals[first].values(), key=lambda s: s.total)
    top = max(totals[second].values(), key=lambda s: s.total)
    newest = totals[latest]
    best = max(newest.values(), key=lambda s: s.total)
    low = min(s.total for s in newest.values())
    lowest = sorted(s.subject for s in newest.values() if s.total == low)
    leader_now = f", {leader.subject} {newest[leader.subject].total:g}" if leader.subject in newest else ""
    return (
        f"Dumbbell chart of FMTI totals (out of 100) by developer: {_edition(first)} (mean {means[first]:g}) and {_edition(second)} "
        f"(mean {means[second]:g}) joined by grey lines; dotted lines mark the means. Top in {_edition(second)}: {top.subject} "
        f"({top.assessed}), {top.total:g}; {leader.subject}, the {_edition(first)} leader, {leader.total:g} → "
        f"{totals[second][leader.subject].total:g}. {_edition(latest)} ({len(newest)} developers, mean {means[latest]:g}) revised the "
        f"indicators, so it is not comparable: {best.subject} {best.total:g} at the top, {names(lowest)} {low:g}{leader_now}. "
        "Source: github.com/stanford-crfm/fmti score files (hover)."
    )


def heatmap_facts(releases: Iterable[ModelRelease]) -> str:
    """What the openness heatmap's data say, in sentences computed from the component verdicts."""
    releases = list(releases)
    statuses = [fact.status for r in releases for fact in r.components.values()]
    with_weights = [r.name for r in releases if r.components[WEIGHTS].says("yes", "partial")]
    fully = [r.name for r in releases if category(r) == "open"]
    assessors = sorted({v.assessor for r in releases for f in r.components.values() for v in f.verdicts}, key=list(ASSESSORS).index)
    return (
        f"{len(releases)} releases: {unknown_share(releases):.0%} of cells unknown (no source rates them), {statuses.count('disputed')} disputed "
        f"(sources disagree; the hover gives every verdict). {len(with_weights)} of {len(releases)} release their final weights in every "
        f"source's reading; only {names(fully) if fully else 'none'} also release training code and datasets. "
        f"Sources: {'; '.join(ASSESSORS[a] for a in assessors)}."
    )


# --- What the openness views show: a release's checklist, orderings ---------------------------


@dataclass(frozen=True)
class ClassProgress:
    """How far a set of components goes towards one MOF class (classes are cumulative)."""

    mof_class: int
    required: int  # components this class requires, lower classes' included
    missing: tuple[str, ...]  # required components not in the set
    own_missing: tuple[str, ...]  # of those, the ones this class itself adds (short labels)
    unmet_below: tuple[int, ...]  # lower classes (higher numbers) not met

    @property
    def done(self) -> int:
        return self.required - len(self.missing)

    @property
    def share(self) -> float:
        return self.done / self.required


@dataclass(frozen=True)
class ReleaseCheck:
    """What a release that ships ``components`` under an open (or restrictive) licence earns."""

    components: tuple[str, ...]
    licence_open: bool
    mof_class: int | None
    progress: tuple[ClassProgress, ...]  # Class III, II, I
    osaid: OsaidVerdict


def class_progress(components: Iterable[str], mof_class_: int) -> ClassProgress:
    """Progress of ``components`` towards ``mof_class_`` (3, 2 or 1)."""
    components = list(components)
    missing = mof_missing(components, mof_class_)
    return ClassProgress(
        mof_class=mof_class_,
        required=len(required_for_class(mof_class_)),
        missing=tuple(missing),
        own_missing=tuple(c.short_label for c in MOF_COMPONENTS if c.name in missing and c.mof_class == mof_class_),
        unmet_below=tuple(k for k in sorted(CLASS_NAMES, reverse=True) if k > mof_class_ and mof_missing(components, k)),
    )


def check_release(components: Iterable[str], licence_open: bool) -> ReleaseCheck:
    """The MOF class, the progress towards each class and the OSAID verdict of a release."""
    components = tuple(components)
    return ReleaseCheck(
        components=components,
        licence_open=licence_open,
        mof_class=mof_class(components),
        progress=tuple(class_progress(components, k) for k in sorted(CLASS_NAMES, reverse=True)),
        osaid=osaid_from_release(components, licence_open),
    )


RELEASE_SORTS = ("Name (A-Z)", "Components released", "MOF class")


def released_score(release: ModelRelease) -> float:
    """Components released, a partial one counting half."""
    return len(release.released) + 0.5 * len(release.with_status("partial"))


def sort_releases(releases: Iterable[ModelRelease], by: str) -> list[ModelRelease]:
    """``releases`` ordered by name, by components released (most first), or by MOF class (best first)."""
    keys = {
        "Name (A-Z)": lambda m: m.name.casefold(),
        "Components released": lambda m: (-released_score(m), m.name.casefold()),
        "MOF class": lambda m: (m.mof_class or 4, -released_score(m), m.name.casefold()),
    }
    if by not in keys:
        raise ValueError(f"Sort by one of {', '.join(RELEASE_SORTS)}, not {by!r}.")
    return sorted(releases, key=keys[by])


FMTI_NAME_SORT = "Developer name"


def fmti_editions() -> list[str]:
    """FMTI index ids in the data, oldest first; the first two share one set of indicators."""
    return sorted(fmti_means())


def fmti_totals() -> dict[str, dict[str, float]]:
    """Developer -> FMTI index id -> total."""
    totals: dict[str, dict[str, float]] = {}
    for score in fmti_scores():
        totals.setdefault(score.subject, {})[score.edition] = score.total
    return totals


def _change_sort(first: str, second: str) -> str:
    return f"Change {FMTI_INDICES[first]} → {FMTI_INDICES[second]}"


def fmti_sorts() -> tuple[str, ...]:
    """The FMTI chart's orders, named after the indices in the data."""
    first, second, *_ = fmti_editions()
    return (f"{FMTI_INDICES[second]} total", _change_sort(first, second), f"{FMTI_INDICES[first]} total", FMTI_NAME_SORT)


def sort_developers(totals: Mapping[str, Mapping[str, float]], by: str) -> list[str]:
    """Developers ordered top to bottom by one of :func:`fmti_sorts`; those without the value go last."""
    first, second, *_ = fmti_editions()
    missing = float("-inf")
    keys = {
        f"{FMTI_INDICES[second]} total": lambda d: -totals[d].get(second, missing),
        _change_sort(first, second): lambda d: -(totals[d][second] - totals[d][first]) if {first, second} <= set(totals[d]) else float("inf"),
        f"{FMTI_INDICES[first]} total": lambda d: -totals[d].get(first, missing),
        FMTI_NAME_SORT: lambda d: 0,
    }
    if by not in keys:
        raise ValueError(f"Sort by one of {', '.join(keys)}, not {by!r}.")
    return sorted(sorted(totals, key=str.casefold), key=keys[by])
