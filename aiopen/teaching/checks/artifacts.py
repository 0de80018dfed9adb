"""Checks for exercise 04_artifacts: a pickle scanner that reads opcodes, an allowlist, a safetensors header.

The learner's functions get fresh files written here, opcode by opcode: pickles that
import random globals with GLOBAL, INST and STACK_GLOBAL (q1), pickles that hide their
imports behind the memo the way the kit's evasive sample does, with non-string memo
entries in between (q3), and safetensors files with random tensors (q4). The expected
answer is what the generator put in, so no scanner is trusted to compute it. Nothing
here ever loads a pickle; one sample has a harmless payload (it prints a random word), so
a scanner that loads what it scans is caught doing it.
"""

from __future__ import annotations

import json
import struct

import numpy as np

from aiopen.teaching.checks import File, Mismatch, Question, Reply, calls, describe, expect

CHECKPOINT_GLOBALS = {  # the notebook shows the same set; a test keeps the two equal
    ("collections", "OrderedDict"),
    ("torch._utils", "_rebuild_tensor_v2"),
    ("torch", "FloatStorage"),
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
}
KNOWN_IMPORTS = [
    ("os", "system"), ("posix", "system"), ("subprocess", "Popen"), ("builtins", "exec"), ("builtins", "eval"),
    ("builtins", "getattr"), ("runpy", "_run_code"), ("webbrowser", "open"), ("numpy", "load"), ("torch", "load"),
    ("collections", "namedtuple"), *sorted(CHECKPOINT_GLOBALS),
]
LOADING_ERRORS = ("ModuleNotFoundError", "ImportError", "AttributeError", "UnpicklingError", "EOFError")
READ_OPCODES = "Read the opcodes with pickletools.genops; never pickle.load or pickle.loads a file you have not checked."


# --- Writing pickles by hand ----------------------------------------------------------------

def _identifier(rng: np.random.Generator) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return "".join(letters[i] for i in rng.integers(0, 26, int(rng.integers(3, 9)))) + ("_" + str(int(rng.integers(10))) if rng.random() < 0.3 else "")


def _random_import(rng: np.random.Generator) -> tuple[str, str]:
    if rng.random() < 0.5:
        return KNOWN_IMPORTS[int(rng.integers(len(KNOWN_IMPORTS)))]
    module = ".".join(_identifier(rng) for _ in range(int(rng.integers(1, 4))))
    name = ".".join(_identifier(rng) for _ in range(1 if rng.random() < 0.8 else 2))  # a qualified name has a dot
    return module, name


def _string(text: str) -> bytes:
    data = text.encode("utf-8")
    return b"\x8c" + bytes([len(data)]) + data if len(data) < 256 else b"X" + struct.pack("<I", len(data)) + data


def _get(index: int) -> bytes:
    return b"h" + bytes([index]) if index < 256 else b"j" + struct.pack("<I", index)


MEMOIZE, MARK, TUPLE, STOP, STACK_GLOBAL, EMPTY_LIST, EMPTY_DICT = b"\x94", b"(", b"t", b".", b"\x93", b"]", b"}"


def _decoy(rng: np.random.Generator) -> str:
    return ["text-generation", "license", "apache-2.0", "weights", "layer.0", "config", "tokenizer", "README"][int(rng.integers(8))]


def plain_pickle(rng: np.random.Generator) -> tuple[bytes, set[tuple[str, str]]]:
    """A pickle importing random globals with GLOBAL, INST (protocol 0/2) or STACK_GLOBAL (4)."""
    imports = {_random_import(rng) for _ in range(int(rng.integers(1, 5)))}
    protocol = int(rng.choice([0, 2, 4]))
    body = [b"\x80" + bytes([protocol])] if protocol else []
    body.append(MARK)
    if protocol == 4:
        body += [_string(_decoy(rng)), MEMOIZE]  # like a checkpoint's first key: a string before any import
    for module, name in sorted(imports):
        for _ in range(int(rng.integers(0, 3))):
            body.append(_string(_decoy(rng)) if protocol == 4 else b"V" + _decoy(rng).encode() + b"\n")
        if protocol == 4 and rng.random() < 0.7:
            body += [_string(module), MEMOIZE, _string(name), MEMOIZE, STACK_GLOBAL, MEMOIZE]
        elif protocol == 0 and rng.random() < 0.3:
            body += [MARK, b"i" + module.encode() + b"\n" + name.encode() + b"\n"]
        else:
            body.append(b"c" + module.encode() + b"\n" + name.encode() + b"\n")
    body += [TUPLE, STOP]
    return b"".join(body), imports


