"""Sourced data tables shipped with the kit.

Each CSV in this folder has one row per fact and carries its own provenance in
the columns ``source`` (paper + table, or URL), ``source_date`` and
``verification`` (``checked`` = against the primary text, ``secondary`` = seen
in a source that quotes the primary, ``unverified``, or ``derived`` = computed
from sourced inputs). Empty cells mean "not published", never zero. A source that
names "facts.md" points at the kit's fact sheet, ``docs/facts.md`` (gathered
2026-11-27), which gives the primary source and how well it was checked.
"""

from __future__ import annotations

import csv
import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

DATA_DIR = Path(__file__).parent
VERIFICATION_LEVELS = ("checked", "secondary", "unverified", "derived")


@lru_cache(maxsize=None)
def _read(name: str) -> tuple[dict[str, str | None], ...]:
    path = DATA_DIR / f"{name}.csv"
    if not path.exists():
        raise KeyError(f"No data table called {name!r} in {DATA_DIR}.")
    with path.open(newline="", encoding="utf-8") as handle:
        return tuple(
            {key: (value.strip() or None) for key, value in row.items()}
            for row in csv.DictReader(handle)
        )


def rows(name: str) -> list[dict[str, str | None]]:
    """Rows of ``data/<name>.csv`` as dicts of strings; empty cells become ``None``."""
    return [dict(row) for row in _read(name)]


# --- Model-size cost tables: models, GPUs, prices, carbon intensity ---------
#
# ``source_date`` is the publication date of the cited paper or announcement
# (YYYY, YYYY-MM or YYYY-MM-DD); for living web pages such as model cards and
# product pages it is the date the kit's fact sheet read them (2026-11-27).

OPENNESS_LABELS = {
    "open": "Weights, code and data open",
    "weights": "Weights only",
    "closed": "Closed (API only)",
    None: "Openness not recorded",
}


@dataclass(frozen=True)
class Provenance:
    """Where a row's figures come from and how well they were checked."""

    source: str
    source_date: str
    verification: str
    notes: str = ""


@dataclass(frozen=True)
class Architecture:
    """The shape that sets the KV cache: layers, key/value heads, head dimension."""

    layers: int
    kv_heads: int
    head_dim: int
    provenance: Provenance


@dataclass(frozen=True)
class Openness:
    """Licence and released components; ``category`` is open, weights or closed."""

    licence: str | None
    weights: str | None
    training_code: str | None
    training_data: str | None
    category: str
    provenance: Provenance

    @property
    def label(self) -> str:
        return OPENNESS_LABELS[self.category]


@dataclass(frozen=True)
class Model:
    """Published training figures of one model. ``None`` means not published.

    Units: ``params`` (parameters), ``training_tokens`` (tokens), ``gpu_hours``
    (accelerator-hours of ``gpu_type``), ``co2_t`` (tonnes CO2eq, on the basis in
    ``co2_basis``), ``energy_mwh`` (MWh).
    """

    name: str
    family: str
    params: float | None
    training_tokens: float | None
    gpu_hours: float | None
    gpu_type: str | None
    co2_t: float | None
    co2_basis: str | None
    energy_mwh: float | None
    provenance: Provenance
    field_verification: Mapping[str, str] = field(default_factory=dict)
    architecture: Architecture | None = None
    openness: Openness | None = None

    def verification_of(self, name: str) -> str:
        """Verification level of one figure (falls back to the row's level)."""
        return self.field_verification.get(name, self.provenance.verification)

    @property
    def openness_label(self) -> str:
        return self.openness.label if self.openness else OPENNESS_LABELS[None]


@dataclass(frozen=True)
class Gpu:
    """An accelerator: ``memory_gb`` (GB = 1e9 bytes), ``bandwidth_gb_s`` (GB/s), ``power_w`` (W)."""

    name: str
    memory_gb: float
    memory_type: str | None
    bandwidth_gb_s: float
    power_w: float | None
    provenance: Provenance

    @property
    def memory_bytes(self) -> float:
        return self.memory_gb * 1e9

    @property
    def bandwidth_bytes_per_s(self) -> float:
        return self.bandwidth_gb_s * 1e9


@dataclass(frozen=True)
class Price:
    """A dated cloud offer; ``price_per_gpu_hour`` in US dollars (``_high`` when a range)."""

    offer: str
    gpu: str
    gpus_per_instance: int
    price_per_instance_hour: float | None
    price_per_gpu_hour: float
    price_per_gpu_hour_high: float | None
    valid: str
    is_default: bool
    provenance: Provenance


@dataclass(frozen=True)
class CarbonIntensity:
    """A sourced carbon intensity, per kWh and/or per GPU-hour (kg CO2eq)."""

    name: str
    kg_co2_per_kwh: float | None
    kg_co2_per_gpu_hour: float | None
    provenance: Provenance


MODEL_FIGURES = ("params", "training_tokens", "gpu_hours", "co2_t", "energy_mwh")


def _number(row: Mapping[str, str | None], key: str, table: str) -> float | None:
    text = row.get(key)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{table}.csv: {key} of {_row_name(row)!r} is {text!r}, which is not a number.") from None
    if math.isnan(value) or math.isinf(value) or value < 0:
        raise ValueError(f"{table}.csv: {key} of {_row_name(row)!r} must be a finite number of zero or more, not {text}.")
    return value


def _row_name(row: Mapping[str, str | None]) -> str | None:
    return row.get("name") or row.get("family") or row.get("offer")


