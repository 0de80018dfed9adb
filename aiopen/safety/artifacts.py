"""Model artifacts: generate honest examples, then look inside them without running them.

Python's pickle docs warn that unpickling "can execute arbitrary code", and a
pickle-based checkpoint (``torch.save``) is a pickle. This module

* writes example artifacts at run time (:func:`make_examples`), so the kit ships
  no binary blobs: the payload pickles are assembled opcode by opcode, so even
  writing them never runs them;
* scans a file (:func:`scan_artifact`) by *reading* it: a short ``pickletools``
  walk (:func:`walk_pickle`, the teaching version) beside picklescan.

Why picklescan as the well-kept scanner: it is the scanner the Hugging Face Hub
runs on uploads, it is pure Python, and it scans an in-memory byte stream, so the
kit can hand it only bounded bytes that it read itself (its own zip reader reads
members without a size bound, so the kit never gives it a zip). fickling (Trail
of Bits) is richer but heavier; ModelScan adds H5/SavedModel formats the kit does
not need.
"""

from __future__ import annotations

import io
import json
import logging
import pickle
import pickletools
import struct
import zipfile
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from picklescan.scanner import SafetyLevel, scan_pickle_bytes
from safetensors.numpy import save_file

# The kit reports picklescan's verdict itself; keep its log lines out of the notebook.
logging.getLogger("picklescan").setLevel(logging.CRITICAL)

CANARY_NAME = "CANARY-payload-ran.txt"
MAX_PICKLE_BYTES = 64 * 2**20  # larger pickles are reported, not read
MAX_MEMBER_BYTES = 64 * 2**20  # per zip member, checked against what is actually read
MAX_UNZIPPED_BYTES = 256 * 2**20  # all members of one zip together
MAX_ZIP_MEMBERS = 10_000
MAX_SAFETENSORS_HEADER = 100 * 2**20  # the safetensors format's own limit on the JSON header

# Globals a real checkpoint needs: torch.save writes OrderedDict, _rebuild_tensor_v2
# and storage classes; numpy arrays pickle as _reconstruct, ndarray and dtype.
ALLOWED_GLOBALS = {
    ("collections", "OrderedDict"),
    ("torch._utils", "_rebuild_tensor_v2"),
    ("torch._utils", "_rebuild_parameter"),
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    *(("torch", f"{kind}Storage") for kind in ("Float", "Double", "Half", "BFloat16", "Long", "Int", "Short", "Char", "Byte", "Bool")),
}
# Modules whose callables can run commands, code or file operations (a short,
# readable list; picklescan's is longer).
DANGEROUS_MODULES = {"os", "posix", "nt", "subprocess", "sys", "runpy", "shutil", "socket", "pty", "importlib", "ctypes", "code", "pickle"}
DANGEROUS_BUILTINS = {"eval", "exec", "compile", "open", "getattr", "__import__", "breakpoint", "apply"}
# Opcodes that import (GLOBAL, STACK_GLOBAL, INST) or call/build objects: the ones that can run code.
OPCODES_THAT_MATTER = ("GLOBAL", "STACK_GLOBAL", "INST", "OBJ", "REDUCE", "NEWOBJ", "NEWOBJ_EX", "BUILD", "BINPERSID", "PERSID")
# What a naive text search looks for: GLOBAL opcodes spelled ``module\nname``.
NAIVE_PATTERNS = (b"os\nsystem", b"posix\nsystem", b"subprocess\n", b"builtins\neval", b"builtins\nexec", b"builtins\nopen", b"__builtin__\neval")

Global = tuple[str, str]


@dataclass
class PickleWalk:
    """What :func:`walk_pickle` saw: imported globals, opcode counts, and a parse error if any."""

    globals: list[Global] = field(default_factory=list)
    opcodes: Counter = field(default_factory=Counter)
    error: str | None = None
    end: int = 0  # byte offset just after STOP


def walk_pickle(data: bytes) -> PickleWalk:
    """List the globals a pickle imports by walking its opcodes; nothing is executed.

    ``GLOBAL``/``INST`` name ``module name`` in their argument. ``STACK_GLOBAL``
    takes the two values pushed just before it, which may come from the memo
    (``BINGET``), so the walk keeps the memo; a name it cannot resolve is ``"?"``.
    """
    walk, memo, pushed = PickleWalk(), {}, deque(["?", "?"], maxlen=2)  # the last two values pushed
    try:
        for opcode, arg, position in pickletools.genops(data):
            name = opcode.name
            walk.opcodes[name] += 1
            if name in ("GLOBAL", "INST"):
                walk.globals.append(tuple(arg.split(" ", 1)))
            elif name == "STACK_GLOBAL":
                module, attr = (v if isinstance(v, str) else "?" for v in pushed)
                walk.globals.append((module, attr))
            if name == "MEMOIZE":
                memo[len(memo)] = pushed[-1]
            elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
                memo[arg] = pushed[-1]
            elif name in ("GET", "BINGET", "LONG_BINGET"):
                pushed.append(memo.get(arg))
            else:
                pushed.append(arg)
            walk.end = position + 1
    except Exception as error:  # noqa: BLE001 - malformed input is a finding, not a crash
        walk.error = f"{type(error).__name__}: {error}"
    return walk


