""""One size does not fit all", both sides: what a bigger model buys (published
benchmark scores) and what tuning costs next to training from scratch.

Pure functions over two sourced tables, ``data/benchmarks.csv`` (Meta's Llama 3.1
model card: one family, one evaluation harness, three sizes) and
``data/tuning_costs.csv`` (a published fine-tuning run next to its base model's
pre-training). Training GPU-hours of the benchmarked models come from
``data/models.csv``. Every caption the views show is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from aiopen.domain import data

VARIANTS = {"instruct": "Instruction-tuned models", "base": "Base (pre-trained) models"}
SCORE_MAX = 100  # every benchmark in the table is scored in points out of 100


@dataclass(frozen=True)
class Score:
    """One published benchmark score (points out of ``SCORE_MAX``)."""

    model: str
    benchmark: str
    variant: str
    shots: str | None
    metric: str | None
    score: float
    provenance: data.Provenance


@dataclass(frozen=True)
class Run:
    """A published training or fine-tuning run, in accelerator-hours."""

    run: str
    kind: str
    base_model: str
    gpu_hours: float
    gpu: str
    provenance: data.Provenance


@lru_cache(maxsize=None)
def _scores() -> tuple[Score, ...]:
    return tuple(
        Score(row["model"], row["benchmark"], row["variant"], row["shots"], row["metric"], float(row["score"]), data.Provenance.of(row))
        for row in data.rows("benchmarks")
    )


@lru_cache(maxsize=None)
def _runs() -> tuple[Run, ...]:
    return tuple(
        Run(row["run"], row["kind"], row["base_model"], float(row["gpu_hours"]), row["gpu"], data.Provenance.of(row))
        for row in data.rows("tuning_costs")
    )


def scores(variant: str = "instruct") -> list[Score]:
    """Every score of one variant (``instruct`` or ``base``), in the table's order."""
    if variant not in VARIANTS:
        raise ValueError(f"There are scores of {' and '.join(VARIANTS)} models, not of {variant!r}.")
    return [s for s in _scores() if s.variant == variant]


def models(variant: str = "instruct") -> list[str]:
    """The benchmarked models, smallest first (the table's order)."""
    return list(dict.fromkeys(s.model for s in scores(variant)))


def benchmarks(variant: str = "instruct") -> list[str]:
    """The benchmarks of one variant, in the model card's order."""
    return list(dict.fromkeys(s.benchmark for s in scores(variant)))


@dataclass(frozen=True)
class SizeGap:
    """How far the biggest model is ahead of the smallest, and what its training cost."""

    small: str
    big: str
    benchmarks: int
    big_ahead: int
    least: tuple[str, float]
    most: tuple[str, float]
    share: tuple[float, float]
    small_gpu_hours: float | None
    big_gpu_hours: float | None

    @property
    def gpu_hours_ratio(self) -> float | None:
        """Derived: big model's training GPU-hours over the small one's."""
        if not self.small_gpu_hours or not self.big_gpu_hours:
            return None
        return self.big_gpu_hours / self.small_gpu_hours


def size_gap(variant: str = "instruct") -> SizeGap:
    """Score differences (points) between the smallest and biggest benchmarked model, and
    the smallest model's score as a share of the biggest's (derived)."""
    names = models(variant)
    small, big = names[0], names[-1]
    table = {(s.model, s.benchmark): s.score for s in scores(variant)}
    gaps = {b: table[(big, b)] - table[(small, b)] for b in benchmarks(variant)}
    least = min(gaps.items(), key=lambda item: item[1])
    most = max(gaps.items(), key=lambda item: item[1])
    shares = [table[(small, b)] / table[(big, b)] for b in benchmarks(variant)]
    return SizeGap(
        small=small,
        big=big,
        benchmarks=len(gaps),
        big_ahead=sum(gap > 0 for gap in gaps.values()),
        least=least,
        most=most,
        share=(min(shares), max(shares)),
        small_gpu_hours=_gpu_hours(small),
        big_gpu_hours=_gpu_hours(big),
    )


def _gpu_hours(name: str) -> float | None:
    try:
        return data.model(name).gpu_hours
    except ValueError:
        return None


def _hours(value: float) -> str:
    return f"{value / 1e6:,.2f}M" if value >= 1e6 else f"{value:,.0f}"


def benchmark_caption(variant: str = "instruct") -> str:
    """The chart's text alternative and its point: how much the big model buys, at what cost."""
    gap = size_gap(variant)
    text = (
        f"Grouped bars: {VARIANTS[variant].lower()} of {', '.join(models(variant))} on {gap.benchmarks} benchmarks "
        f"(points out of {SCORE_MAX}). {gap.big} is ahead of {gap.small} on {gap.big_ahead} of {gap.benchmarks}, "
        f"by {gap.least[1]:.1f} ({gap.least[0]}) to {gap.most[1]:.1f} points ({gap.most[0]}); "
        f"{gap.small} reaches {gap.share[0]:.0%} to {gap.share[1]:.0%} of its score (derived)."
    )
    if gap.gpu_hours_ratio:
        text += (
            f" Training {gap.big} took {gap.gpu_hours_ratio:.0f}x the GPU-hours ({_hours(gap.big_gpu_hours)} vs "
            f"{_hours(gap.small_gpu_hours)}; derived from the kit's training table)."
        )
    return text + " Scores: Meta's Llama 3.1 model card; hover a bar for its source."


@dataclass(frozen=True)
class TuningComparison:
    """A fine-tuning run next to the pre-training of the model it tuned."""

    fine_tune: Run
    pre_training: Run

    @property
    def ratio(self) -> float:
        """Derived: pre-training GPU-hours per fine-tuning GPU-hour."""
        return self.pre_training.gpu_hours / self.fine_tune.gpu_hours

    @property
    def longest_gpu_hours(self) -> float:
        """The larger of the two runs' GPU-hours: how far a chart of both must reach."""
        return max(self.pre_training.gpu_hours, self.fine_tune.gpu_hours)


def tuning_vs_training() -> TuningComparison:
    """The table's fine-tuning run and the pre-training of the same base model."""
    runs = _runs()
    fine_tune = next(r for r in runs if r.kind == "fine-tuning")
    pre_training = next(r for r in runs if r.kind == "pre-training" and r.base_model == fine_tune.base_model)
    return TuningComparison(fine_tune, pre_training)


def tuning_caption(scale: str = "log") -> str:
    """The tuning chart's text alternative: the two runs and the derived ratio."""
    pair = tuning_vs_training()
    text = (
        f"Bars: GPU-hours of {pair.pre_training.run} ({pair.pre_training.gpu_hours:,.0f} h on {pair.pre_training.gpu}; "
        f"{pair.pre_training.provenance.verification}) and of {pair.fine_tune.run} ({pair.fine_tune.gpu_hours:,.0f} h on "
        f"{pair.fine_tune.gpu}; {pair.fine_tune.provenance.verification}). The fine-tuning took about 1/{pair.ratio:,.0f} of the "
        f"pre-training GPU-hours (derived; different GPUs)."
    )
    if scale == "linear":
        text += " On a linear axis the fine-tuning bar is too small to see."
    return text
