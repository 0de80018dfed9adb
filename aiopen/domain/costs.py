"""First-principles arithmetic for the cost of training and serving a model of a given size.

Formulas (sources in the kit's fact sheet, ``docs/facts.md``, sections 1c and 2):

* weights = parameters x bytes per parameter (fp32 4, bf16/fp16 2, fp8/int8 1, int4 0.5);
* KV cache = 2 x layers x kv_heads x head_dim x bytes x tokens x batch (NVIDIA,
  "Mastering LLM Techniques: Inference Optimization", with kv_heads x head_dim for GQA);
* training compute = 6 x N x D FLOPs (Kaplan et al. 2020; Brown et al. 2020, Appendix D);
* Chinchilla-optimal data = about 20 tokens per parameter (Hoffmann et al. 2022, Table 3);
* batch-1 decode ceiling = memory bandwidth / weight bytes (each new token reads every weight once).

Units are in the names: bytes, bytes per second, tokens per second, US dollars, kWh,
kg CO2eq. Real deployments add overheads (activations, framework, fragmentation)
that none of these functions include. Numbers may be Python or numpy scalars (not
booleans). Bad input, or a result too large for a float, raises ``ValueError`` with
a sentence; every answer returned is finite.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

import numpy as np

BYTES_PER_PARAM: dict[str, float] = {"fp32": 4, "bf16": 2, "fp16": 2, "fp8": 1, "int8": 1, "int4": 0.5}
PRECISIONS = tuple(BYTES_PER_PARAM)
TRAINING_FLOPS_PER_PARAM_TOKEN = 6
CHINCHILLA_TOKENS_PER_PARAM = 20
DEFAULT_CONTEXT_TOKENS = 8192  # the calculator's starting context: the fact sheet's KV-cache example length (docs/facts.md section 2)
SECONDS_PER_HOUR = 3600
MILLION = 1_000_000


def _number(value: float, what: str) -> float:
    """``value`` as a finite float: Python and numpy ints and floats, never a bool."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"The {what} must be a number, not {value!r:.60}.")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"The {what} is too large: use a number below 1e308.") from None
    if not math.isfinite(number):
        raise ValueError(f"The {what} must be a finite number, not {value}.")
    return number


def _positive(value: float, what: str) -> float:
    number = _number(value, what)
    if number <= 0:
        raise ValueError(f"The {what} must be a finite number greater than zero, not {value}.")
    return number


def _non_negative(value: float, what: str) -> float:
    number = _number(value, what)
    if number < 0:
        raise ValueError(f"The {what} must be a finite number of zero or more, not {value}.")
    return number


def _result(value: float, what: str) -> float:
    """A computed answer, refused if it overflowed a float (the inputs are then out of any real range)."""
    if not math.isfinite(value):
        raise ValueError(f"The {what} is too large to compute (over 1.8e308): check the inputs and their units.")
    return value


def _whole(value: int, what: str) -> int:
    number = _positive(value, what)
    if number != int(number):
        raise ValueError(f"The {what} must be a whole number, not {value}.")
    return int(number)


def bytes_per_param(precision: str) -> float:
    """Bytes per parameter of a number format (fp32, bf16, fp16, fp8, int8, int4)."""
    try:
        return BYTES_PER_PARAM[precision]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(precision).lower(), PRECISIONS, n=2, cutoff=0.5)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        raise ValueError(f"Unknown precision {precision!r}: choose one of {', '.join(PRECISIONS)}.{hint}") from None


def weight_bytes(params: float, precision: str) -> float:
    """Bytes needed to hold ``params`` weights at ``precision`` (format bit width only)."""
    return _result(_positive(params, "number of parameters") * bytes_per_param(precision), "weight memory")


def kv_cache_bytes(layers: int, kv_heads: int, head_dim: int, tokens: int, batch: int = 1, precision: str = "bf16") -> float:
    """Bytes of key/value cache: 2 x layers x kv_heads x head_dim x bytes x tokens x batch."""
    size = (
        2.0
        * _whole(layers, "number of layers")
        * _whole(kv_heads, "number of KV heads")
        * _whole(head_dim, "head dimension")
        * bytes_per_param(precision)
        * _whole(tokens, "number of tokens")
        * _whole(batch, "batch size")
    )
    return _result(size, "KV cache")