def classify_global(module: str, name: str) -> str:
    """``"safe"`` (a checkpoint needs it), ``"dangerous"`` (can run code) or ``"suspicious"`` (unknown)."""
    if (module, name) in ALLOWED_GLOBALS:
        return "safe"
    if "?" in (module, name) or module.split(".")[0] in DANGEROUS_MODULES:
        return "dangerous"
    if module in ("builtins", "__builtin__") and name in DANGEROUS_BUILTINS:
        return "dangerous"
    return "suspicious"


def naive_grep(data: bytes) -> list[str]:
    """The naive check a scanner must beat: search the raw bytes for ``module\\nname`` text."""
    return [pattern.decode().replace("\n", ".") for pattern in NAIVE_PATTERNS if pattern in data]


@dataclass
class ScanReport:
    """The result of :func:`scan_artifact`; ``verdict`` is ``"safe"``, ``"suspicious"`` or ``"dangerous"``."""

    path: Path
    format: str
    verdict: str = "safe"
    findings: list[str] = field(default_factory=list)
    globals: dict[Global, str] = field(default_factory=dict)  # (module, name) -> kit's classification
    opcodes: Counter = field(default_factory=Counter)
    scanner_results: dict[str, str] = field(default_factory=dict)  # member -> picklescan's summary
    naive_hits: list[str] = field(default_factory=list)
    size: int = 0

    def flag(self, verdict: str, finding: str) -> None:
        """Add a finding and raise the verdict to at least ``verdict``."""
        self.findings.append(finding)
        order = ("safe", "suspicious", "dangerous")
        self.verdict = max(self.verdict, verdict, key=order.index)


def scan_artifact(path: str | Path) -> ScanReport:
    """Report what a model file would do when loaded, without loading it. Never raises."""
    path = Path(path)
    report = ScanReport(path=path, format="unknown")
    try:
        if path.is_dir():
            report.flag("suspicious", "This is a folder, not a file; choose one file inside it.")
            return report
        if not path.is_file():
            report.flag("suspicious", "There is no file at this path.")
            return report
        report.size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(16)
        if report.size == 0:
            report.format = "empty"
            report.flag("suspicious", "The file is empty: not a model in any format.")
        elif zipfile.is_zipfile(path):
            _scan_zip(path, report)
        elif _looks_like_safetensors(head) or path.suffix == ".safetensors":
            _scan_safetensors(path, report)
        elif report.size > MAX_PICKLE_BYTES:
            report.format = "pickle?"
            report.flag("suspicious", f"{report.size / 2**20:.0f} MB is over the kit's {MAX_PICKLE_BYTES // 2**20} MB limit for pickles; not read.")
        else:
            report.format = "pickle"
            if not _scan_pickle(path.read_bytes(), path.name, report) and not report.globals:
                report.format = "unknown"
    except Exception as error:  # noqa: BLE001 - a scanner that crashes on bad input is no scanner
        report.flag("suspicious", f"Could not read the file ({type(error).__name__}: {error}).")
    if report.verdict == "safe" and report.globals:
        report.findings.append(f"All {len(report.globals)} imported globals are on the checkpoint allowlist: loading calls them only to rebuild tensors.")
    return report


def _scan_pickle(data: bytes, label: str, report: ScanReport, *, must_parse: bool = True) -> bool:
    """Walk every pickle in ``data`` (a legacy torch file holds several), ask picklescan too; False if none parsed."""
    start = 0
    while start < len(data):
        walk = walk_pickle(data[start:])
        report.opcodes.update({op: n for op, n in walk.opcodes.items() if op in OPCODES_THAT_MATTER})
        for module, name in walk.globals:
            report.globals[(module, name)] = kind = classify_global(module, name)
            if kind != "safe":
                report.flag(kind, f"{label}: imports {module}.{name} ({kind}: unpickling calls what it imports).")
        if walk.error:
            if start == 0 and must_parse:
                report.flag("suspicious", f"{label}: not a well-formed pickle ({walk.error}).")
            elif start:
                report.findings.append(f"{label}: {len(data) - start} bytes after the last pickle are not pickle data.")
            break
        start += walk.end
    report.naive_hits += naive_grep(data)
    _ask_picklescan(data, label, report)
    return start > 0


