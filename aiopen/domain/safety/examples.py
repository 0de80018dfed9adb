"""Example model artifacts, written at run time so the kit ships no binary blobs.

The payload pickles are assembled opcode by opcode, so even writing them never
runs them; loaded, they would create ``folder/CANARY_NAME`` (harmless, visible).
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

CANARY_NAME = "CANARY-payload-ran.txt"


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


def _torch_zip(data_pkl: bytes, tensors: dict[str, tuple[int, ...]], rng: np.random.Generator) -> bytes:
    """The zip ``torch.save`` writes: ``archive/data.pkl``, raw float32 storages, byte order and version."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", data_pkl)
        archive.writestr("archive/byteorder", "little")
        for key, shape in enumerate(tensors.values()):
            archive.writestr(f"archive/data/{key}", rng.standard_normal(shape).astype("<f4").tobytes())
        archive.writestr("archive/version", "3\n")
    return buffer.getvalue()


def make_examples(folder: str | Path, seed: int = 0) -> dict[str, Path]:
    """Write the example artifacts into ``folder``; payloads would create ``folder/CANARY_NAME`` if loaded.

    Nothing here unpickles anything: the payload bytes are assembled from opcodes.
    """
    if not isinstance(folder, (str, os.PathLike)) or not str(folder):
        raise ValueError(f"Give the folder for the examples as a path, not {folder!r:.60}.")
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
    paths["clean torch checkpoint (zip)"].write_bytes(_torch_zip(_torch_style_pickle(tensors), tensors, rng))
    weights = _bin_unicode("weight") + _float_list([round(float(v), 4) for v in arrays["layer.bias"]])
    paths["pickle with payload"].write_bytes(b"\x80\x02}(" + weights + _bin_unicode("config") + _open_canary(canary) + b"u.")
    paths["torch checkpoint with payload (zip)"].write_bytes(_torch_zip(_torch_style_pickle(tensors, _open_canary(canary)), tensors, rng))
    # "builtins" and "exec" hide as harmless tags (memo 0 and 1); later BINGET 0, BINGET 1, STACK_GLOBAL
    # rebuilds builtins.exec, so the text "builtins\nexec" never appears in the file.
    code = f"__import__('pathlib').Path({str(canary)!r}).touch()"
    tags = b"](" + _bin_unicode("text-generation") + _bin_unicode("builtins") + b"\x94" + _bin_unicode("exec") + b"\x94e"
    call = b"h\x00h\x01\x93" + _bin_unicode(code) + b"\x85R"
    paths["evasive pickle (memoized STACK_GLOBAL)"].write_bytes(b"\x80\x04}(" + _bin_unicode("tags") + tags + weights + _bin_unicode("init") + call + b"u.")
    save_file(arrays, str(paths["safetensors"]), metadata={"format": "np"})
    return paths
