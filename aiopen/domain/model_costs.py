"""What the kit's sourced models cost to train and to serve, as the cost views show it.

The figures, notes and captions of the training chart, the inference calculator and
the small-vs-big comparison, computed from the sourced tables (:mod:`aiopen.domain.data`)
with the first-principles arithmetic of :mod:`aiopen.domain.costs`. Views in
``aiopen.widgets.costs`` only lay these out; an export, an exercise or any other front
end gets the same numbers without a widget.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass

from aiopen.domain import costs, data
from aiopen.domain import openness as o
from aiopen.domain.wording import names, rate, short, size

# --- training ---------------------------------------------------------------------------

TRAINING_FIGURES = {  # a published training figure of models.csv -> its name and how one value reads
    "gpu_hours": ("Training GPU-hours", "{:,.0f} GPU-h"),
    "co2_t": ("Reported CO2 (t)", "{:,.1f} t CO2eq"),
}
ACCELERATOR = re.compile(r"[A-Z]+\d{2,}[A-Z]*")  # e.g. "A100" in "A100-80GB"


def _training_figure(figure: str) -> tuple[str, str]:
    try:
        return TRAINING_FIGURES[figure]
    except KeyError:
        raise ValueError(f"Choose a training figure among {', '.join(TRAINING_FIGURES)}, not {figure!r}.") from None


def training_points(figure: str) -> tuple[dict[str | None, list[data.Model]], list[str]]:
    """The models with a published ``figure`` and size, grouped by openness category (``None``:
    not in the openness tables), and the names of the models without one."""
    _training_figure(figure)
    groups: dict[str | None, list[data.Model]] = {category: [] for category in o.CATEGORY_LABELS}
    missing = []
    for model in data.models():
        if model.params is None or not getattr(model, figure):  # None = not published; 0 cannot sit on a log axis
            missing.append(model.name)
        else:
            groups[o.category_of(model.release)].append(model)
    return groups, missing


def accelerators() -> list[str]:
    """Accelerator names (A100, H100 ...) of the models with published GPU-hours, sorted."""
    found = {m.group() for model in data.models() if model.gpu_hours and model.params for m in [ACCELERATOR.search(model.gpu_type or "")] if m}
    return sorted(found)


def training_value(model: data.Model, figure: str) -> str:
    """One published training figure of ``model`` in words (``"1,022,362 GPU-h"``)."""
    return _training_figure(figure)[1].format(getattr(model, figure))


def training_caption(figure: str, legend: str) -> str:
    """The training chart's text alternative; ``legend`` says how the chart marks openness."""
    label, _ = _training_figure(figure)
    groups, missing = training_points(figure)
    shown = [model for models in groups.values() for model in models]
    low, high = min(shown, key=lambda m: m.params), max(shown, key=lambda m: m.params)
    note = f" GPU-hours mix {names(accelerators())} generations, so equal hours are not equal work." if figure == "gpu_hours" else (
        " CO2 is as each source reports it (location-based, dynamic-power-only or estimated), so compare orders of magnitude, not digits."
    )
    return (
        f"Log-log scatter of {len(shown)} published models: parameters (x) against {label} (y), "
        f"from {short(low.params)} parameters at {training_value(low, figure)} to {short(high.params)} at {training_value(high, figure)}. "
        f"Colour and marker show openness, derived from the openness tables: {legend}.{note} "
        f"Not shown (no published value): {', '.join(missing) or 'none'}."
    )


# --- serving: the inference calculator -----------------------------------------------------

KV_PRECISION = "bf16"  # the KV cache is kept in bf16 whatever the weights' precision (an assumption, said so)
SIZE_STEP = 0.0001  # log10 step of a size slider: fine enough that its readout matches the model
MANY_GPUS = 8  # one server's worth: beyond it, links between GPUs matter and are not modelled


def same_size(value: float, params: float) -> bool:
    """True when ``value`` is ``params`` rounded to a size slider's step (as a browser slider does)."""
    return value > 0 and abs(math.log10(value / params)) <= SIZE_STEP


def nearest_architecture(params: float) -> data.Model:
    """The model with a published architecture whose size is closest (on a log scale) to ``params``."""
    candidates = [m for m in data.models() if m.architecture and m.params]
    return min(candidates, key=lambda m: abs(math.log(m.params / params)))


@dataclass(frozen=True)
class KvCache:
    """The KV cache's bytes for a context and batch, and where the model's shape came from."""

    bytes: float
    note: str