def _ask_picklescan(data: bytes, label: str, report: ScanReport) -> None:
    try:
        result = scan_pickle_bytes(io.BytesIO(data), label)
    except Exception as error:  # noqa: BLE001 - picklescan raises on some malformed input
        report.scanner_results[label] = f"could not parse ({type(error).__name__})"
        return
    dangerous = [f"{g.module}.{g.name}" for g in result.globals if g.safety == SafetyLevel.Dangerous]
    unknown = [f"{g.module}.{g.name}" for g in result.globals if g.safety == SafetyLevel.Suspicious]
    if dangerous:
        report.scanner_results[label] = "dangerous: " + ", ".join(sorted(dangerous))
        report.flag("dangerous", f"picklescan: {label} imports {', '.join(sorted(dangerous))}.")
    elif unknown:
        report.scanner_results[label] = "suspicious: " + ", ".join(sorted(unknown))
    else:
        report.scanner_results[label] = "no dangerous imports" + (" (parse error)" if result.scan_err else "")


def _scan_zip(path: Path, report: ScanReport) -> None:
    """Read pickle members of a zip (torch.save's format) into memory, bounded; never extract."""
    report.format = "zip"
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        report.flag("suspicious", f"Looks like a zip but cannot be opened ({error}).")
        return
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            report.flag("suspicious", f"The zip lists {len(members)} members (limit {MAX_ZIP_MEMBERS}); not read.")
            return
        names = [m.filename for m in members]
        if any(name.endswith("/data.pkl") for name in names):
            report.format = "torch-zip"
        budget = MAX_UNZIPPED_BYTES
        for member in members:
            declared_pickle = member.filename.endswith(".pkl")
            if member.is_dir() or ("/data/" in member.filename and not declared_pickle):
                continue  # raw tensor storage: bytes, never unpickled
            if member.file_size > min(MAX_MEMBER_BYTES, budget):
                report.flag("suspicious", f"{member.filename}: declares {member.file_size:,} bytes, over the kit's limit; not read (zip bomb?).")
                continue
            try:
                with archive.open(member) as handle:
                    data = handle.read(min(MAX_MEMBER_BYTES, budget) + 1)
            except Exception as error:  # noqa: BLE001 - bad CRC, unsupported compression, truncated member
                report.flag("suspicious", f"{member.filename}: cannot be read ({type(error).__name__}: {error}).")
                continue
            if len(data) > min(MAX_MEMBER_BYTES, budget):
                report.flag("suspicious", f"{member.filename}: decompresses past the kit's limit; stopped reading (zip bomb?).")
                continue
            budget -= len(data)
            if declared_pickle or data[:1] == b"\x80":
                _scan_pickle(data, member.filename, report, must_parse=declared_pickle)


def _looks_like_safetensors(head: bytes) -> bool:
    return len(head) >= 9 and head[8:9] == b"{"


def _scan_safetensors(path: Path, report: ScanReport) -> None:
    """Check the layout: 8-byte little-endian header length, JSON header, raw tensor bytes."""
    report.format = "safetensors"
    with path.open("rb") as handle:
        prefix = handle.read(8)
        if len(prefix) < 8:
            report.flag("suspicious", "Too short for safetensors: no 8-byte header length.")
            return
        (header_len,) = struct.unpack("<Q", prefix)
        if header_len > min(MAX_SAFETENSORS_HEADER, report.size - 8):
            report.flag("suspicious", f"Malformed safetensors: header length {header_len:,} does not fit the file.")
            return
        raw_header = handle.read(header_len)
    try:
        header = json.loads(raw_header)
        tensors = {k: v for k, v in header.items() if k != "__metadata__"}
        data_len = report.size - 8 - header_len
        for name, info in tensors.items():
            begin, end = info["data_offsets"]
            if not (0 <= begin <= end <= data_len and isinstance(info["dtype"], str)):
                raise ValueError(f"tensor {name!r} points outside the data")
    except Exception as error:  # noqa: BLE001 - any deviation from the format is a finding
        report.flag("suspicious", f"Malformed safetensors header ({type(error).__name__}: {error}).")
        return
    report.findings.append(
        f"safetensors: 8-byte header length ({header_len} bytes) + JSON header listing {len(tensors)} tensors "
        f"(dtype, shape, byte offsets) + {data_len:,} raw tensor bytes. Loading parses JSON and copies bytes: there is no code path."
    )


def _bin_unicode(text: str) -> bytes:
    encoded = text.encode()
    return b"X" + struct.pack("<I", len(encoded)) + encoded


def _float_list(values: list[float]) -> bytes:
    return b"](" + b"".join(b"G" + struct.pack(">d", v) for v in values) + b"e"