def training_flops(params: float, tokens: float) -> float:
    """Training compute in FLOPs, 6 x N x D."""
    return _result(TRAINING_FLOPS_PER_PARAM_TOKEN * _positive(params, "number of parameters") * _positive(tokens, "number of training tokens"), "training compute")


def chinchilla_tokens(params: float) -> float:
    """Compute-optimal training tokens by the Chinchilla rule of thumb, 20 per parameter."""
    return _result(CHINCHILLA_TOKENS_PER_PARAM * _positive(params, "number of parameters"), "number of training tokens")


def min_gpus(bytes_needed: float, gpu_memory_bytes: float) -> int:
    """Fewest devices whose memory holds ``bytes_needed`` (no overhead included); at least 1."""
    ratio = _result(_positive(bytes_needed, "memory needed") / _positive(gpu_memory_bytes, "GPU memory"), "number of GPUs")
    return max(1, math.ceil(ratio))


def decode_tokens_per_s_ceiling(params: float, precision: str, bandwidth_bytes_per_s: float) -> float:
    """Batch-1 decode ceiling in tokens/s: memory bandwidth / weight bytes."""
    return _result(_positive(bandwidth_bytes_per_s, "memory bandwidth") / weight_bytes(params, precision), "decode ceiling")


def batch_decode_tokens_per_s_ceiling(
    weights_bytes: float, kv_bytes: float, batch: int, gpus: int, bandwidth_bytes_per_s: float
) -> float:
    """Aggregate decode ceiling in tokens/s for ``batch`` sequences on ``gpus`` devices.

    Each decode step reads every weight once plus the whole batch's KV cache, and
    makes one token per sequence: batch x gpus x bandwidth / (weights + KV). It
    assumes an ideal even split across the devices and ignores the compute limit,
    so it overstates large batches. With ``kv_bytes=0`` and one sequence on one
    device it is :func:`decode_tokens_per_s_ceiling`.
    """
    total = _result(_positive(weights_bytes, "weight memory") + _non_negative(kv_bytes, "KV cache memory"), "memory to read per step")
    rate = float(_whole(batch, "batch size")) * _whole(gpus, "number of GPUs") * _positive(bandwidth_bytes_per_s, "memory bandwidth") / total
    return _result(rate, "decode ceiling")


def gpu_hours_per_million_tokens(gpus: int, tokens_per_s: float) -> float:
    """Device-hours spent to produce one million tokens at ``tokens_per_s``."""
    return _result(float(_whole(gpus, "number of GPUs")) * MILLION / _positive(tokens_per_s, "throughput") / SECONDS_PER_HOUR, "GPU-hours per million tokens")


def cost_per_million_tokens(price_per_gpu_hour: float, gpus: int, tokens_per_s: float) -> float:
    """US dollars per million tokens from a price per GPU-hour (a price of 0 gives 0)."""
    return _result(_non_negative(price_per_gpu_hour, "price per GPU-hour") * gpu_hours_per_million_tokens(gpus, tokens_per_s), "cost per million tokens")


def energy_kwh_per_million_tokens(power_watts: float, gpus: int, tokens_per_s: float) -> float:
    """kWh per million tokens, each device drawing ``power_watts`` (e.g. its TDP) the whole time."""
    return _result(_positive(power_watts, "power") / 1000 * gpu_hours_per_million_tokens(gpus, tokens_per_s), "energy per million tokens")


def co2_kg_from_energy(energy_kwh: float, kg_co2_per_kwh: float) -> float:
    """kg CO2eq from energy and a grid intensity (market-based 0 is allowed)."""
    return _result(_non_negative(energy_kwh, "energy") * _non_negative(kg_co2_per_kwh, "carbon intensity"), "CO2")


def co2_kg_per_gpu_hour(co2_t: float, gpu_hours: float) -> float:
    """Reported tonnes CO2eq divided by GPU-hours, in kg per GPU-hour."""
    return _result(_non_negative(co2_t, "CO2 in tonnes") * 1000 / _positive(gpu_hours, "number of GPU-hours"), "CO2 per GPU-hour")


@dataclass(frozen=True)
class ServingEstimate:
    """Memory and speed of serving one model on one kind of device (bandwidth ceilings only)."""

    weights_bytes: float
    kv_bytes: float
    gpus: int
    batch1_tokens_per_s: float
    tokens_per_s: float

    @property
    def total_bytes(self) -> float:
        return self.weights_bytes + self.kv_bytes