def evasive_pickle(rng: np.random.Generator) -> tuple[bytes, set[tuple[str, str]]]:
    """Strings stored in the memo among other memoized objects, fetched back with BINGET before STACK_GLOBAL."""
    imports = {_random_import(rng) for _ in range(int(rng.integers(1, 4)))}
    body, memo = [b"\x80\x04", MARK], 0
    filler = int(rng.choice([0, 0, 300]))  # 300 memo entries first: the indices then need LONG_BINGET
    for _ in range(filler):
        body += [b"K" + bytes([int(rng.integers(256))]), MEMOIZE]
        memo += 1
    where = {}
    for module, name in sorted(imports):
        for text in (module, name):
            for _ in range(int(rng.integers(1, 3))):  # non-string memo entries between the strings
                body += [EMPTY_LIST if rng.random() < 0.5 else EMPTY_DICT, MEMOIZE]
                memo += 1
            body += [_string(text), MEMOIZE]
            where[text] = memo
            memo += 1
            if rng.random() < 0.5:
                body += [_string(_decoy(rng)), MEMOIZE]
                memo += 1
    for module, name in sorted(imports):
        body += [_string(_decoy(rng)), _get(where[module]), _get(where[name]), STACK_GLOBAL]
    body += [TUPLE, STOP]
    return b"".join(body), imports


def payload_pickle(word: str) -> bytes:
    """A pickle that, if loaded, calls builtins.print(word): harmless, and visible."""
    return b"\x80\x02cbuiltins\nprint\n" + _string(word) + b"\x85R."


# --- q1 and q3: pickle_imports ---------------------------------------------------------------

def _pairs(got: object) -> set[tuple[str, str]]:
    expect(isinstance(got, (set, list, tuple)), "a set of (module, name) pairs", describe(got))
    pairs = set()
    for item in got:
        expect(isinstance(item, (tuple, list)) and len(item) == 2 and all(isinstance(x, str) for x in item), "a set of (module, name) pairs", f"an item {describe(item)}", "One (module, name) tuple per import, e.g. ('os', 'system').")
        pairs.add((item[0], item[1]))
    return pairs


def _raised(call) -> str:  # noqa: ANN001
    return f"Your function seems to load the pickle. {READ_OPCODES}" if call.error.startswith(LOADING_ERRORS) else ""


def _pickles(rng: np.random.Generator, make) -> list[tuple[bytes]]:  # noqa: ANN001
    """Eight pickles from ``make`` and, somewhere among them, one with a harmless payload."""
    samples = [make(rng)[0] for _ in range(8)]
    samples.insert(int(rng.integers(len(samples) + 1)), payload_pickle(f"aiopen-payload-{int(rng.integers(10**9))}"))
    return [(data,) for data in samples]


