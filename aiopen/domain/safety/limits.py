"""The artifact scanner's hard caps and clocks, in one place (read by the scanner, its opcode
walk, and every front end that scans an upload)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


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

UPLOAD_MB = 50  # the largest upload a live scanner takes
UPLOAD_BYTES = UPLOAD_MB * 2**20
SCAN_DEADLINE_S = 10.0  # an upload's scan stops here (the caps keep files under 10 MB near 1 s)


@dataclass
class ScanClock:
    """Long work's ``should_stop`` (a scan's: :func:`aiopen.domain.safety.scan_artifact`; a
    generation's: ``aiopen.domain.lm``): it stops the work once ``cancelled()`` says so or
    ``deadline_s`` has passed, and calls ``progress(elapsed_s)`` every ``every_s`` seconds
    meanwhile. ``stopped`` keeps the reason it gave, if it gave one."""

    deadline_s: float = SCAN_DEADLINE_S
    cancelled: Callable[[], bool] = lambda: False
    progress: Callable[[float], None] = lambda _elapsed: None
    every_s: float = 0.25
    started: float = field(default_factory=time.monotonic)
    stopped: str | None = field(default=None, init=False)
    _reported: float = field(default=0.0, init=False, repr=False)

    def elapsed(self) -> float:
        """Seconds since the clock started."""
        return time.monotonic() - self.started

    def __call__(self) -> str | None:
        elapsed = self.elapsed()
        if self.cancelled():
            self.stopped = "cancelled"
        elif elapsed > self.deadline_s:
            self.stopped = f"stopped after {self.deadline_s:.0f} s"
        elif elapsed - self._reported >= self.every_s:
            self._reported = elapsed
            self.progress(elapsed)
        return self.stopped
