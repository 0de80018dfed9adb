"""Checks for exercise 04_artifacts: a pickle scanner that reads opcodes, and a safetensors header."""

from __future__ import annotations

import json
import struct
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiopen.checks import Answers, Mismatch, expect
from aiopen.safety import CANARY_NAME, make_examples

CLEAN, PAYLOAD, EVASIVE, SAFETENSORS = (
    "clean pickle (numpy arrays)",
    "pickle with payload",
    "evasive pickle (memoized STACK_GLOBAL)",
    "safetensors",
)


@contextmanager
def _examples() -> Iterator[dict[str, Path]]:
    """Fresh example files; fails the check if the learner's code ran a payload."""
    with tempfile.TemporaryDirectory(prefix="aiopen-check-") as folder:
        try:
            yield make_examples(folder)
        finally:  # this message wins over any other: it is the lesson
            expect(
                not (Path(folder) / CANARY_NAME).exists(),
                "the file to be read, not loaded",
                "the payload ran (it created its canary file)",
                "Use pickletools.genops; never pickle.load or pickle.loads on a file you have not checked.",
            )


def _imports(scanner: Callable[[bytes], Any], data: bytes) -> set[tuple[str, str]]:
    found = scanner(data)
    try:
        pairs = {tuple(pair) for pair in found}
    except TypeError:
        raise Mismatch("a set of (module, name) pairs", f"a {type(found).__name__}") from None
    expect(all(len(pair) == 2 for pair in pairs), "pairs of (module, name)", f"{sorted(pairs)!r:.80}")
    return pairs


def q1(answers: Answers) -> None:
    scanner = answers.function("pickle_imports")
    with _examples() as examples:
        payload = _imports(scanner, examples[PAYLOAD].read_bytes())
        expect(
            ("builtins", "open") in payload,
            "the payload pickle's GLOBAL import to be found",
            f"{sorted(payload)}",
            'For GLOBAL, the argument is "module name": split it on the first space.',
        )
        clean = _imports(scanner, examples[CLEAN].read_bytes())
        expect(
            any(name == "_reconstruct" for _, name in clean),
            "numpy's _reconstruct among the clean pickle's imports (it uses STACK_GLOBAL)",
            f"{sorted(clean)}",
            "STACK_GLOBAL has no argument: use the last two strings pushed before it (module, then name).",
        )


def q2(answers: Answers) -> None:
    verdict = answers.function("verdict")
    cases = {
        "no imports": (set(), "safe"),
        "numpy's ndarray": ({("numpy", "ndarray")}, "safe"),
        "builtins.open": ({("builtins", "open"), ("numpy", "ndarray")}, "dangerous"),
        "an unknown import, weight.init": ({("weight", "init")}, "dangerous"),
    }
    for label, (imports, wanted) in cases.items():
        got = verdict(imports)
        expect(
            got == wanted,
            f"{wanted!r} for {label}",
            repr(got),
            "Allowlist: 'safe' only if every pair is in CHECKPOINT_GLOBALS; anything unknown is 'dangerous'.",
        )


def q3(answers: Answers) -> None:
    scanner = answers.function("pickle_imports")
    with _examples() as examples:
        found = _imports(scanner, examples[EVASIVE].read_bytes())
    expect(
        ("builtins", "exec") in found,
        "the hidden builtins.exec to be found in the evasive pickle",
        f"{sorted(found)}",
        "MEMOIZE stores the value just pushed under the next index (0, 1, ...); BINGET i pushes it again.",
    )


def q4(answers: Answers) -> None:
    read_header = answers.function("safetensors_header")
    with _examples() as examples:
        path = examples[SAFETENSORS]
        with path.open("rb") as handle:
            (length,) = struct.unpack("<Q", handle.read(8))
            reference = json.loads(handle.read(length))
        got = read_header(path)
    expect(isinstance(got, dict), "a dict (the parsed JSON header)", f"a {type(got).__name__}", "json.loads returns a dict.")
    expect(
        got == reference,
        f"the header with keys {sorted(reference)}",
        f"keys {sorted(got)}",
        'The first 8 bytes are the header length, little-endian: struct.unpack("<Q", ...).',
    )


QUESTIONS = {"q1": q1, "q2": q2, "q3": q3, "q4": q4}
