"""How a language model turns scores into a choice: temperature, top-k, top-p, sampling.

Pure numpy, vectorised over the whole vocabulary. Every function checks its input
and raises ``ValueError`` with a plain sentence when it cannot work with it; for
any finite input it returns finite numbers (scores are shifted by their maximum
before ``exp``, probabilities scaled by theirs before summing, so even 1e308 works).
Numbers may be Python or numpy scalars; booleans are refused where a number is
expected. Probability vectors may be unnormalised (non-negative, positive sum).
Ties are broken by the lower token index.

Definitions follow Holtzman et al., "The Curious Case of Neural Text
Degeneration", ICLR 2020 (arXiv 1904.09751).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MAX_SAMPLES = 1_000_000  # draws per call: more would only exhaust memory


def _as_vector(values: np.ndarray, name: str) -> np.ndarray:
    try:
        raw = np.asarray(values)
        if raw.dtype.kind not in "iuf":
            raise TypeError(raw.dtype)
        array = raw.astype(np.float64)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"The {name} must be a list of numbers (one per token), not {_shown(values)}.") from None
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"The {name} must be a non-empty list of numbers (one per token), not an array of shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"The {name} contain NaN or infinity; every value must be a finite number.")
    return array


def _as_probabilities(probs: np.ndarray) -> np.ndarray:
    array = _as_vector(probs, "probabilities")
    if np.any(array < 0):
        raise ValueError("Probabilities cannot be negative.")
    peak = array.max()
    if peak <= 0:
        raise ValueError("The probabilities add up to zero; at least one token needs a positive probability.")
    scaled = array / peak  # at most 1 each, so the sum cannot overflow
    return scaled / scaled.sum()


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"a {type(value).__name__}"


def _is_number(value: object) -> bool:
    """A finite real number: int, float or a numpy scalar, not a bool."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _is_whole(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _keep_most_probable(distribution: np.ndarray, count: int) -> np.ndarray:
    """Zero all but the ``count`` most probable tokens (ties: lower index first) and renormalise."""
    if count >= distribution.size:
        return distribution
    threshold = np.partition(distribution, -count)[-count]
    keep = distribution > threshold
    tied = np.flatnonzero(distribution == threshold)[: count - int(keep.sum())]
    keep[tied] = True
    kept = np.where(keep, distribution, 0.0)
    return kept / kept.sum()


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Probabilities from scores: exp(logit / temperature), normalised.

    Temperature 0 is greedy decoding: all mass on the highest score, shared
    equally when several tokens tie for it.
    """
    scores = _as_vector(logits, "scores (logits)")
    if not _is_number(temperature) or temperature < 0:
        raise ValueError(f"Temperature must be zero or a positive number, not {_shown(temperature)}.")
    if temperature == 0:
        best = scores == scores.max()
        return best / best.sum()
    with np.errstate(over="ignore", under="ignore"):  # far-off scores overflow to -inf: exp gives 0, as it should
        weights = np.exp((scores - scores.max()) / float(temperature))
    return weights / weights.sum()


def top_k(probs: np.ndarray, k: int) -> np.ndarray:
    """Keep the ``k`` most probable tokens, set the rest to 0 and renormalise."""
    distribution = _as_probabilities(probs)
    if not _is_whole(k) or k < 1:
        raise ValueError(f"top-k must be a whole number of at least 1, not {_shown(k)}.")
    return _keep_most_probable(distribution, int(k))


def top_p(probs: np.ndarray, p: float) -> np.ndarray:
    """Keep the smallest set of most probable tokens whose mass is at least ``p``; renormalise."""
    distribution = _as_probabilities(probs)
    if not _is_number(p) or not 0 < p <= 1:
        raise ValueError(f"top-p must be a number above 0 and at most 1, not {_shown(p)}.")
    cumulative = np.cumsum(np.sort(distribution)[::-1])
    cumulative /= cumulative[-1]  # exactly 1.0 at the end, so p = 1 keeps every token
    count = int(np.searchsorted(cumulative, p, side="left")) + 1
    return _keep_most_probable(distribution, count)


def entropy(probs: np.ndarray) -> float:
    """Shannon entropy in bits: 0 for a sure choice, log2(n) for n equally likely tokens."""
    distribution = _as_probabilities(probs)
    positive = distribution[distribution > 0]
    return max(0.0, float(-(positive * np.log2(positive)).sum()))  # max: a sure choice is 0, not -0


def sample(probs: np.ndarray, n: int, seed: int | np.random.Generator | None = None) -> np.ndarray:
    """Draw ``n`` token indices independently from ``probs``.

    The same integer ``seed`` always gives the same draws; a ``numpy`` Generator
    may be passed instead to continue its stream.
    """
    distribution = _as_probabilities(probs)
    if not _is_whole(n) or not 1 <= n <= MAX_SAMPLES:
        raise ValueError(f"The number of samples must be a whole number from 1 to {MAX_SAMPLES:,}, not {_shown(n)}.")
    if not (seed is None or isinstance(seed, np.random.Generator) or _is_whole(seed) and seed >= 0):
        raise ValueError(f"The seed must be a whole number of 0 or more, a numpy Generator or None, not {_shown(seed)}.")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    cumulative = np.cumsum(distribution)
    draws = rng.random(n) * cumulative[-1]
    indices = np.searchsorted(cumulative, draws, side="right")
    last_possible = np.flatnonzero(distribution)[-1]  # guards against rounding at the very top
    return np.minimum(indices, last_possible)


# --- What the sampling explorer shows ---------------------------------------------------------


def ranked(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``logits`` sorted high to low and the token ids in that order (ties: the lower id first)."""
    scores = _as_vector(logits, "logits")
    order = np.argsort(-scores, kind="stable")
    return scores[order], order


@dataclass(frozen=True, eq=False)
class Reshaped:
    """A next-token distribution reshaped by temperature, top-k and top-p, in the order it came in.

    ``probs`` after temperature; ``kept`` after top-k and top-p (renormalised, 0 where cut);
    ``count`` tokens can still be drawn; entropies in bits before and after the cut.
    """

    temperature: float
    probs: np.ndarray
    kept: np.ndarray
    count: int
    entropy: float
    entropy_before: float

    def bars(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The first ``n`` probabilities split into the kept ones and the cut ones (0 elsewhere)."""
        shown, is_kept = self.probs[:n], self.kept[:n] > 0
        return np.where(is_kept, shown, 0.0), np.where(is_kept, 0.0, shown)


def reshape(logits: np.ndarray, temperature: float = 1.0, k: int | None = None, p: float | None = None) -> Reshaped:
    """Softmax at ``temperature``, then top-``k`` and top-``p`` when given (``None``: off)."""
    probs = softmax(logits, temperature)
    kept = probs if k is None else top_k(probs, k)
    kept = kept if p is None else top_p(kept, p)
    return Reshaped(temperature, probs, kept, int(np.count_nonzero(kept)), entropy(kept), entropy(probs))
