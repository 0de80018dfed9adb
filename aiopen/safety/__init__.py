"""Inspection for safety: scan model artifacts, red-team a model with statistics, scan data for secrets."""

from aiopen.safety.artifacts import CANARY_NAME, ScanReport, make_examples, naive_grep, scan_artifact, walk_pickle
from aiopen.safety.pii import KINDS, DataScan, Finding, redact, scan_text, synthetic_dataset, synthetic_records
from aiopen.safety.probes import (
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
    "CANARY_NAME", "KINDS", "PROBES", "SECRET", "SYSTEM_PROMPT",
    "DataScan", "Finding", "Probe", "ProbeResult", "ProbeRun", "ScanReport",
    "leaks_secret", "load_probe_run", "make_examples", "naive_grep", "redact", "rule_of_three", "run_probes",
    "save_probe_run", "scan_artifact", "scan_text", "synthetic_dataset", "synthetic_records", "walk_pickle", "wilson_interval",
]
