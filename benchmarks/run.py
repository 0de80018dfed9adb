"""Run every benchmark, print one line per figure with its spread, then the goal table.

Each ``benchmarks/bench_*.py`` module defines ``measure() -> list[Figure]`` (see
``figures.py``). Figures are also written to ``artifacts/bench/figures.json``, with the
date, the load average and the machine; running some modules
(``python benchmarks/run.py model safety``) replaces only their figures there.
``make bench-check`` and ``make bench-readme`` read that file. ``--peers`` (``make bench
PEERS=1``) also measures Hugging Face transformers where a module can.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
from datetime import datetime
from pathlib import Path

from figures import Figure  # benchmarks/ is on sys.path: it is the script's folder
from report import RESULTS, print_table

HERE = Path(__file__).resolve().parent


def machine() -> dict:
    from threadpoolctl import threadpool_info

    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines() if line.startswith("model name")), platform.processor())
    memory_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines() if line.startswith("MemTotal")), 0)
    blas = [f"{i['internal_api']} {i['version']} ({i.get('architecture', '?')})" for i in threadpool_info() if i["user_api"] == "blas"]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(memory_kb / 2**20, 1), "blas": ", ".join(blas),
            "python": platform.python_version(), "system": platform.platform()}


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def as_figures(measured: list) -> list[Figure]:
    """A module's figures; a plain ``(name, value, unit)`` tuple counts as one sample, and says so."""
    return [m if isinstance(m, Figure) else Figure(m[0], [m[1]], m[2], note="one sample: this module does not repeat it yet") for m in measured]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topics", nargs="*", help="modules to run (bench_<topic>.py); all when none is given")
    parser.add_argument("--peers", action="store_true", help="also measure the peer implementations (transformers)")
    args = parser.parse_args(argv)
    if args.peers:
        os.environ["AIOPEN_BENCH_PEERS"] = "1"
    modules = sorted(HERE.glob("bench_*.py"))
    if args.topics:
        modules = [m for m in modules if m.stem.removeprefix("bench_") in args.topics]
    run = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {"figures": {}}
    run["machine"] = machine()
    for path in modules:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        started, load = datetime.now().isoformat(timespec="minutes"), os.getloadavg()[0]
        for figure in as_figures(module.measure()):
            print(figure.line(), flush=True)
            run["figures"][figure.name] = {**figure.record(), "measured": started, "load": round(load, 1)}
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(run, indent=1) + "\n", encoding="utf-8")
    print()
    print_table(run)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