def _provenance(row: Mapping[str, str | None], table: str) -> Provenance:
    for key in ("source", "source_date", "verification"):
        if not row.get(key):
            raise ValueError(f"{table}.csv: the row {_row_name(row)!r} has no {key}.")
    level = row["verification"]
    if level not in VERIFICATION_LEVELS:
        raise ValueError(f"{table}.csv: verification {level!r} of {_row_name(row)!r} is not one of {', '.join(VERIFICATION_LEVELS)}.")
    return Provenance(row["source"], row["source_date"], level, row.get("notes") or "")


@lru_cache(maxsize=None)
def _models() -> tuple[Model, ...]:
    architectures = {
        row["name"]: Architecture(
            layers=int(_number(row, "layers", "model_architectures")),
            kv_heads=int(_number(row, "kv_heads", "model_architectures")),
            head_dim=int(_number(row, "head_dim", "model_architectures")),
            provenance=_provenance(row, "model_architectures"),
        )
        for row in _read("model_architectures")
    }
    openness = {
        row["family"]: Openness(
            licence=row["licence"],
            weights=row["weights"],
            training_code=row["training_code"],
            training_data=row["training_data"],
            category=row["openness"],
            provenance=_provenance(row, "model_openness"),
        )
        for row in _read("model_openness")
    }
    result = []
    for row in _read("models"):
        levels = {}
        for figure in MODEL_FIGURES:
            level = row[f"{figure}_verification"]
            if level is not None:
                if level not in VERIFICATION_LEVELS:
                    raise ValueError(f"models.csv: {figure}_verification of {row['name']!r} is {level!r}, not one of {', '.join(VERIFICATION_LEVELS)}.")
                levels[figure] = level
        result.append(
            Model(
                name=row["name"],
                family=row["family"],
                gpu_type=row["gpu_type"],
                co2_basis=row["co2_basis"],
                provenance=_provenance(row, "models"),
                field_verification=levels,
                architecture=architectures.get(row["name"]),
                openness=openness.get(row["family"]),
                **{figure: _number(row, figure, "models") for figure in MODEL_FIGURES},
            )
        )
    return tuple(result)


@lru_cache(maxsize=None)
def _gpus() -> tuple[Gpu, ...]:
    return tuple(
        Gpu(
            name=row["name"],
            memory_gb=_number(row, "memory_gb", "gpus"),
            memory_type=row["memory_type"],
            bandwidth_gb_s=_number(row, "bandwidth_gb_s", "gpus"),
            power_w=_number(row, "power_w", "gpus"),
            provenance=_provenance(row, "gpus"),
        )
        for row in _read("gpus")
    )


@lru_cache(maxsize=None)
def _prices() -> tuple[Price, ...]:
    return tuple(
        Price(
            offer=row["offer"],
            gpu=row["gpu"],
            gpus_per_instance=int(_number(row, "gpus_per_instance", "prices")),
            price_per_instance_hour=_number(row, "price_per_instance_hour", "prices"),
            price_per_gpu_hour=_number(row, "price_per_gpu_hour", "prices"),
            price_per_gpu_hour_high=_number(row, "price_per_gpu_hour_high", "prices"),
            valid=row["valid"],
            is_default=row["is_default"] == "yes",
            provenance=_provenance(row, "prices"),
        )
        for row in _read("prices")
    )


@lru_cache(maxsize=None)
def _carbon_intensities() -> tuple[CarbonIntensity, ...]:
    return tuple(
        CarbonIntensity(
            name=row["name"],
            kg_co2_per_kwh=_number(row, "kg_co2_per_kwh", "carbon_intensity"),
            kg_co2_per_gpu_hour=_number(row, "kg_co2_per_gpu_hour", "carbon_intensity"),
            provenance=_provenance(row, "carbon_intensity"),
        )
        for row in _read("carbon_intensity")
    )


def models() -> list[Model]:
    """Every model in ``models.csv`` with its architecture and openness joined in."""
    return list(_models())


def gpus() -> list[Gpu]:
    """Every accelerator in ``gpus.csv``."""
    return list(_gpus())


def prices() -> list[Price]:
    """Every dated cloud price in ``prices.csv``."""
    return list(_prices())


def carbon_intensities() -> list[CarbonIntensity]:
    """Every sourced carbon intensity in ``carbon_intensity.csv``."""
    return list(_carbon_intensities())


Named = TypeVar("Named", Model, Gpu)


def _by_name(items: Iterable[Named], name: str, what: str) -> Named:
    index = {item.name.casefold(): item for item in items}
    found = index.get(str(name).strip().casefold())
    if found is not None:
        return found
    names = [item.name for item in index.values()]
    close = difflib.get_close_matches(str(name), names, n=3, cutoff=0.4)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else f" Known: {', '.join(names)}."
    raise ValueError(f"There is no {what} called {name!r} in the kit's data.{hint}")


def model(name: str) -> Model:
    """The model called ``name`` (case-insensitive); unknown names suggest close matches."""
    return _by_name(_models(), name, "model")


def gpu(name: str) -> Gpu:
    """The accelerator called ``name`` (case-insensitive); unknown names suggest close matches."""
    return _by_name(_gpus(), name, "GPU")


def default_price(gpu_name: str) -> Price | None:
    """The dated default price for ``gpu_name``, or ``None`` when the kit has no sourced price."""
    return next((p for p in _prices() if p.gpu == gpu_name and p.is_default), None)
