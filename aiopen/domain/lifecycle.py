"""Is AI like other software? The lifecycle comparison, its cells filled from the sourced tables.

``aiopen/domain/data/lifecycle_comparison.csv`` holds the words; a ``{placeholder}`` in a cell is a
fact that lives in another table and is filled in here, so each fact is written once:

* ``{weights_only}``: releases whose final weights every source calls released and whose
  training code and datasets every source calls not released (``aiopen.domain.openness``);
* ``{osi_meets}``: the kit's releases that OSI validated as meeting its definition;
* ``{gpu_hours:<model>}``: a model's published training GPU-hours (``models.csv``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiopen.domain import data
from aiopen.domain import openness as o
from aiopen.domain.wording import names

_PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::([^}]+))?\}")


@dataclass(frozen=True)
class LifecycleRow:
    """One aspect compared: conventional open-source software vs a typical open-weights model release."""

    aspect: str
    software: str
    model: str
    provenance: data.Provenance



def _millions(value: float) -> str:
    return f"{value / 1e6:.4g}M"


def _value(name: str, argument: str | None) -> str:
    releases = o.models()
    if name == "weights_only":
        return names([
            r.name for r in releases
            if r.components[o.WEIGHTS].says("yes", "partial") and r.components[o.TRAINING_CODE].says("no") and r.components[o.DATASETS].says("no")
        ])
    if name == "osi_meets":
        return names([r.name for r in releases if o.osaid_verdict(r.name).assessed_by == "OSI" and o.osaid_verdict(r.name).meets])
    if name == "gpu_hours" and argument:
        hours = data.model(argument).gpu_hours
        if hours is None:
            raise ValueError(f"lifecycle_comparison.csv asks for the GPU-hours of {argument}, which models.csv does not publish.")
        return _millions(hours)
    raise ValueError(f"lifecycle_comparison.csv has an unknown placeholder {{{name}}}.")


def fill(text: str) -> str:
    """``text`` with every ``{placeholder}`` replaced by the fact it names."""
    return _PLACEHOLDER.sub(lambda m: _value(m.group(1), m.group(2)), text)


def lifecycle_rows() -> list[LifecycleRow]:
    """The comparison's rows, placeholders filled, each with its source."""
    return [
        LifecycleRow(row["aspect"], fill(row["software"]), fill(row["model"]), data.Provenance.of({**row, "notes": fill(row["notes"] or "")}))
        for row in data.rows("lifecycle_comparison")
    ]
