"""How the kit writes figures and lists in sentences: one way, for every view, caption and exercise.

Sizes carry their unit (GB is 10^9 bytes, GiB 2^30, the mix-up exercise 03 is about),
large counts a suffix (``1.7B``), shares a percentage, and long lists end in
"... and N more" so that a hostile input cannot make a report thousands of lines long.
"""

from __future__ import annotations

GIB = 2**30
MIB = 2**20
_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def short(value: float) -> str:
    """``1.71e9`` -> ``"1.71B"``: three significant digits and a suffix (K, M, B, T)."""
    for limit, suffix in _SUFFIXES:
        if value >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def size(value: float) -> str:
    """Bytes as GB with GiB beside them (``"16.06 GB (14.96 GiB)"``), or MiB below 0.1 GB."""
    return f"{value / 1e9:,.2f} GB ({value / GIB:,.2f} GiB)" if value >= 1e8 else f"{value / MIB:,.1f} MiB"


def gigabytes(value: float) -> float:
    """Bytes in GB (10^9 bytes), the unit the kit's charts are drawn in."""
    return value / 1e9


def rate(value: float) -> str:
    """A rate per second: whole numbers from 10 up, two significant digits below."""
    return f"{value:,.0f}" if value >= 10 else f"{value:.2g}"


def percent(share: float) -> str:
    """``0.123`` -> ``"12 %"``."""
    return f"{100 * share:.0f} %"


def names(items: list[str]) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def first(items: list[str], limit: int = 12) -> list[str]:
    """At most ``limit`` items, then one line counting the rest."""
    return [*items[:limit], f"... and {len(items) - limit:,} more"] if len(items) > limit else list(items)


def condensed(items: list[str], shown: int = 3) -> str:
    """At most ``shown`` items and "+N more", comma-separated: for a narrow panel."""
    return ", ".join(items if len(items) <= shown + 1 else [*items[:shown], f"+{len(items) - shown} more"])


def clipped(text: str | None, limit: int = 90) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when cut."""
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"
