"""Model artifacts: report what a file would do when loaded, without loading it.

Python's pickle docs warn that unpickling "can execute arbitrary code", and a
pickle-based checkpoint (``torch.save``, ``joblib.dump``, ``numpy.save`` of an
object array) is a pickle. :func:`scan_artifact` reads a file the way an
attacker would want nobody to:

* the format comes from the **content** (magic bytes and structure), never from
  the name;
* it reads **every layer a real loader would reach**: a pickle at the start of
  the file (what ``pickle.load`` and legacy ``torch.load`` read) *and* a zip
  after it, every member of a zip or tar (nested archives too, ``.npy`` members
  of an ``.npz``), gzip/zlib/bz2/xz/lzma wrappers (how joblib compresses), the
  pickle inside an object-dtype ``.npy``; safetensors and GGUF are data;
* every pickle is walked once, linearly, by :mod:`aiopen.domain.safety.pickles`;
  :mod:`aiopen.domain.safety.callables` says what each import can do;
* hard caps (:data:`LIMITS`) bound time and memory; each cap hit is a finding,
  and a file that hits one is never called safe;
* picklescan (the scanner the Hugging Face Hub runs on uploads) gives a second
  opinion on each pickle within its own smaller budget, and the report says
  where the two disagree.

``scan_artifact`` takes a path or the file's bytes, and never raises: a folder, a
missing or unreadable path, ``None`` or an empty file each get a plain verdict.
"""

from __future__ import annotations

import ast
import bz2
import gzip
import io
import json
import logging
import lzma
import mmap
import os
import struct
import tarfile
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from picklescan.scanner import SafetyLevel, scan_pickle_bytes

from aiopen.domain.safety.callables import classify
from aiopen.domain.safety.limits import LIMITS, Limits
from aiopen.domain.safety.pickles import Budget, Global, PickleWalk, walk_pickle

# The kit reports picklescan's verdict itself; keep its log lines out of the notebook.
logging.getLogger("picklescan").setLevel(logging.CRITICAL)

VERDICTS = ("safe", "suspicious", "dangerous")
# Opcodes that import (GLOBAL, STACK_GLOBAL, INST) or call/build objects: the ones that can run code.
OPCODES_THAT_MATTER = ("GLOBAL", "STACK_GLOBAL", "INST", "OBJ", "REDUCE", "NEWOBJ", "NEWOBJ_EX", "BUILD", "BINPERSID", "PERSID")
# What a naive text search looks for: GLOBAL opcodes spelled ``module\nname``.
NAIVE_PATTERNS = (b"os\nsystem", b"posix\nsystem", b"subprocess\n", b"builtins\neval", b"builtins\nexec", b"builtins\nopen", b"__builtin__\neval")


@dataclass
class ScanReport:
    """The result of :func:`scan_artifact`; ``verdict`` is ``"safe"``, ``"suspicious"`` or ``"dangerous"``."""

    path: Path | None
    format: str
    verdict: str = "safe"
    findings: list[str] = field(default_factory=list)
    globals: dict[Global, str] = field(default_factory=dict)  # (module, name) -> the kit's classification
    reasons: dict[Global, str] = field(default_factory=dict)  # (module, name) -> what it can do
    opcodes: Counter = field(default_factory=Counter)
    layers: list[str] = field(default_factory=list)  # what was read, outermost first: "archive/data.pkl: pickle"
    caps: list[str] = field(default_factory=list)  # every cap or stop reached
    scanner_results: dict[str, str] = field(default_factory=dict)  # layer -> picklescan's summary
    disagreements: list[str] = field(default_factory=list)  # layers where the kit and picklescan differ
    naive_hits: list[str] = field(default_factory=list)
    size: int = 0

    def flag(self, verdict: str, finding: str) -> None:
        """Add a finding and raise the verdict to at least ``verdict``."""
        self.findings.append(finding)
        self.verdict = max(self.verdict, verdict, key=VERDICTS.index)


def naive_grep(data: bytes) -> list[str]:
    """The naive check a scanner must beat: search the raw bytes for ``module\\nname`` text."""
    if not isinstance(data, (bytes, bytearray, memoryview, mmap.mmap)):
        raise ValueError(f"naive_grep searches bytes (a file's content), not {type(data).__name__}.")
    data = bytes(data) if isinstance(data, memoryview) else data
    return [pattern.decode().replace("\n", ".") for pattern in NAIVE_PATTERNS if pattern in data]