def _torch_style_pickle(tensors: dict[str, tuple[int, ...]], payload: bytes = b"") -> bytes:
    """The pickle ``torch.save(state_dict)`` writes: an OrderedDict of ``_rebuild_tensor_v2`` calls
    on persistent storage ids ("archive/data/<key>"), optionally with one extra key whose value is ``payload``."""
    out = [b"\x80\x02", b"ccollections\nOrderedDict\n)R("]
    for key, (name, shape) in enumerate(tensors.items()):
        numel = int(np.prod(shape))
        storage = b"((" + _bin_unicode("storage") + b"ctorch\nFloatStorage\n" + _bin_unicode(str(key)) + _bin_unicode("cpu") + b"J" + struct.pack("<i", numel) + b"tQ"
        strides = [int(np.prod(shape[i + 1 :])) for i in range(len(shape))]
        as_tuple = lambda xs: b"(" + b"".join(b"J" + struct.pack("<i", x) for x in xs) + b"t"  # noqa: E731
        out.append(_bin_unicode(name) + b"ctorch._utils\n_rebuild_tensor_v2\n" + storage + b"J\x00\x00\x00\x00" + as_tuple(shape) + as_tuple(strides) + b"\x89ccollections\nOrderedDict\n)RtR")
    if payload:
        out.append(_bin_unicode("_extra_state") + payload)
    out.append(b"u.")
    return b"".join(out)


def _open_canary(canary: Path) -> bytes:
    """Opcodes for ``builtins.open(canary, "w")``: harmless, but it creates a file, so a run is visible."""
    return b"cbuiltins\nopen\n" + _bin_unicode(str(canary)) + _bin_unicode("w") + b"\x86R"


def _write_torch_zip(path: Path, data_pkl: bytes, tensors: dict[str, tuple[int, ...]], rng: np.random.Generator) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", data_pkl)
        archive.writestr("archive/byteorder", "little")
        for key, shape in enumerate(tensors.values()):
            archive.writestr(f"archive/data/{key}", rng.standard_normal(shape).astype("<f4").tobytes())
        archive.writestr("archive/version", "3\n")


def make_examples(folder: str | Path, seed: int = 0) -> dict[str, Path]:
    """Write the example artifacts into ``folder``; payloads would create ``folder/CANARY_NAME`` if loaded.

    Nothing here unpickles anything: the payload bytes are assembled from opcodes.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    canary = folder / CANARY_NAME
    rng = np.random.default_rng(seed)
    tensors = {"layer.weight": (4, 3), "layer.bias": (4,)}
    arrays = {name: rng.standard_normal(shape).astype(np.float32) for name, shape in tensors.items()}
    paths = {
        "clean pickle (numpy arrays)": folder / "clean_checkpoint.pkl",
        "clean torch checkpoint (zip)": folder / "clean_torch.pt",
        "pickle with payload": folder / "payload.pkl",
        "torch checkpoint with payload (zip)": folder / "payload_torch.pt",
        "evasive pickle (memoized STACK_GLOBAL)": folder / "evasive.pkl",
        "safetensors": folder / "model.safetensors",
    }
    paths["clean pickle (numpy arrays)"].write_bytes(pickle.dumps(arrays, protocol=4))  # pickling our own arrays runs nothing
    _write_torch_zip(paths["clean torch checkpoint (zip)"], _torch_style_pickle(tensors), tensors, rng)
    weights = _bin_unicode("weight") + _float_list([round(float(v), 4) for v in arrays["layer.bias"]])
    paths["pickle with payload"].write_bytes(b"\x80\x02}(" + weights + _bin_unicode("config") + _open_canary(canary) + b"u.")
    _write_torch_zip(paths["torch checkpoint with payload (zip)"], _torch_style_pickle(tensors, _open_canary(canary)), tensors, rng)
    # "builtins" and "exec" hide as harmless tags (memo 0 and 1); later BINGET 0, BINGET 1, STACK_GLOBAL
    # rebuilds builtins.exec, so the text "builtins\nexec" never appears in the file.
    code = f"__import__('pathlib').Path({str(canary)!r}).touch()"
    tags = b"](" + _bin_unicode("text-generation") + _bin_unicode("builtins") + b"\x94" + _bin_unicode("exec") + b"\x94e"
    call = b"h\x00h\x01\x93" + _bin_unicode(code) + b"\x85R"
    paths["evasive pickle (memoized STACK_GLOBAL)"].write_bytes(b"\x80\x04}(" + _bin_unicode("tags") + tags + weights + _bin_unicode("init") + call + b"u.")
    save_file(arrays, str(paths["safetensors"]), metadata={"format": "np"})
    return paths
