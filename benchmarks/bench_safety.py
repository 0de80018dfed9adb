"""Timings for the safety demos: artifact scans, the data scan, and the live probe battery on the real model.

The hostile figures use the denial-of-service inputs of ``aiopen.domain.safety.stress``:
every input is scanned once in a fresh process, then the slowest one (for
``artifact_scan_hostile_s``) and the most memory-hungry one (for
``artifact_scan_hostile_peak_mb``, the process's VmHWM) are scanned again, each in a
fresh process, for 5 samples each. ``pii_scan_hostile_s`` is one hostile 1 MB record,
5 times. ``probe_battery_s`` runs the default battery (6 attacks x 8 samples, 24 new
tokens) 3 times with seed 0 and asserts 6 x 8 replies each time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from aiopen.domain.safety import PROBES, make_examples, run_probes, scan_artifact, scan_text, synthetic_records
from aiopen.domain.safety.probes import LIVE_MAX_NEW_TOKENS
from aiopen.domain.safety.stress import DOS, PEAK_MB, hostile_record
from figures import Figure, seconds

REPEAT = 5
SCAN_IN_A_FRESH_PROCESS = (
    "import json, sys, time; from aiopen.domain.safety import scan_artifact\n"
    "start = time.perf_counter(); scan_artifact(sys.argv[1]); seconds = time.perf_counter() - start\n"
    f"{PEAK_MB}\n"
    "print(json.dumps([seconds, peak]))\n"
)


def _scan_in_a_fresh_process(path: Path) -> tuple[float, float]:
    """Seconds and peak MB of one scan of ``path`` in a new Python process."""
    result = subprocess.run([sys.executable, "-c", SCAN_IN_A_FRESH_PROCESS, str(path)], capture_output=True, text=True, check=True)
    return tuple(json.loads(result.stdout))


def _hostile_scans() -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for name, (file_name, build) in DOS.items():
            paths[name] = Path(folder) / file_name
            paths[name].write_bytes(build())
        first = {name: _scan_in_a_fresh_process(path) for name, path in paths.items()}
        slowest = max(first, key=lambda name: first[name][0])
        hungriest = max(first, key=lambda name: first[name][1])
        slow = [first[slowest][0], *(_scan_in_a_fresh_process(paths[slowest])[0] for _ in range(REPEAT - 1))]
        peak = [first[hungriest][1], *(_scan_in_a_fresh_process(paths[hungriest])[1] for _ in range(REPEAT - 1))]
    return [
        Figure("artifact_scan_hostile_s", slow, "s", f"slowest of {len(DOS)} DoS inputs under 10 MB: {slowest}"),
        Figure("artifact_scan_hostile_peak_mb", peak, "MB", f"peak RSS of the scanning process, most memory-hungry input: {hungriest}"),
    ]


def _battery(model) -> None:  # noqa: ANN001
    run = run_probes(model, PROBES, n=8, temperature=0.7, seed=0, max_new_tokens=LIVE_MAX_NEW_TOKENS)
    if [len(r.samples) for r in run.results] != [8] * len(PROBES):
        raise RuntimeError(f"the battery returned {[len(r.samples) for r in run.results]} replies per attack, not 8 each")


def measure() -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        examples = list(make_examples(folder).values())
        scan_all = [1000 * s for s in seconds(lambda: [scan_artifact(p) for p in examples], repeat=20)]
    records = synthetic_records(200, seed=0)
    record = hostile_record()

    from aiopen.domain.lm import load_model

    model = load_model()
    _battery(model)  # warm: pages the weights in
    return [
        Figure("artifact_scan_all_examples_ms", scan_all, "ms", f"{len(examples)} example artifacts"),
        *_hostile_scans(),
        Figure("data_scan_200_records_ms", [1000 * s for s in seconds(lambda: scan_text(records), repeat=REPEAT)], "ms"),
        Figure("pii_scan_hostile_s", seconds(lambda: scan_text([record]), repeat=REPEAT), "s", "one hostile 1 MB record"),
        Figure("probe_battery_s", seconds(lambda: _battery(model), repeat=3), "s", f"6 attacks x 8 samples, {LIVE_MAX_NEW_TOKENS} new tokens, one batch"),
    ]
