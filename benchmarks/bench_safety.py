"""Timings for the safety demos: artifact scans, the data scan, and the live probe battery on the real model."""

from __future__ import annotations

import tempfile
import time

from aiopen.safety import PROBES, make_examples, run_probes, scan_artifact, scan_text, synthetic_records
from aiopen.safety.probes import LIVE_MAX_NEW_TOKENS


def _seconds(action, repeat: int = 1) -> float:  # noqa: ANN001
    start = time.perf_counter()
    for _ in range(repeat):
        action()
    return (time.perf_counter() - start) / repeat


def measure() -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as folder:
        examples = make_examples(folder)
        scan_all_ms = 1000 * _seconds(lambda: [scan_artifact(p) for p in examples.values()], repeat=20)
    records = synthetic_records(200, seed=0)
    data_scan_ms = 1000 * _seconds(lambda: scan_text(records), repeat=5)

    from aiopen.lm import load_model

    model = load_model()
    battery_s = _seconds(lambda: run_probes(model, PROBES, n=8, temperature=0.7, seed=0, max_new_tokens=LIVE_MAX_NEW_TOKENS))
    return [
        ("artifact_scan_all_examples_ms", scan_all_ms, "ms"),
        ("data_scan_200_records_ms", data_scan_ms, "ms"),
        ("probe_battery_s", battery_s, f"s (6 attacks x 8 samples, {LIVE_MAX_NEW_TOKENS} new tokens)"),
    ]