def kv_cache(model: str | None, params: float, context: int, batch: int) -> KvCache:
    """KV cache of the named ``model`` (``None``: a custom size, which borrows the shape of the
    nearest model with a published architecture) for ``context`` tokens x ``batch`` sequences."""
    if not isinstance(context, int) or not isinstance(batch, int) or context <= 0 or batch <= 0:
        raise ValueError("Context length and batch must be whole numbers of at least 1.")
    if model is not None:
        m = data.model(model)
        a = m.architecture
        if a is None:
            return KvCache(0.0, f"KV cache not included: {m.name} has no published architecture (layers, KV heads, head size) in the kit.")
        return KvCache(costs.kv_cache_bytes(a.layers, a.kv_heads, a.head_dim, context, batch, KV_PRECISION), (
            f"KV cache uses {m.name}'s {a.layers} layers x {a.kv_heads} KV heads x {a.head_dim} head size "
            f"({a.provenance.verification}), kept in {KV_PRECISION} whatever the weight precision (an assumption)."
        ))
    near = nearest_architecture(params)
    a = near.architecture
    return KvCache(costs.kv_cache_bytes(a.layers, a.kv_heads, a.head_dim, context, batch, KV_PRECISION), (
        f"Custom size: no published architecture, so the KV cache borrows the shape of {near.name} "
        f"({a.layers} layers x {a.kv_heads} KV heads x {a.head_dim}), the nearest size with one. "
        f"That is an assumption about your model, not a property of it (derived)."
    ))


def stale_warning(price: data.Price, today: datetime.date) -> str:
    """A sentence flagging a price past its stated validity, or "" while it is valid."""
    if not price.is_stale(today):
        return ""
    return f"STALE PRICE: the default price for {price.gpu} ({price.offer}) was {price.valid}; today is {today.isoformat()}. Enter a current price."


def is_default_price(gpu: str, price: float) -> bool:
    """True when ``price`` is the kit's dated default for ``gpu``."""
    default = data.default_price(gpu)
    return default is not None and math.isclose(price, default.price_per_gpu_hour)


def price_note(gpu: data.Gpu, price: float, today: datetime.date) -> str:
    """Where the price per GPU-hour comes from: the kit's dated default (and whether it is stale) or the user."""
    default = data.default_price(gpu.name)
    if default is None:
        return f"Price ${price:,.3g}/GPU-hour is your input: the kit has no sourced price for {gpu.name}."
    stale = " It is past that date: stale, shown only as a dated example." if default.is_stale(today) else ""
    if is_default_price(gpu.name, price):
        return (
            f"Price ${price:,.3g}/GPU-hour: {default.offer}, {default.valid} "
            f"({default.provenance.source}; {default.provenance.verification}).{stale} Edit it to try your own."
        )
    return f"Price ${price:,.3g}/GPU-hour is your input (dated default for {gpu.name}: ${default.price_per_gpu_hour:,.3g}, {default.valid}{', stale' if stale else ''})."


@dataclass(frozen=True)
class InferenceReport:
    """Everything the inference calculator shows: the estimate, its table, its notes, its caption and
    a message (``warning`` when the message is a warning, such as a stale price)."""

    estimate: costs.InferenceEstimate
    gpu: data.Gpu
    rows: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    caption: str
    message: str
    warning: bool


def _price(value: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value) or value < 0:
        raise ValueError("The price per GPU-hour must be zero or more.")
    return value


