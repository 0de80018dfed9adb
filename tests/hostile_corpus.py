"""The artifact scanner's regression corpus: evasive files, clean controls, denial-of-service inputs.

Every file is assembled from bytes here; nothing in this module unpickles
anything. Each **hostile** file runs its payload when loaded the way a user would
load it (:data:`HOSTILE` names the loader, :func:`load` implements each one, and
``tests/test_domain_safety_corpus.py`` proves it in a subprocess with a canary file).
The payloads are harmless and visible: they create ``CANARY_NAME`` next to the
file. torch and joblib are not installed, so their loaders are emulated the way
they read files:

* ``torch.load``: a file starting with a zip's local header is a zip checkpoint
  (``<prefix>/data.pkl`` unpickled with a ``persistent_load``); otherwise a
  legacy tar (member ``pickle``), and if it is not a tar either, the legacy stream
  (``pickle.load`` four times: magic number, protocol, system info, the object);
* ``joblib.load``: its zlib, gzip, bz2, xz and lzma compressors wrap one pickle
  (``joblib.load`` itself is used when joblib is installed);
* ``numpy.load(..., allow_pickle=True)`` is the real numpy.

:data:`CLEAN` files must never be called dangerous; :data:`DOS` inputs (each
under 10 MB) must be scanned within the time and memory bounds of the tests.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import pickle
import struct
import sys
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from aiopen.domain.safety import examples
from aiopen.domain.safety.stress import DOS, PEAK_MB, hostile_record, zip_of as _zip  # noqa: F401 - part of this corpus
from aiopen.domain.safety.examples import CANARY_NAME, _bin_unicode, _open_canary, _torch_style_pickle

TENSORS = {"layer.weight": (4, 3), "layer.bias": (4,)}


# ----------------------------------------------------------------------------- opcode helpers


def _str(text: str) -> bytes:
    return _bin_unicode(text)


def _stack_global(module: str, name: str) -> bytes:
    return _str(module) + _str(name) + b"\x93"


def _call(callable_: bytes, *args: bytes) -> bytes:
    """``callable(*args)``: the callable, MARK, the arguments, TUPLE, REDUCE."""
    return callable_ + b"(" + b"".join(args) + b"tR"


def _pickle(body: bytes, protocol: int = 4) -> bytes:
    """A pickle whose value is ``body``'s result, dropped into a one-key dict so it looks like a state dict."""
    return bytes([0x80, protocol]) + b"}" + _str("config") + body + b"s."


def payload_open(canary: Path) -> bytes:
    """A protocol-2 pickle of ``{"config": builtins.open(canary, "w")}``."""
    return _pickle(_open_canary(canary), protocol=2)


def _torch_zip(data_pkl: bytes) -> bytes:
    return examples._torch_zip(data_pkl, TENSORS, np.random.default_rng(0))


def _tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _npy(descr: str, shape: tuple[int, ...], body: bytes) -> bytes:
    """A version-1.0 .npy: magic, header length, a Python-literal header padded to 64 bytes, the data."""
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode("latin-1")
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + body


def _npy_of(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)  # numbers only: nothing is pickled
    return buffer.getvalue()


def _lzma_alone(data: bytes) -> bytes:
    return lzma.compress(data, format=lzma.FORMAT_ALONE)


# ----------------------------------------------------------------------------- hostile files


def _pickle_looking_like_safetensors(canary: Path) -> bytes:
    """Its first 8 bytes read as a small safetensors header length and its ninth byte is '{'."""
    body = b"\x80\x02X\x02\x00\x00\x00a{0"  # PROTO 2, a 2-character string 'a{' (the '{' is byte 8), POP
    return body + payload_open(canary)[2:]


def _stack_global_computed(canary: Path) -> bytes:
    """Only allowlisted imports: ``builtins.str('builtins')`` computes the module name of
    ``STACK_GLOBAL``, which then imports builtins.open: no text search or literal
    import list shows it."""
    module = _call(_stack_global("builtins", "str"), _str("builtins"))
    return _pickle(_call(module + _str("open") + b"\x93", _str(str(canary)), _str("w")))


def _io_open(canary: Path) -> bytes:
    return _pickle(_call(_stack_global("io", "open"), _str(str(canary)), _str("w")))


def _pathlib_write(canary: Path) -> bytes:
    path = _call(_stack_global("pathlib", "Path"), _str(str(canary)))
    return _pickle(_call(_stack_global("pathlib", "Path.write_text"), path, _str("ran")))


def _spawn(canary: Path) -> bytes:
    """``multiprocessing.util.spawnv_passfds``: starts a new Python process that writes the canary."""
    args = b"](" + _str(sys.executable) + _str("-c") + _str(f"open({str(canary)!r}, 'w')") + b"e"
    executable = os.fsencode(sys.executable)
    path = b"C" + bytes([len(executable)]) + executable  # SHORT_BINBYTES: fork_exec takes the path as bytes
    return _pickle(_call(_stack_global("multiprocessing.util", "spawnv_passfds"), path, args, b")"))


