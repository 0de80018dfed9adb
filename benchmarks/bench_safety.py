"""Timings for the safety demos: artifact scans, the data scan, and the live probe battery on the real model.

The hostile figures use the regression corpus in ``tests/hostile_corpus.py``:
``artifact_scan_hostile_s`` and ``artifact_scan_hostile_peak_mb`` are the worst time and
peak memory over its denial-of-service inputs (each under 10 MB, each scanned in a fresh
process; goal 2 s and 300 MB); ``pii_scan_hostile_s`` is one hostile 1 MB record.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiopen.domain.safety import PROBES, make_examples, run_probes, scan_artifact, scan_text, synthetic_records
from aiopen.domain.safety.probes import LIVE_MAX_NEW_TOKENS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import hostile_corpus  # noqa: E402 - the test corpus, shared with the tests

SCAN_IN_A_FRESH_PROCESS = (
    "import json, sys, time; from aiopen.domain.safety import scan_artifact\n"
    "start = time.perf_counter(); scan_artifact(sys.argv[1]); seconds = time.perf_counter() - start\n"
    f"{hostile_corpus.PEAK_MB}\n"
    "print(json.dumps([seconds, peak]))\n"
)


def _seconds(action, repeat: int = 1) -> float:  # noqa: ANN001
    start = time.perf_counter()
    for _ in range(repeat):
        action()
    return (time.perf_counter() - start) / repeat


def _hostile_scans() -> tuple[float, float, str]:
    """Worst seconds and peak MB over the denial-of-service corpus, and the slowest input's name."""
    with tempfile.TemporaryDirectory() as folder:
        paths = hostile_corpus.write(Path(folder), hostile_corpus.DOS)
        measured = {
            name: json.loads(subprocess.run([sys.executable, "-c", SCAN_IN_A_FRESH_PROCESS, str(path)], capture_output=True, text=True, check=True).stdout)
            for name, path in paths.items()
        }
    slowest = max(measured, key=lambda name: measured[name][0])
    return measured[slowest][0], max(peak for _, peak in measured.values()), slowest


def measure() -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as folder:
        examples = make_examples(folder)
        scan_all_ms = 1000 * _seconds(lambda: [scan_artifact(p) for p in examples.values()], repeat=20)
    hostile_s, hostile_mb, slowest = _hostile_scans()
    records = synthetic_records(200, seed=0)
    data_scan_ms = 1000 * _seconds(lambda: scan_text(records), repeat=5)
    hostile_record = hostile_corpus.hostile_record()
    pii_hostile_s = _seconds(lambda: scan_text([hostile_record]))

    from aiopen.domain.lm import load_model

    model = load_model()
    battery_s = _seconds(lambda: run_probes(model, PROBES, n=8, temperature=0.7, seed=0, max_new_tokens=LIVE_MAX_NEW_TOKENS))
    return [
        ("artifact_scan_all_examples_ms", scan_all_ms, "ms"),
        ("artifact_scan_hostile_s", hostile_s, f"s (worst of {len(hostile_corpus.DOS)} DoS inputs under 10 MB: {slowest})"),
        ("artifact_scan_hostile_peak_mb", hostile_mb, "MB (peak RSS of the scanning process, worst input)"),
        ("data_scan_200_records_ms", data_scan_ms, "ms"),
        ("pii_scan_hostile_s", pii_hostile_s, "s (one hostile 1 MB record)"),
        ("probe_battery_s", battery_s, f"s (6 attacks x 8 samples, {LIVE_MAX_NEW_TOKENS} new tokens)"),
    ]