def serving_estimate(
    params: float,
    precision: str,
    gpu_memory_bytes: float,
    bandwidth_bytes_per_s: float,
    kv_bytes: float = 0.0,
    batch: int = 1,
) -> ServingEstimate:
    """Weights + KV memory, devices needed, and decode ceilings with an ideal split over them.

    ``batch1_tokens_per_s`` is one sequence reading only the weights, the facts.md
    formula scaled by the number of devices; ``tokens_per_s`` is the whole batch,
    also reading its KV cache (see :func:`batch_decode_tokens_per_s_ceiling`).
    """
    weights = weight_bytes(params, precision)
    kv = _non_negative(kv_bytes, "KV cache memory")
    gpus = min_gpus(_result(weights + kv, "memory needed"), gpu_memory_bytes)
    return ServingEstimate(
        weights_bytes=weights,
        kv_bytes=kv,
        gpus=gpus,
        batch1_tokens_per_s=_result(gpus * decode_tokens_per_s_ceiling(params, precision, bandwidth_bytes_per_s), "decode ceiling"),
        tokens_per_s=batch_decode_tokens_per_s_ceiling(weights, kv, batch, gpus, bandwidth_bytes_per_s),
    )


@dataclass(frozen=True)
class InferenceEstimate:
    """Every figure of serving one model on one kind of device, per million tokens where it says so.

    ``energy_kwh_per_million_tokens`` is ``None`` without a power figure for the device;
    ``co2_kg_per_million_tokens`` is ``None`` without a carbon intensity that applies
    (``co2_basis`` says which was used: ``"kWh"`` or ``"GPU-hour"``).
    """

    serving: ServingEstimate
    gpu_memory_bytes: float
    gpu_hours_per_million_tokens: float
    cost_per_million_tokens: float
    energy_kwh_per_million_tokens: float | None
    co2_kg_per_million_tokens: float | None
    co2_basis: str | None

    @property
    def weights_gb(self) -> float:
        return self.serving.weights_bytes / 1e9

    @property
    def kv_gb(self) -> float:
        return self.serving.kv_bytes / 1e9

    @property
    def gpu_memory_gb(self) -> float:
        return self.gpu_memory_bytes / 1e9

    @property
    def memory_axis_gb(self) -> float:
        """The largest of one device's memory and the memory needed: what a memory chart must show."""
        return max(self.gpu_memory_bytes, self.serving.total_bytes) / 1e9


def inference_estimate(
    params: float,
    precision: str,
    gpu_memory_bytes: float,
    bandwidth_bytes_per_s: float,
    price_per_gpu_hour: float,
    kv_bytes: float = 0.0,
    batch: int = 1,
    power_watts: float | None = None,
    kg_co2_per_kwh: float | None = None,
    kg_co2_per_gpu_hour: float | None = None,
) -> InferenceEstimate:
    """Memory, devices, decode ceilings, and dollars, energy and CO2 per million tokens.

    CO2 comes from energy and ``kg_co2_per_kwh`` when both are known, else from device-hours
    and ``kg_co2_per_gpu_hour``; each device draws ``power_watts`` the whole time.
    """
    serving = serving_estimate(params, precision, gpu_memory_bytes, bandwidth_bytes_per_s, kv_bytes, batch)
    hours = gpu_hours_per_million_tokens(serving.gpus, serving.tokens_per_s)
    energy = None if power_watts is None else energy_kwh_per_million_tokens(power_watts, serving.gpus, serving.tokens_per_s)
    co2, basis = None, None
    if kg_co2_per_kwh is not None and energy is not None:
        co2, basis = co2_kg_from_energy(energy, kg_co2_per_kwh), "kWh"
    elif kg_co2_per_gpu_hour is not None:
        co2, basis = _result(hours * _non_negative(kg_co2_per_gpu_hour, "carbon intensity"), "CO2"), "GPU-hour"
    return InferenceEstimate(
        serving=serving,
        gpu_memory_bytes=_positive(gpu_memory_bytes, "GPU memory"),
        gpu_hours_per_million_tokens=hours,
        cost_per_million_tokens=cost_per_million_tokens(price_per_gpu_hour, serving.gpus, serving.tokens_per_s),
        energy_kwh_per_million_tokens=energy,
        co2_kg_per_million_tokens=co2,
        co2_basis=basis,
    )