def _nested_loads(canary: Path) -> bytes:
    """``_pickle.loads(inner)``: the payload is a pickle inside a byte string of the outer one."""
    inner = payload_open(canary)
    return _pickle(_call(_stack_global("_pickle", "loads"), b"B" + struct.pack("<I", len(inner)) + inner))


def _runpy(canary: Path) -> bytes:
    code = f"open({str(canary)!r}, 'w')"
    return _pickle(_call(_stack_global("runpy", "_run_code"), _str(code), b"}"))


def _protocol0_system(canary: Path) -> bytes:
    return b"cos\nsystem\n(S'touch " + str(canary).encode() + b"'\ntR."


def _legacy_torch_stream(canary: Path) -> bytes:
    """A legacy ``torch.save`` stream: magic number, protocol and system-info pickles, then the payload."""
    magic = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
    return magic + pickle.dumps(1001, protocol=2) + pickle.dumps({"little_endian": True}, protocol=2) + _torch_style_pickle(TENSORS, _open_canary(canary))


def _evasive_memo(canary: Path) -> bytes:
    """The kit's evasive example: 'builtins' and 'exec' memoized among tags, fetched back by BINGET."""
    code = f"open({str(canary)!r}, 'w')"
    tags = b"](" + _str("text-generation") + _str("builtins") + b"\x94" + _str("exec") + b"\x94e"
    return b"\x80\x04}(" + _str("tags") + tags + _str("init") + b"h\x00h\x01\x93" + _str(code) + b"\x85Ru."


# name -> (file name, builder, loader)
HOSTILE: dict[str, tuple[str, Callable[[Path], bytes], str]] = {
    "pickle then a clean torch zip": ("pickle_then_zip.pt", lambda c: payload_open(c) + _torch_zip(_torch_style_pickle(TENSORS)), "torch.load"),
    "pickle whose ninth byte is '{'": ("looks_like_header.safetensors", _pickle_looking_like_safetensors, "pickle.load"),
    "payload renamed .safetensors": ("renamed.safetensors", payload_open, "pickle.load"),
    "object-dtype .npy": ("objects.npy", lambda c: _npy("|O", (1,), payload_open(c)), "numpy.load"),
    "object-dtype .npy inside .npz": ("arrays.npz", lambda c: _zip({"weights.npy": _npy_of(np.ones(3, "<f4")), "meta.npy": _npy("|O", (1,), payload_open(c))}), "numpy.load"),
    "torch zip inside a zip": ("bundle.zip", lambda c: _zip({"model/model.pt": _torch_zip(_torch_style_pickle(TENSORS, _open_canary(c)))}), "unzip, then torch.load"),
    "joblib zlib": ("model.joblib", lambda c: zlib.compress(payload_open(c), 3), "joblib.load"),
    "gzip": ("model.pkl.gz", lambda c: gzip.compress(payload_open(c), mtime=0), "gzip + pickle.load"),
    "joblib bz2": ("model.joblib.bz2", lambda c: bz2.compress(payload_open(c)), "joblib.load"),
    "joblib xz": ("model.joblib.xz", lambda c: lzma.compress(payload_open(c)), "joblib.load"),
    "joblib lzma": ("model.joblib.lzma", lambda c: _lzma_alone(payload_open(c)), "joblib.load"),
    "legacy torch tar": ("legacy.tar", lambda c: _tar({"sys_info": pickle.dumps({"little_endian": True}, protocol=2),
                                                        "pickle": _torch_style_pickle(TENSORS, _open_canary(c)),
                                                        "storages": pickle.dumps(0, protocol=2), "tensors": pickle.dumps(0, protocol=2)}), "torch.load"),
    "legacy torch stream": ("legacy_stream.pt", _legacy_torch_stream, "torch.load"),
    "io.open": ("io_open.pkl", _io_open, "pickle.load"),
    "pathlib.Path.write_text": ("pathlib.pkl", _pathlib_write, "pickle.load"),
    "multiprocessing spawn": ("spawn.pkl", _spawn, "pickle.load"),
    "nested _pickle.loads": ("nested.pkl", _nested_loads, "pickle.load"),
    "runpy._run_code": ("runpy.pkl", _runpy, "pickle.load"),
    "protocol 0 os.system": ("system.pkl", _protocol0_system, "pickle.load"),
    "module name computed while loading": ("computed.pkl", _stack_global_computed, "pickle.load"),
    "memoized STACK_GLOBAL": ("evasive.pkl", _evasive_memo, "pickle.load"),
}


