"""Sourced data tables shipped with the kit.

Every CSV in this folder has one row per fact and ends with the same provenance columns
(``PROVENANCE_COLUMNS``):

* ``source``: paper + table, or URL / repository path + commit;
* ``published``: when the fact was published (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``);
  for a living product page, the year the product was announced (the row says so);
* ``accessed``: when the kit read the source (``YYYY-MM-DD``); rows taken from the fact
  sheet of 2026-11-27 and not re-read since keep that date;
* ``verification``: ``checked`` (against the primary text), ``secondary`` (seen in a
  source that quotes it, or in a copy), ``unverified``, or ``derived`` (computed from
  sourced inputs, shown as such);
* ``notes``: anything a reader needs to weigh the row (may be empty).

:func:`rows` validates every row when a table is first read and raises ``DataError``
naming the table, the row and the column. Empty cells mean "not published", never zero.
A source that names "facts.md" points at the kit's fact sheet, ``docs/facts.md``.
"""

from __future__ import annotations

import csv
import datetime
import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

DATA_DIR = Path(__file__).parent
VERIFICATION_LEVELS = ("checked", "secondary", "unverified", "derived")
PROVENANCE_COLUMNS = ("source", "published", "accessed", "verification", "notes")
_PUBLISHED = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_ACCESSED = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DataError(ValueError):
    """A data table breaks the kit's rules; the message names the table, the row and the column."""


def _date_or_none(text: str) -> datetime.date | None:
    """The first day ``text`` (YYYY, YYYY-MM or YYYY-MM-DD) can mean, or ``None`` if it is not a date."""
    match = _PUBLISHED.match(text)
    if not match:
        return None
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _check_row(table: str, line: int, row: Mapping[str, str | None]) -> None:
    first = next(iter(row.values()), None)
    where = f"{table}.csv, line {line} ({first!r})"
    if not row["source"]:
        raise DataError(f"{where}: the column 'source' is empty; every fact needs a source (paper + table, or URL / repository path + commit).")
    published, accessed = row["published"], row["accessed"]
    if not published or _date_or_none(published) is None:
        raise DataError(f"{where}: the column 'published' is {published!r}; write the publication date as YYYY, YYYY-MM or YYYY-MM-DD.")
    if not accessed or not _ACCESSED.match(accessed) or _date_or_none(accessed) is None:
        raise DataError(f"{where}: the column 'accessed' is {accessed!r}; write the date the source was read as YYYY-MM-DD.")
    if _date_or_none(published) > _date_or_none(accessed):
        raise DataError(f"{where}: the column 'published' ({published}) is after the column 'accessed' ({accessed}).")
    if row["verification"] not in VERIFICATION_LEVELS:
        raise DataError(f"{where}: the column 'verification' is {row['verification']!r}, not one of {', '.join(VERIFICATION_LEVELS)}.")


def check_table(path: Path) -> tuple[dict[str, str | None], ...]:
    """Read one CSV and check every row's provenance; empty cells become ``None``.

    Raises ``DataError`` naming the table, the line and the column at fault.
    """
    table = path.stem
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in PROVENANCE_COLUMNS if column not in header]
        if missing:
            raise DataError(f"{table}.csv has no column {', '.join(repr(m) for m in missing)}; every table needs {', '.join(PROVENANCE_COLUMNS)}.")
        result = []
        for line, raw in enumerate(reader, start=2):
            if None in raw or None in raw.values():
                raise DataError(f"{table}.csv, line {line}: the row has a different number of cells from the header's {len(header)}.")
            row = {key: value.strip() or None for key, value in raw.items()}
            _check_row(table, line, row)
            result.append(row)
    return tuple(result)


def table_names() -> list[str]:
    """Every table in the folder, by name (the CSV file name without ``.csv``)."""
    return sorted(path.stem for path in DATA_DIR.glob("*.csv"))


@lru_cache(maxsize=None)
def _read(name: str) -> tuple[dict[str, str | None], ...]:
    path = DATA_DIR / f"{name}.csv"
    if not path.exists():
        raise KeyError(f"No data table called {name!r} in {DATA_DIR}.")
    return check_table(path)


def rows(name: str) -> list[dict[str, str | None]]:
    """Rows of ``data/<name>.csv`` as dicts of strings (checked); empty cells become ``None``."""
    return [dict(row) for row in _read(name)]


# --- Model-size cost tables: models, GPUs, prices, carbon intensity ---------

