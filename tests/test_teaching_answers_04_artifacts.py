"""Exercise 04 (artifacts): wrong answers that must fail, correct variants that must pass."""

from __future__ import annotations

import json
import pickle
import pickletools
import struct
from pathlib import Path


from aiopen.teaching.checks.artifacts import CHECKPOINT_GLOBALS  # the notebook shows the same set (test_exercises)
from answer_tables import Case, table_tests

EXERCISE = "04_artifacts"


# --- q1 and q3: pickle_imports ----------------------------------------------------------------

def imports_solution(data):
    found, strings, memo, last = set(), [], {}, None
    for opcode, arg, _ in pickletools.genops(data):
        name = opcode.name
        if name in ("GLOBAL", "INST"):
            found.add(tuple(arg.split(" ", 1)))
        elif name == "STACK_GLOBAL":
            found.add((strings[-2], strings[-1]))
        elif name == "MEMOIZE":
            memo[len(memo)] = last
        elif name in ("BINGET", "LONG_BINGET") and isinstance(memo.get(arg), str):
            strings.append(memo[arg])
        elif isinstance(arg, str):
            strings.append(arg)
        last = arg if isinstance(arg, str) else None
    return found


def imports_memo_list(data):
    found, strings, memo, last = [], [], [], None
    for opcode, arg, _ in pickletools.genops(data):
        if opcode.name in ("GLOBAL", "INST"):
            found.append(list(arg.split(" ", 1)))
        elif opcode.name == "STACK_GLOBAL":
            found.append([strings[-2], strings[-1]])
        elif opcode.name == "MEMOIZE":
            memo.append(last)
        elif opcode.name in ("BINGET", "LONG_BINGET"):
            if isinstance(memo[arg], str):
                strings.append(memo[arg])
        elif isinstance(arg, str):
            strings.append(arg)
        last = arg if isinstance(arg, str) else None
    return found


def imports_simple(data):
    """q1 as first written: GLOBAL and STACK_GLOBAL, no memo (passes q1, must fail q3)."""
    found, strings = set(), []
    for opcode, arg, _ in pickletools.genops(data):
        if opcode.name in ("GLOBAL", "INST"):
            found.add(tuple(arg.split(" ", 1)))
        elif opcode.name == "STACK_GLOBAL":
            found.add((strings[-2], strings[-1]))
        elif isinstance(arg, str):
            strings.append(arg)
    return found


def imports_memo_strings_only(data):
    """The pitfall the instructor guide names: the memo index advances only for strings."""
    found, strings, memo, last = set(), [], {}, None
    for opcode, arg, _ in pickletools.genops(data):
        name = opcode.name
        if name in ("GLOBAL", "INST"):
            found.add(tuple(arg.split(" ", 1)))
        elif name == "STACK_GLOBAL":
            found.add((strings[-2], strings[-1]))
        elif name == "MEMOIZE":
            if isinstance(last, str):
                memo[len(memo)] = last
        elif name in ("BINGET", "LONG_BINGET") and isinstance(memo.get(arg), str):
            strings.append(memo[arg])
        elif isinstance(arg, str):
            strings.append(arg)
        last = arg if isinstance(arg, str) else None
    return found


def imports_memo_from_one(data):
    found, strings, memo, last = set(), [], {}, None
    for opcode, arg, _ in pickletools.genops(data):
        name = opcode.name
        if name in ("GLOBAL", "INST"):
            found.add(tuple(arg.split(" ", 1)))
        elif name == "STACK_GLOBAL":
            found.add((strings[-2], strings[-1]))
        elif name == "MEMOIZE":
            memo[len(memo) + 1] = last
        elif name in ("BINGET", "LONG_BINGET") and isinstance(memo.get(arg), str):
            strings.append(memo[arg])
        elif isinstance(arg, str):
            strings.append(arg)
        last = arg if isinstance(arg, str) else None
    return found


def imports_global_only(data):
    return {tuple(arg.split(" ", 1)) for opcode, arg, _ in pickletools.genops(data) if opcode.name == "GLOBAL"}


def imports_stack_global_only(data):
    found, strings = set(), []
    for opcode, arg, _ in pickletools.genops(data):
        if opcode.name == "STACK_GLOBAL":
            found.add((strings[-2], strings[-1]))
        elif isinstance(arg, str):
            strings.append(arg)
    return found


def imports_by_loading(data):
    class Spy(pickle.Unpickler):
        found: set = set()

        def find_class(self, module, name):
            self.found.add((module, name))
            return super().find_class(module, name)

    import io

    spy = Spy(io.BytesIO(data))
    spy.load()
    return spy.found


def imports_dotted(data):
    return {".".join(pair) for pair in imports_solution(data)}


def imports_first_two(data):
    found, strings = set(), []
    for opcode, arg, _ in pickletools.genops(data):
        if opcode.name in ("GLOBAL", "INST"):
            found.add(tuple(arg.split(" ", 1)))
        elif opcode.name == "STACK_GLOBAL":
            found.add((strings[0], strings[1]))
        elif isinstance(arg, str):
            strings.append(arg)
    return found


def imports_split_dot(data):
    found = set()
    for opcode, arg, _ in pickletools.genops(data):
        if opcode.name == "GLOBAL":
            found.add(tuple(arg.replace(" ", ".").rsplit(".", 1)))
    return found | {pair for pair in imports_simple(data) if " " not in pair[0]}


# --- q2: verdict ------------------------------------------------------------------------------

def verdict_solution(imports):
    return "safe" if set(imports) <= CHECKPOINT_GLOBALS else "dangerous"


