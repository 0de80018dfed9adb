"""Inspection for safety: scan model artifacts, red-team a model with statistics, scan data for secrets."""

from aiopen.domain.safety.artifacts import ScanReport, naive_grep, scan_artifact
from aiopen.domain.safety.limits import LIMITS, SCAN_DEADLINE_S, UPLOAD_BYTES, UPLOAD_MB, Limits, ScanClock
from aiopen.domain.safety.examples import CANARY_NAME, make_examples
from aiopen.domain.safety.pickles import walk_pickle
from aiopen.domain.safety.pii import KINDS, DataScan, Finding, PlantedScan, redact, scan_synthetic, scan_text, synthetic_dataset, synthetic_records
from aiopen.domain.safety.probes import (
    PROBES,
    SECRET,
    SYSTEM_PROMPT,
    Probe,
    ProbeResult,
    ProbeRun,
    leaks_secret,
    load_probe_run,
    rule_of_three,
    run_probes,
    save_probe_run,
    wilson_interval,
)

__all__ = [
    "CANARY_NAME", "KINDS", "LIMITS", "PROBES", "SCAN_DEADLINE_S", "SECRET", "SYSTEM_PROMPT", "UPLOAD_BYTES", "UPLOAD_MB",
    "DataScan", "Finding", "Limits", "PlantedScan", "Probe", "ProbeResult", "ProbeRun", "ScanClock", "ScanReport",
    "leaks_secret", "load_probe_run", "make_examples", "naive_grep", "redact", "rule_of_three", "run_probes",
    "save_probe_run", "scan_artifact", "scan_synthetic", "scan_text", "synthetic_dataset", "synthetic_records", "walk_pickle", "wilson_interval",
]