@dataclass(frozen=True)
class Provenance:
    """Where a row's figures come from, when they were published and read, and how well they were checked."""

    source: str
    published: str
    accessed: str
    verification: str
    notes: str = ""

    @classmethod
    def of(cls, row: Mapping[str, str | None]) -> Provenance:
        """The provenance columns of a checked row."""
        return cls(row["source"], row["published"], row["accessed"], row["verification"], row.get("notes") or "")


@dataclass(frozen=True)
class Architecture:
    """The shape that sets the KV cache: layers, key/value heads, head dimension."""

    layers: int
    kv_heads: int
    head_dim: int
    provenance: Provenance


@dataclass(frozen=True)
class Model:
    """Published training figures of one model. ``None`` means not published.

    Units: ``params`` (parameters), ``training_tokens`` (tokens), ``gpu_hours``
    (accelerator-hours of ``gpu_type``), ``co2_t`` (tonnes CO2eq, on the basis in
    ``co2_basis``), ``energy_mwh`` (MWh). ``release`` names the model's row in the
    openness tables (``aiopen.domain.openness.category_of`` reads its openness there).
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
    release: str | None = None

    def verification_of(self, name: str) -> str:
        """Verification level of one figure (falls back to the row's level)."""
        return self.field_verification.get(name, self.provenance.verification)


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
    """A dated cloud offer; ``price_per_gpu_hour`` in US dollars (``_high`` when a range).

    ``valid_until`` is the last day the source says the price holds (``None`` when it
    states no validity); ``validity`` is the source's own wording when it gives no date.
    """

    offer: str
    gpu: str
    gpus_per_instance: int
    price_per_instance_hour: float | None
    price_per_gpu_hour: float
    price_per_gpu_hour_high: float | None
    validity: str | None
    valid_until: datetime.date | None
    is_default: bool
    provenance: Provenance

    @property
    def valid(self) -> str:
        """How the source dates the price, in words."""
        if self.valid_until is not None:
            return f"valid until {self.valid_until.day} {self.valid_until:%b %Y}"
        return self.validity or f"published {self.provenance.published}"

    def is_stale(self, on: datetime.date) -> bool:
        """True when ``on`` is after the last day the source says this price holds."""
        return self.valid_until is not None and on > self.valid_until


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
        raise DataError(f"{table}.csv: {key} of {_row_name(row)!r} is {text!r}, which is not a number.") from None
    if math.isnan(value) or math.isinf(value) or value < 0:
        raise DataError(f"{table}.csv: {key} of {_row_name(row)!r} must be a finite number of zero or more, not {text}.")
    return value


def _row_name(row: Mapping[str, str | None]) -> str | None:
    return row.get("name") or row.get("family") or row.get("offer")


def _date(row: Mapping[str, str | None], key: str, table: str) -> datetime.date | None:
    text = row.get(key)
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise DataError(f"{table}.csv: {key} of {_row_name(row)!r} is {text!r}; write it as YYYY-MM-DD.") from None


@lru_cache(maxsize=None)
def _models() -> tuple[Model, ...]:
    architectures = {
        row["name"]: Architecture(
            layers=int(_number(row, "layers", "model_architectures")),
            kv_heads=int(_number(row, "kv_heads", "model_architectures")),
            head_dim=int(_number(row, "head_dim", "model_architectures")),
            provenance=Provenance.of(row),
        )
        for row in _read("model_architectures")
    }
    result = []
    for row in _read("models"):
        levels = {}
        for figure in MODEL_FIGURES:
            level = row[f"{figure}_verification"]
            if level is not None:
                if level not in VERIFICATION_LEVELS:
                    raise DataError(f"models.csv: {figure}_verification of {row['name']!r} is {level!r}, not one of {', '.join(VERIFICATION_LEVELS)}.")
                levels[figure] = level
        result.append(
            Model(
                name=row["name"],
                family=row["family"],
                gpu_type=row["gpu_type"],
                co2_basis=row["co2_basis"],
                provenance=Provenance.of(row),
                field_verification=levels,
                architecture=architectures.get(row["name"]),
                release=row["release"],
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
            provenance=Provenance.of(row),
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
            validity=row["validity"],
            valid_until=_date(row, "valid_until", "prices"),
            is_default=row["is_default"] == "yes",
            provenance=Provenance.of(row),
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
            provenance=Provenance.of(row),
        )
        for row in _read("carbon_intensity")
    )


def models() -> list[Model]:
    """Every model in ``models.csv`` with its architecture joined in."""
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
    """The dated default price for ``gpu_name``, or ``None`` when the kit has no sourced price.

    The default may be past its stated validity: check ``price.is_stale(day)`` and say so
    wherever the price is shown.
    """
    return next((p for p in _prices() if p.gpu == gpu_name and p.is_default), None)