def scan_artifact(
    source: str | os.PathLike | bytes | bytearray | memoryview | None,
    *,
    limits: Limits = LIMITS,
    should_stop: Callable[[], str | None] | None = None,
) -> ScanReport:
    """Report what a model file would do when loaded, without loading it. Never raises.

    ``source`` is a path or the file's bytes. ``should_stop`` is called now and then
    during the scan; a non-empty answer (say "cancelled") stops it, reported as a cap.
    """
    report = ScanReport(path=None, format="unknown")
    try:
        with ExitStack() as stack:
            data = _open(source, report, stack)
            if data is not None:
                _Scan(report, limits, should_stop).top(data)
    except Exception as error:  # noqa: BLE001 - a scanner that crashes on bad input is no scanner
        report.flag("suspicious", f"Could not finish reading the file ({type(error).__name__}: {error}).")
    _conclude(report)
    return report


def _open(source: object, report: ScanReport, stack: ExitStack) -> bytes | mmap.mmap | None:
    """The bytes to scan (a read-only memory map for a file), or None with the reason in ``report``."""
    if source is None:
        report.format = "none"
        report.flag("suspicious", "Nothing to scan: give the path of a file, or its bytes.")
        return None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        report.size = len(data)
    elif isinstance(source, (str, os.PathLike)):
        path = report.path = Path(source)
        try:
            if path.is_dir():
                report.flag("suspicious", "This is a folder, not a file; choose one file inside it.")
                return None
            if not path.is_file():
                report.flag("suspicious", "There is no file at this path.")
                return None
            handle = stack.enter_context(path.open("rb"))
            report.size = os.fstat(handle.fileno()).st_size
            data = stack.enter_context(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)) if report.size else b""
        except OSError as error:
            report.flag("suspicious", f"The file cannot be read ({error.strerror or error}); check its permissions.")
            return None
    else:
        report.flag("suspicious", f"Cannot scan a {type(source).__name__}: give the path of a file, or its bytes.")
        return None
    if not report.size:
        report.format = "empty"
        report.flag("suspicious", "The file is empty: not a model in any format.")
        return None
    return data


def _conclude(report: ScanReport) -> None:
    if report.caps:
        report.flag("suspicious", "The scan stopped early (" + "; ".join(report.caps) + "): what it did not read could hold anything, so the file cannot be called safe.")
    if report.verdict == "safe" and report.globals:
        report.findings.append(f"All {len(report.globals)} imported globals are on the checkpoint allowlist: loading calls them only to rebuild tensors and data.")