def verdict_loop(imports):
    for pair in imports:
        if tuple(pair) not in CHECKPOINT_GLOBALS:
            return "dangerous"
    return "safe"


def verdict_all(imports):
    return "safe" if all(tuple(pair) in CHECKPOINT_GLOBALS for pair in imports) else "dangerous"


def verdict_modules_only(imports):
    modules = {module for module, _ in CHECKPOINT_GLOBALS}
    return "safe" if all(module in modules for module, _ in imports) else "dangerous"


def verdict_denylist(imports):
    return "dangerous" if any(module in ("os", "subprocess", "builtins", "posix") for module, _ in imports) else "safe"


def verdict_empty_dangerous(imports):
    return "safe" if imports and set(imports) <= CHECKPOINT_GLOBALS else "dangerous"


def verdict_bool(imports):
    return set(imports) <= CHECKPOINT_GLOBALS


def verdict_any(imports):
    return "safe" if any(pair in CHECKPOINT_GLOBALS for pair in imports) or not imports else "dangerous"


def verdict_mutates(imports):
    imports -= CHECKPOINT_GLOBALS
    return "dangerous" if imports else "safe"


# --- q4: safetensors_header -------------------------------------------------------------------

def header_solution(path):
    with open(path, "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        return json.loads(handle.read(length))


def header_from_bytes(path):
    raw = Path(path).read_bytes()
    length = int.from_bytes(raw[:8], "little")
    return json.loads(raw[8 : 8 + length].decode("utf-8"))


def header_big_endian(path):
    with open(path, "rb") as handle:
        (length,) = struct.unpack(">Q", handle.read(8))
        return json.loads(handle.read(length))


def header_four_bytes(path):
    with open(path, "rb") as handle:
        (length,) = struct.unpack("<I", handle.read(4))
        return json.loads(handle.read(length))


def header_whole_rest(path):
    return json.loads(Path(path).read_bytes()[8:])


def header_no_metadata(path):
    header = header_solution(path)
    header.pop("__metadata__", None)
    return header


def header_text(path):
    with open(path, "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        return handle.read(length).decode("utf-8")


CONTEXT = {"CHECKPOINT_GLOBALS": CHECKPOINT_GLOBALS}

WRONG = [
    Case("q1", "constant-set", {"pickle_imports": lambda data: {("builtins", "open")}}),
    Case("q1", "global-only", {"pickle_imports": imports_global_only}, "STACK_GLOBAL"),
    Case("q1", "stack-global-only", {"pickle_imports": imports_stack_global_only}, "GLOBAL"),
    Case("q1", "loads-the-pickle", {"pickle_imports": imports_by_loading}, "genops"),
    Case("q1", "dotted-strings", {"pickle_imports": imports_dotted}, "(module, name)"),
    Case("q1", "first-two-strings", {"pickle_imports": imports_first_two}, "last two"),
    Case("q1", "splits-on-dots", {"pickle_imports": imports_split_dot}, "space"),
    Case("q2", "modules-only-allowlist", {**CONTEXT, "verdict": verdict_modules_only}, "(module, name)"),
    Case("q2", "denylist", {**CONTEXT, "verdict": verdict_denylist}, "allowlist"),
    Case("q2", "empty-is-dangerous", {**CONTEXT, "verdict": verdict_empty_dangerous}, "no imports"),
    Case("q2", "returns-bool", {**CONTEXT, "verdict": verdict_bool}, "'safe' or 'dangerous'"),
    Case("q2", "any-instead-of-all", {**CONTEXT, "verdict": verdict_any}, "every"),
    Case("q2", "mutates-input", {**CONTEXT, "verdict": verdict_mutates}, "changed"),
    Case("q3", "no-memo", {"pickle_imports": imports_simple}, "MEMOIZE"),
    Case("q3", "memo-index-only-for-strings", {"pickle_imports": imports_memo_strings_only}, "every MEMOIZE"),
    Case("q3", "memo-from-one", {"pickle_imports": imports_memo_from_one}, "0"),
    Case("q3", "loads-the-pickle", {"pickle_imports": imports_by_loading}, "genops"),
    Case("q4", "big-endian", {"safetensors_header": header_big_endian}, "little-endian"),
    Case("q4", "four-byte-length", {"safetensors_header": header_four_bytes}, "8 bytes"),
    Case("q4", "whole-rest-of-file", {"safetensors_header": header_whole_rest}, "exactly"),
    Case("q4", "drops-metadata", {"safetensors_header": header_no_metadata}, "__metadata__"),
    Case("q4", "returns-text", {"safetensors_header": header_text}, "dict"),
]

RIGHT = [
    Case("q1", "solution", {"pickle_imports": imports_solution}),
    Case("q1", "simple-without-memo", {"pickle_imports": imports_simple}),
    Case("q1", "lists-of-lists", {"pickle_imports": imports_memo_list}),
    Case("q2", "solution", {**CONTEXT, "verdict": verdict_solution}),
    Case("q2", "loop", {**CONTEXT, "verdict": verdict_loop}),
    Case("q2", "all", {**CONTEXT, "verdict": verdict_all}),
    Case("q3", "solution", {"pickle_imports": imports_solution}),
    Case("q3", "memo-list", {"pickle_imports": imports_memo_list}),
    Case("q4", "solution", {"safetensors_header": header_solution}),
    Case("q4", "from-bytes", {"safetensors_header": header_from_bytes}),
]


test_wrong_answer_fails, test_correct_variant_passes = table_tests(EXERCISE, WRONG, RIGHT)
