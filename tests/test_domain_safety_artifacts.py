"""The artifact scanner: verdicts on every example, malformed input reported, nothing ever executed."""

from __future__ import annotations

import io
import pickle
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from aiopen.domain.safety import CANARY_NAME, LIMITS, Limits, ScanClock, make_examples, naive_grep, scan_artifact, walk_pickle
from aiopen.domain.safety import LIMITS

EXPECTED = {
    "clean pickle (numpy arrays)": "safe",
    "clean torch checkpoint (zip)": "safe",
    "pickle with payload": "dangerous",
    "torch checkpoint with payload (zip)": "dangerous",
    "evasive pickle (memoized STACK_GLOBAL)": "dangerous",
    "safetensors": "safe",
}


@pytest.fixture()
def examples(tmp_path: Path) -> dict[str, Path]:
    return make_examples(tmp_path)


def _malformed_variants(examples: dict[str, Path], folder: Path) -> dict[str, Path]:
    """Broken files a scanner meets in the wild; each must be reported, none may raise or run."""
    payload = examples["pickle with payload"].read_bytes()
    flipped = bytearray(payload)
    flipped[len(flipped) // 2] ^= 0xFF
    rng = np.random.default_rng(1)
    variants = {
        "truncated.pkl": payload[: payload.index(b"open\n") + 9],  # cut just after the import
        "bitflipped.pkl": bytes(flipped),
        "empty.pkl": b"",
        "random.bin": rng.bytes(4096),
        "notes.txt": b"These are release notes, not a model.\n",
        "bad_header.safetensors": struct.pack("<Q", 2**62) + b'{"x": 1}',
        "json_garbage.safetensors": struct.pack("<Q", 5) + b"{nope",
        "offsets_outside.safetensors": (lambda h: struct.pack("<Q", len(h)) + h)(b'{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,9999]}}'),
    }
    folder.mkdir()
    paths = {name: folder / name for name in variants}
    for name, data in variants.items():
        paths[name].write_bytes(data)
    bad_member = folder / "bad_member.pt"
    with zipfile.ZipFile(bad_member, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", payload)
    data = bytearray(bad_member.read_bytes())
    data[40] ^= 0xFF  # corrupt the member's local header (its file name)
    bad_member.write_bytes(bytes(data))
    paths["bad_member.pt"] = bad_member
    bomb = folder / "bomb.pt"  # one member declaring more than the limit (deflated zeros: a few KB on disk)
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("archive/data.pkl", "w", force_zip64=True) as member:
            for _ in range(LIMITS.unpacked_bytes // 2**20 + 1):
                member.write(bytes(2**20))
    paths["bomb.pt"] = bomb
    paths["folder"] = folder
    return paths


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_example_gets_its_verdict(examples: dict[str, Path], name: str) -> None:
    report = scan_artifact(examples[name])
    assert report.verdict == EXPECTED[name], report.findings
    assert report.findings, "every report explains itself"


def test_payload_names_the_dangerous_global(examples: dict[str, Path]) -> None:
    for name in ("pickle with payload", "torch checkpoint with payload (zip)"):
        report = scan_artifact(examples[name])
        assert report.globals[("builtins", "open")] == "dangerous"
        assert any("dangerous" in summary for summary in report.scanner_results.values())


def test_evasive_sample_beats_naive_grep_but_not_the_opcode_walk(examples: dict[str, Path]) -> None:
    evasive = examples["evasive pickle (memoized STACK_GLOBAL)"].read_bytes()
    assert naive_grep(evasive) == []
    assert ("builtins", "exec") in walk_pickle(evasive).globals
    assert naive_grep(examples["pickle with payload"].read_bytes()) == ["builtins.open"]


def test_torch_zip_has_torch_layout_and_allowlisted_globals(examples: dict[str, Path]) -> None:
    report = scan_artifact(examples["clean torch checkpoint (zip)"])
    assert report.format == "torch-zip"
    assert set(report.globals) == {("collections", "OrderedDict"), ("torch._utils", "_rebuild_tensor_v2"), ("torch", "FloatStorage")}
    assert report.opcodes["BINPERSID"] == 2  # one persistent storage id per tensor, as torch.save writes


def test_clean_torch_pickle_loads_with_an_allowlist_unpickler(examples: dict[str, Path]) -> None:
    """The hand-assembled data.pkl is a real torch-style pickle: an allowlisting unpickler rebuilds it."""

    class Allowlist(pickle.Unpickler):
        def find_class(self, module: str, name: str):  # noqa: ANN201
            stubs = {
                ("collections", "OrderedDict"): dict,
                ("torch._utils", "_rebuild_tensor_v2"): lambda storage, offset, size, stride, grad, hooks: (storage, size, stride),
                ("torch", "FloatStorage"): "FloatStorage",
            }
            if (module, name) not in stubs:
                raise pickle.UnpicklingError(f"{module}.{name} is not allowed")
            return stubs[(module, name)]

        def persistent_load(self, pid):  # noqa: ANN001, ANN201
            return pid

    with zipfile.ZipFile(examples["clean torch checkpoint (zip)"]) as archive:
        state = Allowlist(io.BytesIO(archive.read("archive/data.pkl"))).load()
    assert state["layer.weight"] == (("storage", "FloatStorage", "0", "cpu", 12), (4, 3), (3, 1))
    assert state["layer.bias"][1:] == ((4,), (1,))


def test_payloads_really_run_when_unpickled(examples: dict[str, Path], tmp_path: Path) -> None:
    """Proof the dangerous verdicts are earned: in a throwaway process, loading creates the canary."""
    canary = tmp_path / CANARY_NAME
    for name in ("pickle with payload", "evasive pickle (memoized STACK_GLOBAL)"):
        subprocess.run([sys.executable, "-c", f"import pickle; pickle.loads(open({str(examples[name])!r}, 'rb').read())"], check=True, timeout=60)
        assert canary.exists(), name
        canary.unlink()


def test_malformed_inputs_are_reported_not_raised_and_nothing_runs(examples: dict[str, Path], tmp_path: Path) -> None:
    broken = _malformed_variants(examples, tmp_path / "broken")
    reports = {name: scan_artifact(path) for name, path in {**examples, **broken}.items()}
    assert not (tmp_path / CANARY_NAME).exists()
    for name in broken:
        assert reports[name].verdict in ("suspicious", "dangerous"), (name, reports[name].findings)
        assert reports[name].findings, name
    assert reports["truncated.pkl"].verdict == "dangerous"  # the payload's import survives truncation
    assert any("limit" in cap for cap in reports["bomb.pt"].caps)
    assert any("cannot be read" in f for f in reports["bad_member.pt"].findings)
    assert any("header length" in f for f in reports["bad_header.safetensors"].findings)
    assert reports["random.bin"].format == reports["folder"].format == "unknown"


def test_missing_file_is_a_finding(tmp_path: Path) -> None:
    report = scan_artifact(tmp_path / "nothing-here.pkl")
    assert report.verdict == "suspicious"
    assert "no file" in report.findings[0]


def test_a_cap_reached_is_reported_and_never_safe(tmp_path: Path) -> None:
    big = tmp_path / "big.pkl"
    big.write_bytes(pickle.dumps(list(range(1000))))
    assert scan_artifact(big).verdict == "safe"
    report = scan_artifact(big, limits=Limits(opcodes=100))
    assert report.verdict == "suspicious" and report.caps == ["the opcode budget ran out (at the file)"]
    assert any("cannot be called safe" in f for f in report.findings)


def test_a_cancelled_scan_says_so(examples: dict[str, Path]) -> None:
    report = scan_artifact(examples["clean torch checkpoint (zip)"], should_stop=lambda: "cancelled")
    assert report.verdict == "suspicious" and report.caps[0].startswith("cancelled")


@pytest.mark.parametrize(
    ("source", "words"),
    [(None, "Nothing to scan"), (42, "Cannot scan a int"), (b"", "empty"), ("", "folder"), (bytearray(b"\x80\x04N."), None)],
)
def test_odd_sources_get_a_plain_verdict(source: object, words: str | None) -> None:
    report = scan_artifact(source)
    if words is None:
        assert report.verdict == "safe" and report.format == "pickle"
    else:
        assert report.verdict == "suspicious" and words in report.findings[0]


def test_an_unreadable_file_is_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked.pkl"
    locked.write_bytes(b"N.")

    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - what open() raises without permission
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    report = scan_artifact(locked)
    assert report.verdict == "suspicious" and "Permission denied" in report.findings[0]


def test_walk_sees_imports_through_the_memo_and_stops_where_the_loader_would() -> None:
    assert walk_pickle(b"\x93NUMPY").globals == []  # a .npy's magic is not an import
    walk = walk_pickle(b"\x80\x04X\x02\x00\x00\x00os\x94X\x06\x00\x00\x00system\x94h\x00h\x01\x93N\x85R.")
    assert walk.globals == [("os", "system")] and walk.pickles == 1
    assert walk_pickle(b"\x80\x04NN\x93.").error == "STACK_GLOBAL needs two strings"
    assert "memo slot never written" in walk_pickle(b"\x80\x04h\x05.").error
    assert walk_pickle(b"N.N.N.").pickles == 3


def test_a_text_argument_is_searched_only_so_far_for_its_end() -> None:
    """A protocol-0 STRING with no end of line in megabytes: a cap, not a walk over the whole file."""
    report = scan_artifact(b"S'" + b"a" * (3 * 2**20))
    assert report.verdict == "suspicious" and report.caps[0].startswith("a text argument longer than")


def test_a_scan_clock_stops_on_cancel_or_deadline_and_reports_progress_meanwhile():
    cancelled, seen = [False], []
    clock = ScanClock(deadline_s=60, cancelled=lambda: cancelled[0], progress=seen.append, every_s=0.0)
    assert clock() is None and seen and seen[0] >= 0
    cancelled[0] = True
    assert clock() == "cancelled"
    late = ScanClock(deadline_s=0.5, started=time.monotonic() - 1)
    assert late() == "stopped after 0 s"  # the deadline, in whole seconds
    report = scan_artifact(b"\x80\x04N.", should_stop=ScanClock(deadline_s=0.0, started=time.monotonic() - 1))
    assert report.verdict != "safe" and report.caps