class _Scan:
    """One scan's state: the report, what the caps still allow, and each format's reader."""

    def __init__(self, report: ScanReport, limits: Limits, should_stop: Callable[[], str | None] | None) -> None:
        self.report, self.limits = report, limits
        self.should_stop = should_stop or (lambda: None)
        self.budget = Budget(limits.opcodes, limits.memo, self.should_stop)
        self.members = limits.members
        self.unpacked = limits.unpacked_bytes
        self.picklescan_opcodes = limits.picklescan_opcodes

    def cap(self, what: str, where: str = "") -> None:
        """Record a cap reached (once per kind of cap, with the first place it was reached)."""
        if not any(c.startswith(what) for c in self.report.caps):
            self.report.caps.append(f"{what} (at {where})" if where else what)

    def top(self, data: bytes) -> None:
        formats = self.layer(data, "", 0)
        self.report.format = " + ".join(formats) or "unknown"
        if not formats:
            self.report.flag("suspicious", "The kit does not recognise this format (not a pickle, zip, tar, NumPy, safetensors or GGUF file), so it cannot say that loading it is safe.")

    def layer(self, data: bytes, label: str, depth: int) -> list[str]:
        """Read ``data`` as every format a loader could take it for; the formats found."""
        if depth > self.limits.depth:
            self.cap(f"archives nested deeper than {self.limits.depth} layers", label)
            return []
        reason = self.budget.stopped or self.should_stop()
        if reason:  # out of opcodes, cancelled or past a deadline: read nothing more
            self.cap(reason, label)
            return []
        index = len(self.report.layers)
        self.report.layers.append("")  # this layer's line goes before those of the layers inside it
        formats = [kind for kind in (self.pickle(data, 0, label), self.compressed(data, label, depth), self.archive(data, label, depth),
                                     self.npy(data, label), self.safetensors(data, label), self.gguf(data, label)) if kind]
        self.report.layers[index] = f"{label or 'the file'}: {' + '.join(formats) or 'not a known format'}"
        return formats

    # ----------------------------------------------------------------------------- pickles

    def pickle(self, data: bytes, start: int, label: str, *, expected: bool = False) -> str | None:
        """Walk the pickles at ``start``; "pickle" if there are any (or ``expected`` says there must be)."""
        report, where = self.report, label or "the file"
        walk = walk_pickle(data, start, self.budget)
        if walk.stopped:
            self.cap(walk.stopped, where)
        looks_like = walk.pickles or walk.globals or expected or data[start : start + 1] == b"\x80"
        if not looks_like:
            return None
        report.opcodes.update({op: n for op, n in walk.opcodes.items() if op in OPCODES_THAT_MATTER})
        layer_verdict = "safe"
        for module, name in walk.globals:
            verdict, why = classify(module, name)
            report.globals[(module, name)], report.reasons[(module, name)] = verdict, why
            layer_verdict = max(layer_verdict, verdict, key=VERDICTS.index)
            if verdict != "safe":
                report.flag(verdict, f"{where}: imports {module}.{name} ({verdict}: {why}).")
        if walk.error and not walk.pickles:
            report.flag("suspicious", f"{where}: not a well-formed pickle ({walk.error}); a loader stops there, after importing what came before.")
        elif walk.error:
            report.findings.append(f"{where}: {walk.pickles} pickle(s), then {len(data) - walk.end:,} bytes that do not load as a pickle ({walk.error}).")
        end = max(walk.end, walk.error_offset)
        if end - start <= self.limits.picklescan_bytes:
            report.naive_hits = sorted(set(report.naive_hits) | set(naive_grep(data[start:end])))
        self.picklescan(data, start, end, walk, where, layer_verdict)
        return "pickle"

    def picklescan(self, data: bytes, start: int, end: int, walk: PickleWalk, where: str, kit_verdict: str) -> None:
        """Ask picklescan about the same bytes, if they fit its budget; record where it disagrees."""
        report, read = self.report, sum(walk.opcodes.values())
        if walk.stopped or read > self.picklescan_opcodes or end - start > self.limits.picklescan_bytes:
            report.scanner_results[where] = "not asked: over the budget the kit gives picklescan"
            return
        self.picklescan_opcodes -= max(read, 200)  # a call costs something even for a tiny pickle
        try:
            with warnings.catch_warnings():  # pickletools warns about odd escapes in STRING arguments
                warnings.simplefilter("ignore")
                result = scan_pickle_bytes(io.BytesIO(data[start:end]), where)
        except Exception as error:  # noqa: BLE001 - picklescan raises on some malformed input
            report.scanner_results[where] = f"could not parse ({type(error).__name__})"
            return
        found = {level: sorted(f"{g.module}.{g.name}" for g in result.globals if g.safety == level) for level in SafetyLevel}
        if found[SafetyLevel.Dangerous]:
            verdict, summary = "dangerous", "dangerous: " + ", ".join(found[SafetyLevel.Dangerous])
            report.flag("dangerous", f"picklescan: {where} imports {', '.join(found[SafetyLevel.Dangerous])}.")
        elif found[SafetyLevel.Suspicious]:
            verdict, summary = "suspicious", "suspicious: " + ", ".join(found[SafetyLevel.Suspicious])
        else:
            verdict, summary = "safe", "no dangerous imports" + (" (parse error)" if result.scan_err else "")
        report.scanner_results[where] = summary
        if verdict != kit_verdict:
            report.disagreements.append(f"{where}: the kit says {kit_verdict}, picklescan says {summary}.")

    # ----------------------------------------------------------------------------- wrappers and archives

    def unpack(self, read: Callable[[int], bytes], what: str) -> bytes | None:
        """Read at most what the unpacked-bytes budget allows; None (and a cap) past it."""
        data = read(self.unpacked + 1)
        if len(data) > self.unpacked:
            self.cap(f"unpacked data past the kit's {self.limits.unpacked_bytes // 2**20} MB limit (a bomb?)", what)
            return None
        self.unpacked -= len(data)
        return data

    def compressed(self, data: bytes, label: str, depth: int) -> str | None:
        """gzip, zlib, bz2, xz or lzma: joblib's compressors and gzip's own."""
        head = data[:6]
        if head[:2] == b"\x1f\x8b":
            kind, reader = "gzip", lambda n: gzip.GzipFile(fileobj=_View(data)).read(n)
        elif head[:3] == b"BZh":
            kind, reader = "bz2", lambda n: bz2.BZ2File(_View(data)).read(n)
        elif head == b"\xfd7zXZ\x00":
            kind, reader = "xz", lambda n: lzma.LZMAFile(_View(data)).read(n)
        elif head[:1] == b"\x5d" and _lzma_alone_dictionary(head):
            kind, reader = "lzma", lambda n: lzma.LZMADecompressor(lzma.FORMAT_ALONE).decompress(data, n)
        elif len(head) >= 2 and head[0] & 0x0F == 8 and head[0] >> 4 <= 7 and (head[0] << 8 | head[1]) % 31 == 0:
            kind, reader = "zlib", lambda n: zlib.decompressobj().decompress(data, n)
        else:
            return None
        try:
            inner = self.unpack(reader, f"{label or 'the file'} ({kind})")
        except (OSError, EOFError, lzma.LZMAError, zlib.error, ValueError) as error:
            if kind in ("gzip", "bz2", "xz"):  # unmistakable magic bytes: a broken stream is worth saying
                self.report.flag("suspicious", f"{label or 'the file'}: {kind} data that cannot be decompressed ({error}).")
                return kind
            return None
        if inner:
            self.layer(inner, f"{label or 'the file'} ({kind})", depth + 1)
        return kind

    def archive(self, data: bytes, label: str, depth: int) -> str | None:
        if _has_zip_directory(data):
            return self.zip(data, label, depth)
        if len(data) >= 512 and data[257:262] == b"ustar":
            return self.tar(data, label, depth)
        return None

    def zip(self, data: bytes, label: str, depth: int) -> str | None:
        """Every member of a zip, read bounded and scanned by content; torch's raw storages are skipped."""
        where = label or "the file"
        directory = _zip_directory_size(data)
        if directory > self.limits.zip_directory_bytes:  # zipfile would parse every entry before the members cap could act
            self.cap(f"a zip directory over {self.limits.zip_directory_bytes // 2**20} MB (more members than the kit reads)", f"{where}, {directory:,} bytes")
            return "zip"
        try:
            archive = zipfile.ZipFile(_View(data))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            self.report.flag("suspicious", f"{where}: looks like a zip but cannot be opened ({error}).")
            return "zip"
        with archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            pickles = {m.filename[: -len("data.pkl")] for m in members if m.filename.endswith("data.pkl")}
            storages = 0
            kinds = []
            for member in members:
                prefix, marker, key = member.filename.rpartition("data/")
                if marker and prefix in pickles and "/" not in key:
                    storages += 1  # torch's raw tensor bytes: read as bytes, never unpickled
                    continue
                if self.members <= 0:
                    self.cap(f"more than {self.limits.members:,} archive members", where)
                    break
                self.members -= 1
                name = f"{label}/{member.filename}" if label else member.filename
                if member.file_size > self.unpacked:
                    self.cap(f"a member declaring more bytes than the kit's {self.limits.unpacked_bytes // 2**20} MB limit (a zip bomb?)", f"{name}, {member.file_size:,} bytes")
                    continue
                try:
                    with archive.open(member) as handle:
                        head = handle.read(NPY_PEEK)
                        if _numeric_npy(head, self.limits.npy_header):  # an .npz's arrays of numbers: the header says it all
                            inner = self.unpack(lambda n: head[:n], name)
                        else:
                            inner = self.unpack(lambda n: head + handle.read(max(0, n - len(head))), name)
                except Exception as error:  # noqa: BLE001 - bad CRC, encryption, unsupported compression, truncation
                    self.report.flag("suspicious", f"{name}: cannot be read ({type(error).__name__}: {error}).")
                    continue
                if inner:
                    kinds.append(self.layer(inner, name, depth + 1))
            if storages:
                self.report.findings.append(f"{where}: {storages} raw tensor storages (torch.load reads them as bytes, never unpickles them).")
        if pickles:
            return "torch-zip"
        return "npz" if kinds and all("npy" in k for k in kinds) else "zip"

    def tar(self, data: bytes, label: str, depth: int) -> str | None:
        """Every regular member of a tar (legacy ``torch.save`` wrote one), read bounded."""
        where = label or "the file"
        names = []
        try:
            with tarfile.open(fileobj=_View(data), mode="r:") as archive:
                while (member := archive.next()) is not None:
                    if self.members <= 0:
                        self.cap(f"more than {self.limits.members:,} archive members", where)
                        break
                    self.members -= 1
                    if not member.isfile():
                        continue
                    names.append(member.name)
                    name = f"{label}/{member.name}" if label else member.name
                    if member.size > self.unpacked:
                        self.cap(f"a member declaring more bytes than the kit's {self.limits.unpacked_bytes // 2**20} MB limit", f"{name}, {member.size:,} bytes")
                        continue
                    inner = self.unpack(archive.extractfile(member).read, name)
                    if inner:
                        self.layer(inner, name, depth + 1)
        except (tarfile.TarError, OSError, EOFError, ValueError) as error:
            self.report.flag("suspicious", f"{where}: looks like a tar but cannot be read ({error}).")
        return "torch-tar" if {"pickle", "storages"} <= set(names) else "tar"

    # ----------------------------------------------------------------------------- data formats

    def npy(self, data: bytes, label: str) -> str | None:
        """A NumPy ``.npy``: numbers are data; an object dtype stores a pickle after the header."""
        if data[:6] != b"\x93NUMPY":
            return None
        where = label or "the file"
        try:
            dtype, shape, start = _npy_header(data, self.limits.npy_header)
        except Exception as error:  # noqa: BLE001 - a malformed header is a finding
            self.report.flag("suspicious", f"{where}: a NumPy file whose header numpy.load would refuse ({type(error).__name__}: {error}).")
            return "npy"
        if dtype.hasobject:
            self.report.findings.append(f"{where}: a NumPy array of Python objects, shape {shape}: numpy.load(allow_pickle=True) unpickles the data below.")
            self.pickle(data, start, f"{where} (object array data)", expected=True)
        else:
            self.report.findings.append(f"{where}: a NumPy array of {dtype}, shape {shape}: raw numbers, which numpy.load reads without unpickling anything.")
        return "npy"

    def safetensors(self, data: bytes, label: str) -> str | None:
        """8-byte little-endian header length, a JSON header, raw tensor bytes; checked strictly."""
        if len(data) < 10 or data[8:9] != b"{":
            return None
        where = label or "the file"
        (header_len,) = struct.unpack_from("<Q", data, 0)
        if header_len > len(data) - 8:
            self.report.flag("suspicious", f"{where}: looks like safetensors, but its header length {header_len:,} does not fit the file.")
            return None
        if header_len > self.limits.safetensors_header:
            self.cap(f"a safetensors header over {self.limits.safetensors_header // 2**20} MB", where)
            return "safetensors"
        try:
            header = json.loads(bytes(data[8 : 8 + header_len]))
            tensors = {k: v for k, v in header.items() if k != "__metadata__"}
            data_len = len(data) - 8 - header_len
            for name, info in tensors.items():
                begin, end = info["data_offsets"]
                if not (isinstance(info["dtype"], str) and all(isinstance(d, int) and d >= 0 for d in info["shape"]) and 0 <= begin <= end <= data_len):
                    raise ValueError(f"tensor {name!r} is not a dtype, a shape and offsets inside the data")
        except Exception as error:  # noqa: BLE001 - any deviation from the format is a finding
            self.report.flag("suspicious", f"{where}: looks like safetensors, but its header is malformed ({type(error).__name__}: {error}).")
            return None
        self.report.findings.append(
            f"{where}: safetensors: 8-byte header length ({header_len} bytes) + JSON header listing {len(tensors)} tensors "
            f"(dtype, shape, byte offsets) + {data_len:,} raw tensor bytes. Loading parses JSON and copies bytes: there is no code path."
        )
        return "safetensors"

    def gguf(self, data: bytes, label: str) -> str | None:
        """GGUF (llama.cpp): a header, typed metadata, tensor descriptions and raw tensor data."""
        if data[:4] != b"GGUF":
            return None
        where = label or "the file"
        try:
            version, tensors, count = struct.unpack_from("<IQQ", data, 4)
            if version not in (2, 3) or tensors > 10**6 or count > 10**6:
                raise ValueError(f"version {version}, {tensors:,} tensors, {count:,} metadata keys")
            keys = _gguf_keys(data, 24, count, self.limits.gguf_items)
        except _CapReached as cap:
            self.cap(str(cap), where)
            return "gguf"
        except (struct.error, ValueError, UnicodeDecodeError) as error:
            self.report.flag("suspicious", f"{where}: looks like GGUF but its header is malformed ({error}).")
            return "gguf"
        self.report.findings.append(
            f"{where}: GGUF v{version}: {count} typed metadata entries and {tensors} tensors of raw numbers. Loading reads values "
            "and maps bytes: there is no code path."
        )
        if "tokenizer.chat_template" in keys:
            self.report.findings.append(
                f"{where}: its metadata holds a chat template (Jinja text). Runtimes render it as a template: llama-cpp-python "
                "before 0.2.72 did so unsandboxed, so a crafted template could run code (CVE-2024-34359). The kit reports it; it does not judge it."
            )
        return "gguf"