def _judge_scanner(reply: Reply, expected: list[set[tuple[str, str]]], word: str, evasive: bool) -> None:
    for (call, got), wanted in zip(reply.function("pickle_imports", hint=_raised), expected):
        expect(word not in call.printed, "the pickle to be read, not loaded", "the payload ran (it printed its word)", READ_OPCODES)
        pairs = _pairs(got)
        if pairs == wanted:
            continue
        data = call.args[0]
        if evasive:
            hint = "Count every MEMOIZE, whatever it stores (lists and dicts too): the memo index advances for every MEMOIZE, from 0. BINGET i then pushes the string stored at i."
            if not any(m in pairs for m in wanted) and b"h" not in data:
                hint = "BINGET fetches strings stored earlier with MEMOIZE: keep a memo (index -> string)."
            raise Mismatch(f"the {len(wanted)} import(s) hidden behind the memo", f"{sorted(pairs)[:4]}", hint)
        missing = wanted - pairs
        dotted = {f"{m}.{n}" for m, n in wanted}
        if any(f"{m}.{n}" in dotted for m, n in pairs - wanted):
            hint = 'For GLOBAL, split "module name" on the space, not on a dot: module and name can both contain dots.'
        elif any(b"c" + m.encode() + b"\n" + n.encode() + b"\n" in data for m, n in missing):
            hint = 'For GLOBAL (and INST), the argument is "module name": split it on the first space.'
        elif missing:
            hint = "STACK_GLOBAL has no argument: it uses the last two strings pushed before it (module, then name)."
        else:
            hint = "Report only what GLOBAL, INST and STACK_GLOBAL import."
        raise Mismatch(f"{len(wanted)} import(s): {sorted(wanted)[:3]}", f"{sorted(pairs)[:3]}", hint)


def _scanner_question(make, evasive: bool) -> Question:  # noqa: ANN001
    """q1 and q3: pickle_imports on fresh pickles written by ``make`` (and one harmless payload)."""

    def ask(rng: np.random.Generator) -> list[dict]:
        return [calls("pickle_imports", _pickles(rng, make))]

    def judge_(reply: Reply) -> None:
        wanted, word = _replay(reply)
        _judge_scanner(reply, wanted, word, evasive)

    return Question(ask, judge_)


def _replay(reply: Reply) -> tuple[list[set[tuple[str, str]]], str]:
    """The imports each pickle of the request holds, read back from the generator's own bytes."""
    wanted, word = [], ""
    for call in reply.calls("pickle_imports"):
        data = call.args[0]
        if data.startswith(b"\x80\x02cbuiltins\nprint\n"):
            word = data[len(b"\x80\x02cbuiltins\nprint\n") + 2 : -3].decode()
            wanted.append({("builtins", "print")})
        else:
            wanted.append(_generated_imports(data))
    return wanted, word


def _generated_imports(data: bytes) -> set[tuple[str, str]]:
    """What a pickle written by this module imports (its own format: a trusted, exact reader)."""
    import pickletools

    found, strings, memo, last = set(), [], {}, None
    for opcode, arg, _ in pickletools.genops(data):
        if opcode.name in ("GLOBAL", "INST"):
            found.add(tuple(arg.split(" ", 1)))
        elif opcode.name == "STACK_GLOBAL":
            found.add((strings[-2], strings[-1]))
        elif opcode.name == "MEMOIZE":
            memo[len(memo)] = last
        elif opcode.name in ("BINGET", "LONG_BINGET"):
            strings.append(memo[arg])
        elif isinstance(arg, str):
            strings.append(arg)
        last = arg
    return found


# --- q2: verdict ------------------------------------------------------------------------------

def ask_q2(rng: np.random.Generator) -> list[dict]:
    allowed = sorted(CHECKPOINT_GLOBALS)
    unlisted_in_allowed_module = [("numpy", "load"), ("collections", "namedtuple"), ("torch", "load"), ("torch._utils", "_load_from_bytes")]
    cases: list[set[tuple[str, str]]] = [set(), {("numpy", "ndarray")}, {("weight", "init")}, {("builtins", "open"), ("numpy", "ndarray")}]
    for _ in range(10):
        chosen = {allowed[i] for i in rng.choice(len(allowed), int(rng.integers(1, 5)), replace=False)}
        kind = rng.integers(3)
        if kind == 1:
            chosen.add(unlisted_in_allowed_module[int(rng.integers(len(unlisted_in_allowed_module)))])
        elif kind == 2:
            chosen.add(_random_import(rng))
        cases.append(chosen)
    return [calls("verdict", [(c,) for c in cases])]


