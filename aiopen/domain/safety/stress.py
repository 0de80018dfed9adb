"""Inputs built to exhaust a scanner: denial-of-service files for the artifact scanner, a hostile record for the PII scanner.

Each file of :data:`DOS` is under 10 MB and is made to cost a careless scanner far
more: bombs that unpack to gigabytes, millions of opcodes or archive members, a
declared 2^62-byte string. The scanner's caps (``limits.py``) are sized so that each
is scanned in about a second; the tests hold generous bounds and ``make bench`` prints
the measured time and memory. Nothing here unpickles anything.
"""

from __future__ import annotations

import bz2
import io
import pickle
import struct
import zipfile
import zlib
from collections.abc import Callable

from aiopen.domain.safety.examples import _bin_unicode


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive of ``members`` (name -> bytes), built in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _zip_bomb(unpacked: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive, archive.open("archive/data.pkl", "w", force_zip64=True) as member:
        chunk = bytes(2**20)
        for _ in range(unpacked // 2**20):
            member.write(chunk)
    return buffer.getvalue()


def _gzip_zeros(unpacked: int) -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)  # wbits 31: a gzip stream
    chunk = bytes(2**20)
    return b"".join([*(compressor.compress(chunk) for _ in range(unpacked // 2**20)), compressor.flush()])


def _bz2_zeros(unpacked: int) -> bytes:
    compressor = bz2.BZ2Compressor(1)
    return b"".join([*(compressor.compress(bytes(2**20)) for _ in range(unpacked // 2**20)), compressor.flush()])


def _nested_zips(depth: int) -> bytes:
    data = pickle.dumps([1, 2, 3], protocol=4)
    for level in range(depth):
        data = zip_of({f"level{level}.zip": data})
    return data


def _many_stack_globals(n: int) -> bytes:
    """STACK_GLOBALs whose operands sit behind runs of MEMOIZE: picklescan looks back through them."""
    unit = _bin_unicode("collections") + b"\x94" * 50 + _bin_unicode("OrderedDict") + b"\x94" * 50 + b"\x930"
    return b"\x80\x04(" + unit * n + b"l."


DOS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "2 MB of tiny pickles": ("tiny_pickles.pkl", lambda: b"N." * 2**20),
    "4 MB of MEMOIZE": ("memoize.pkl", lambda: b"\x80\x04N" + b"\x94" * (4 * 2**20) + b"."),
    "9 MB of MEMOIZE": ("memoize_9mb.pkl", lambda: b"\x80\x04N" + b"\x94" * (9 * 2**20) + b"."),
    "zip of tiny pickles": ("tiny_pickles.zip", lambda: zip_of({f"p{i}.pkl": b"N." * 2**16 for i in range(64)})),
    "zip of MEMOIZE floods": ("memoize.zip", lambda: zip_of({f"m{i}.pkl": b"\x80\x04N" + b"\x94" * 2**20 + b"." for i in range(16)})),
    "zip bomb (256 MiB of zeros)": ("bomb.pt", lambda: _zip_bomb(2**28)),
    "gzip bomb (1 GiB of zeros)": ("bomb.pkl.gz", lambda: _gzip_zeros(2**30)),
    "zips nested 12 deep": ("nested.zip", lambda: _nested_zips(12)),
    "3 M nested MARKs": ("marks.pkl", lambda: b"\x80\x04" + b"(" * (3 * 2**20) + b"."),
    "20,000 zip members": ("members.zip", lambda: zip_of({f"m{i}": b"N." for i in range(20_000)}, zipfile.ZIP_STORED)),
    "90,000 zip members (an 8 MB directory)": ("directory.zip", lambda: zip_of({f"m{i}": b"N." for i in range(90_000)}, zipfile.ZIP_STORED)),
    "bz2 bomb (96 MiB of zeros)": ("bomb.joblib.bz2", lambda: _bz2_zeros(96 * 2**20)),
    "STACK_GLOBALs behind MEMOIZE runs": ("stack_globals.pkl", lambda: _many_stack_globals(40_000)),
    "declared 2^62-byte string": ("huge_length.pkl", lambda: b"\x80\x04\x8d" + struct.pack("<Q", 2**62) + b"x" * 64),
}


# Python that sets ``peak`` to its process's peak resident memory in MB. Linux: VmHWM, which starts afresh at exec (ru_maxrss
# would carry over the parent's peak: pytest's, hundreds of MB after the model tests); macOS: ru_maxrss.
PEAK_MB = (
    "peak = int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM'))) / 1024 "
    "if sys.platform == 'linux' else __import__('resource').getrusage(__import__('resource').RUSAGE_SELF).ru_maxrss / 2**20"
)


def hostile_record(size: int = 2**20) -> str:
    """About ``size`` characters built to make naive regexes backtrack and pairwise overlap checks crawl:
    a run of ``a.`` with no ``@``, 16,000 addresses, a long hex run glued to a word, digit soup."""
    emails = " ".join(f"user{i}.x@mail{i % 97}.example.com" for i in range(16_000))
    parts = ["a." * 32_768, emails, "f" * 65_536 + "g", " ".join(["555"] * 20_000), "1." * 30_000]
    text = " ".join(parts)
    return (text + " " + "b." * size)[:size]