class _CapReached(Exception):
    pass


_GGUF_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}  # fixed-size value types
_GGUF_STRING, _GGUF_ARRAY = 8, 9


def _gguf_keys(data: bytes, pos: int, count: int, max_items: int) -> set[str]:
    """The metadata keys of a GGUF header, skipping values by their declared sizes (bounded)."""
    keys, items = set(), 0

    def skip(kind: int, pos: int, n: int) -> int:
        nonlocal items
        items += n
        if items > max_items:
            raise _CapReached(f"more than {max_items:,} metadata values")
        if kind in _GGUF_SIZES:
            return pos + n * _GGUF_SIZES[kind]
        if kind == _GGUF_STRING:
            for _ in range(n):
                (length,) = struct.unpack_from("<Q", data, pos)
                pos += 8 + length
            return pos
        if kind == _GGUF_ARRAY:
            for _ in range(n):
                inner, length = struct.unpack_from("<IQ", data, pos)
                pos = skip(inner, pos + 12, length)
            return pos
        raise ValueError(f"unknown value type {kind}")

    for _ in range(count):
        (length,) = struct.unpack_from("<Q", data, pos)
        keys.add(bytes(data[pos + 8 : pos + 8 + length]).decode("utf-8"))
        (kind,) = struct.unpack_from("<I", data, pos + 8 + length)
        pos = skip(kind, pos + 12 + length, 1)
        if pos > len(data):
            raise ValueError("the metadata runs past the end of the file")
    return keys