# ----------------------------------------------------------------------------- clean controls

CLEAN: dict[str, tuple[str, Callable[[], bytes]]] = {
    "float .npy": ("weights.npy", lambda: _npy_of(np.arange(12, dtype="<f4").reshape(4, 3))),
    "float .npz": ("weights.npz", lambda: _zip({"w.npy": _npy_of(np.ones((2, 2))), "b.npy": _npy_of(np.zeros(2, "<f2"))})),
    "object .npy of strings": ("labels.npy", lambda: _npy("|O", (2,), pickle.dumps(np.array(["cat", "dog"], dtype=object), protocol=3))),
    "torch zip": ("clean.pt", lambda: _torch_zip(_torch_style_pickle(TENSORS))),
    "legacy torch tar": ("clean_legacy.tar", lambda: _tar({"sys_info": pickle.dumps({"little_endian": True}, protocol=2),
                                                           "pickle": _torch_style_pickle(TENSORS), "storages": pickle.dumps(0, protocol=2),
                                                           "tensors": pickle.dumps(0, protocol=2)})),
    "gzip pickle of a dict": ("config.pkl.gz", lambda: gzip.compress(pickle.dumps({"lr": 0.1, "tags": {"a", "b"}}, protocol=4), mtime=0)),
    "joblib zlib of arrays": ("arrays.joblib", lambda: zlib.compress(pickle.dumps({"w": np.ones(3)}, protocol=4))),
    "protocol 0 pickle": ("old.pkl", lambda: pickle.dumps({"a": [1, 2.5, "x", b"y"], "s": {1}, "c": complex(1, 2)}, protocol=0)),
    "protocol 2 pickle with bytes": ("bytes.pkl", lambda: pickle.dumps({"raw": b"\x00\x01", "r": range(3), "sl": slice(1, 2)}, protocol=2)),
    "plain text": ("README.txt", lambda: b"Release notes: this model was trained for 3 epochs.\n"),
}


# ----------------------------------------------------------------------------- denial of service (each < 10 MB)
# DOS, the PEAK_MB snippet and hostile_record (hostile text for the PII scanner) live in
# aiopen.domain.safety.stress, where the benchmarks read them too.


def write(folder: Path, table: dict, canary: Path | None = None) -> dict[str, Path]:
    """Write every file of ``table`` (HOSTILE needs the canary) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, (file_name, build, *_) in table.items():
        paths[name] = folder / file_name
        paths[name].write_bytes(build(canary) if canary is not None else build())
    return paths


# ----------------------------------------------------------------------------- loaders (run only in a throwaway process)


class _TorchUnpickler(pickle.Unpickler):
    """torch.load's unpickler as far as a payload cares: it resolves every global normally
    (torch's own ones become stubs, since torch is not installed) and resolves storages."""

    def find_class(self, module: str, name: str):  # noqa: ANN201
        if module.split(".")[0] == "torch":
            return lambda *args, **kwargs: (module, name, args)
        return super().find_class(module, name)

    def persistent_load(self, pid):  # noqa: ANN001, ANN201
        return pid


def _torch_load(data: bytes) -> None:
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            name = next(n for n in archive.namelist() if n.endswith("data.pkl"))
            _TorchUnpickler(io.BytesIO(archive.read(name))).load()
        return
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            _TorchUnpickler(archive.extractfile("pickle")).load()
        return
    except tarfile.TarError:
        pass
    stream = io.BytesIO(data)
    for _ in range(4):
        _TorchUnpickler(stream).load()


def _joblib_load(path: Path) -> None:
    try:
        import joblib
    except ImportError:
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        elif data[:3] == b"BZh":
            data = bz2.decompress(data)
        elif data[:1] in (b"\xfd", b"\x5d"):
            data = lzma.decompress(data)
        else:
            data = zlib.decompress(data)
        pickle.loads(data)
    else:
        joblib.load(path)


def _numpy_load(path: Path) -> None:
    loaded = np.load(path, allow_pickle=True)
    if isinstance(loaded, np.lib.npyio.NpzFile):
        with loaded:
            [loaded[key] for key in loaded.files]


def _unzip_then_torch_load(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".pt"):
                _torch_load(archive.read(name))


LOADERS: dict[str, Callable[[Path], None]] = {
    "pickle.load": lambda path: pickle.load(path.open("rb")),
    "torch.load": lambda path: _torch_load(path.read_bytes()),
    "numpy.load": _numpy_load,
    "joblib.load": _joblib_load,
    "gzip + pickle.load": lambda path: pickle.load(gzip.open(path)),
    "unzip, then torch.load": _unzip_then_torch_load,
}


if __name__ == "__main__":  # python tests/hostile_corpus.py LOADER PATH: load one file, as a user would
    LOADERS[sys.argv[1]](Path(sys.argv[2]))