def inference_report(
    model: str | None,
    params: float,
    precision: str,
    gpu: str,
    context: int,
    batch: int,
    price: float,
    carbon: data.CarbonIntensity | None = None,
    today: datetime.date | None = None,
) -> InferenceReport:
    """Serve ``model`` (or, with ``model=None``, a custom size of ``params`` parameters) in
    ``precision`` on ``gpu`` devices at ``price`` dollars per GPU-hour, holding ``context`` tokens
    for ``batch`` sequences; ``carbon`` is a grid's intensity (``None``: CO2 not shown)."""
    today = today or datetime.date.today()
    params = params if model is None else data.model(model).params
    device = data.gpu(gpu)
    kv = kv_cache(model, params, context, batch)
    price = _price(price)
    estimate = costs.inference_estimate(
        params, precision, device.memory_bytes, device.bandwidth_bytes_per_s, price, kv.bytes, batch, device.power_w,
        carbon.kg_co2_per_kwh if carbon else None, carbon.kg_co2_per_gpu_hour if carbon else None,
    )
    serving = estimate.serving
    rows = [
        ("Weights", size(serving.weights_bytes)),
        ("KV cache", size(serving.kv_bytes) if kv.bytes else "not included"),
        (f"{device.name}s needed", f"{serving.gpus:,} x {device.memory_gb:g} GB"),
        ("Decode ceiling, 1 sequence", f"{rate(serving.batch1_tokens_per_s)} tokens/s"),
        (f"Ceiling, batch {batch:,}", f"{rate(serving.tokens_per_s)} tokens/s"),
        ("Cost per million tokens", f"${estimate.cost_per_million_tokens:,.4g}"),
    ]
    energy = estimate.energy_kwh_per_million_tokens
    rows.append(("Energy per million tokens",
                 f"{energy:,.3g} kWh at {device.power_w:g} W per GPU" if energy is not None else f"no sourced power figure for {device.name}"))
    if carbon is not None:
        if estimate.co2_basis == "kWh":
            rows.append(("CO2 per million tokens", f"{estimate.co2_kg_per_million_tokens:,.3g} kg at {carbon.kg_co2_per_kwh:g} kg/kWh"))
        elif estimate.co2_basis == "GPU-hour":
            rows.append(("CO2 per million tokens", f"{estimate.co2_kg_per_million_tokens:,.3g} kg at {carbon.kg_co2_per_gpu_hour:g} kg/GPU-hour"))
        else:
            rows.append(("CO2 per million tokens", "needs a power figure for this GPU"))
    notes = [
        kv.note,
        "Ceilings are memory-bandwidth bounds with an ideal split over the GPUs; compute limits, activations and framework overheads are not included, so large batches are overstated.",
        f"{device.name}: {device.memory_gb:g} GB, {device.bandwidth_gb_s:,g} GB/s ({device.provenance.source}; {device.provenance.verification}).",
        price_note(device, price, today),
    ]
    if carbon is not None:
        notes.append(f"CO2: {carbon.name} ({carbon.provenance.source}; {carbon.provenance.verification}).")
    caption = (
        f"Horizontal bar: {short(params)} parameters in {precision} need {size(serving.total_bytes)} "
        f"(weights plus KV cache for {context:,} tokens x batch {batch:,}); the dashed line is one "
        f"{device.name} with {device.memory_gb:g} GB, so it needs {serving.gpus:,} of them."
    )
    default = data.default_price(device.name)
    stale = stale_warning(default, today) if default is not None and is_default_price(device.name, price) else ""
    messages = [stale]
    if serving.gpus > MANY_GPUS:
        messages.append(f"This needs {serving.gpus:,} {device.name}s: more than one {MANY_GPUS}-GPU server. "
                        "Links between GPUs are not modelled, so the speeds shown are optimistic.")
    if price == 0:
        messages.append("A price of $0 gives $0 per million tokens.")
    return InferenceReport(estimate, device, tuple(rows), tuple(notes), caption, " ".join(m for m in messages if m), bool(stale))


# --- small vs big ----------------------------------------------------------------------------

COMPARED = ("Weights, GB", "GPUs needed", "Decode ceiling, tokens/s", "Training GPU-hours", "Training CO2eq, t")


@dataclass(frozen=True)
class Comparison:
    """Two models side by side: one value per figure of :data:`COMPARED` for each (``None``: not
    published), their labels, what is missing, a caption and a note for odd picks."""

    labels: tuple[str, str]
    small: tuple[float | None, ...]
    big: tuple[float | None, ...]
    missing: tuple[str, ...]
    caption: str
    message: str


def _side(model: data.Model, precision: str, gpu: data.Gpu) -> tuple[tuple[float | None, ...], costs.ServingEstimate]:
    estimate = costs.serving_estimate(model.params, precision, gpu.memory_bytes, gpu.bandwidth_bytes_per_s)
    return (estimate.weights_bytes / 1e9, estimate.gpus, estimate.batch1_tokens_per_s, model.gpu_hours, model.co2_t or None), estimate


def compare(small: str, big: str, precision: str, gpu: str) -> Comparison:
    """``small`` and ``big`` served in ``precision`` on ``gpu`` devices, with their published training figures."""
    small_model, big_model, device = data.model(small), data.model(big), data.gpu(gpu)
    small_values, small_est = _side(small_model, precision, device)
    big_values, big_est = _side(big_model, precision, device)
    labels = (small_model.name, big_model.name)
    if labels[0] == labels[1]:  # equal category names would draw both bars in one place
        labels = (f"{labels[0]} (small)", f"{labels[1]} (big)")
    missing = tuple(
        f"{COMPARED[figure]} of {name}"
        for figure, pair in enumerate(zip(small_values, big_values))
        for name, value in zip(labels, pair)
        if value is None
    )
    ratio = big_est.weights_bytes / small_est.weights_bytes
    caption = (
        f"Five bar pairs comparing {labels[0]} (green, left) with {labels[1]} (red, right) in {precision} on {device.name}: "
        f"weights {small_values[0]:,.3g} vs {big_values[0]:,.3g} GB ({ratio:,.0f}x), GPUs needed {small_est.gpus:,} vs {big_est.gpus:,}, "
        f"batch-1 decode ceiling {small_est.batch1_tokens_per_s:,.0f} vs {big_est.batch1_tokens_per_s:,.0f} tokens/s (ideal split over the GPUs). "
        f"Training GPU-hours and CO2 are as published (see training_cost_chart for sources). "
        f"Not published: {'; '.join(missing) or 'nothing'}."
    )
    message = ""
    if small_model.name == big_model.name:
        message = "Pick two different models to compare."
    elif small_model.params > big_model.params:
        message = f"Note: the 'small' pick ({labels[0]}) is bigger than the 'big' one ({labels[1]})."
    return Comparison(labels, small_values, big_values, missing, caption, message)