NPY_PEEK = 65_536  # bytes of a zip member read first: enough for any .npy header numpy.load accepts


def _npy_header(data: bytes, max_header: int) -> tuple[np.dtype, tuple, int]:
    """dtype, shape and data offset of a .npy, parsed as numpy.load does (a Python literal, size-limited)."""
    major = data[6]
    size_format = "<H" if major == 1 else "<I"
    (length,) = struct.unpack_from(size_format, data, 8)
    start = 8 + struct.calcsize(size_format)
    if length > max_header or start + length > len(data):
        raise ValueError(f"a header of {length:,} bytes")
    header = ast.literal_eval(bytes(data[start : start + length]).decode("utf-8" if major >= 3 else "latin-1"))
    return np.lib.format.descr_to_dtype(header["descr"]), tuple(header["shape"]), start + length


def _numeric_npy(head: bytes, max_header: int) -> bool:
    try:
        return head[:6] == b"\x93NUMPY" and not _npy_header(head, max_header)[0].hasobject
    except Exception:  # noqa: BLE001 - not a readable header: read the whole member and say so there
        return False


def _zip_directory_size(data: bytes) -> int:
    """The central directory's size as the end record states it (zip64 too); 0 if unreadable."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return 0
    (size,) = struct.unpack_from("<L", data, end + 12)
    if size == 0xFFFFFFFF:
        record = data.rfind(b"PK\x06\x06", max(0, end - 65_557), end)
        size = struct.unpack_from("<Q", data, record + 40)[0] if 0 <= record and record + 56 <= len(data) else 0
    return size


class _View(io.RawIOBase):
    """A read-only, seekable file over bytes or a memory map, without copying them."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.data, self.pos = data, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.pos = max(0, (offset, self.pos + offset, len(self.data) + offset)[whence])
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buffer: bytearray) -> int:
        chunk = self.data[self.pos : self.pos + len(buffer)]
        buffer[: len(chunk)] = chunk
        self.pos += len(chunk)
        return len(chunk)


def _has_zip_directory(data: bytes) -> bool:
    """A zip's end-of-central-directory record in its last 64 KB (where zipfile and torch look)."""
    return data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557)) >= 0


def _lzma_alone_dictionary(head: bytes) -> bool:
    """The legacy .lzma header: properties byte 0x5d and a dictionary size of 2^n or 3 x 2^(n-1)."""
    if len(head) < 5:
        return False
    size = int.from_bytes(head[1:5], "little")
    return size >= 4096 and (size & (size - 1) == 0 or (size // 3) & (size // 3 - 1) == 0 and size % 3 == 0)