def judge_q2(reply: Reply) -> None:
    allowed_modules = {m for m, _ in CHECKPOINT_GLOBALS}
    for call, got in reply.function("verdict"):
        imports = set(call.args[0])
        expect(got in ("safe", "dangerous"), "'safe' or 'dangerous' (a string)", describe(got), "Return one of the two words.")
        wanted = "safe" if imports <= CHECKPOINT_GLOBALS else "dangerous"
        if got == wanted:
            continue
        unlisted = sorted(imports - CHECKPOINT_GLOBALS)
        if not imports:
            hint = "A pickle with no imports cannot call anything: it is safe."
        elif wanted == "safe":
            hint = "Every import here is in CHECKPOINT_GLOBALS: safe only if every import is allowed, and these all are."
        elif all(m in allowed_modules for m, _ in unlisted):
            hint = f"Allow exact (module, name) pairs: {unlisted[0][0]}.{unlisted[0][1]} is in an allowed module but is not itself allowed."
        elif any(pair in CHECKPOINT_GLOBALS for pair in imports):
            hint = "Safe only if every import is allowed, not if some are."
        else:
            hint = "An allowlist: anything not in CHECKPOINT_GLOBALS is dangerous, even a function nobody thought to list."
        raise Mismatch(f"{wanted!r} for the imports {sorted(imports)}", repr(got), hint)


# --- q4: safetensors_header -------------------------------------------------------------------

DTYPES = {"F32": 4, "F16": 2, "I64": 8, "U8": 1, "BF16": 2}


def safetensors_file(rng: np.random.Generator) -> tuple[bytes, dict]:
    """A valid safetensors file with random tensors (and sometimes metadata), and its header."""
    header: dict = {}
    if rng.random() < 0.7:
        header["__metadata__"] = {"format": str(rng.choice(["pt", "np", "mlx"])), "note": _identifier(rng)}
    offset = 0
    for _ in range(int(rng.integers(1, 5))):
        dtype = str(rng.choice(list(DTYPES)))
        shape = [int(s) for s in rng.integers(1, 6, int(rng.integers(1, 3)))]
        size = int(np.prod(shape)) * DTYPES[dtype]
        header[f"{_identifier(rng)}.weight"] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # safetensors pads the header to a multiple of 8 bytes with spaces
    return struct.pack("<Q", len(text)) + text + rng.bytes(offset), header


def ask_q4(rng: np.random.Generator) -> list[dict]:
    files = [safetensors_file(rng) for _ in range(5)]
    return [calls("safetensors_header", [(File(content, ".safetensors"),) for content, _ in files])]


def judge_q4(reply: Reply) -> None:
    layout = "The first 8 bytes are the header's length N, an unsigned little-endian integer ('<Q'); then read exactly N bytes of JSON."
    reading = ("JSONDecodeError", "UnicodeDecodeError", "MemoryError", "OverflowError", "error", "ValueError")  # struct.error too
    results = reply.function("safetensors_header", hint=lambda call: layout if call.error.startswith(reading) else "")
    for call, got in results:
        content = call.args[0].content
        header = json.loads(content[8 : 8 + struct.unpack("<Q", content[:8])[0]])
        expect(isinstance(got, dict), "a dict (the parsed JSON header)", describe(got), "json.loads turns the JSON text into a dict.")
        if got == header:
            continue
        if "__metadata__" in header and "__metadata__" not in got:
            raise Mismatch("the whole header, __metadata__ included", f"keys {sorted(got)}", "Return the header as it is in the file.")
        raise Mismatch(f"the header with keys {sorted(header)}", f"keys {sorted(got)}", layout)


QUESTIONS = {
    "q1": _scanner_question(plain_pickle, evasive=False),
    "q2": Question(ask_q2, judge_q2),
    "q3": _scanner_question(evasive_pickle, evasive=True),
    "q4": Question(ask_q4, judge_q4),
}
