"""The artifact scanner's hard caps, in one place (read by the scanner and its opcode walk)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Hard caps of one scan; every one reached is reported. Sized so that any file under
    10 MB is scanned in well under 2 s and 300 MB on a laptop (``make bench`` measures it)."""

    opcodes: int = 1_000_000  # pickle opcodes, all layers together (about 0.5 s of walking)
    memo: int = 500_000  # memo entries of one pickle
    depth: int = 5  # layers inside layers: a zip in a gzip in a tar ...
    members: int = 10_000  # archive members, all archives together
    unpacked_bytes: int = 64 * 2**20  # bytes decompressed or read out of archives, all layers together
    picklescan_opcodes: int = 300_000  # picklescan is asked only while what it reads stays under this (each call counts 200 or more)
    picklescan_bytes: int = 32 * 2**20
    safetensors_header: int = 16 * 2**20  # JSON header parsed (the format allows 100 MB; real ones are KBs)
    zip_directory_bytes: int = 2 * 2**20  # a zip's central directory (about 10,000 members of usual names)
    npy_header: int = 10_000  # numpy.load's default max_header_size
    gguf_items: int = 1_000_000  # metadata values read from a GGUF header


LIMITS = Limits()
