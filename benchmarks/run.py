"""Run every benchmark and print one ``name: value unit`` line per figure.

Each ``benchmarks/bench_*.py`` module defines ``measure() -> list[tuple[str, float, str]]``.
Run with ``make bench`` (or ``python benchmarks/run.py [topic ...]``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(selected: list[str]) -> int:
    modules = sorted(HERE.glob("bench_*.py"))
    if selected:
        modules = [m for m in modules if m.stem.removeprefix("bench_") in selected]
    for path in modules:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, value, unit in module.measure():
            print(f"{name}: {value:.3g} {unit}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
