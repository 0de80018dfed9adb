"""Read a pickle's opcodes without running them: one linear pass with hard caps.

:func:`walk_pickle` follows the pickle machine's stack symbolically, as
``pickle.load`` would run it but with every value replaced by what is known
about it *before* loading: a string literal, the kind of a constant, or
"computed at load time". That is enough to see every import
(``GLOBAL``/``INST``, and ``STACK_GLOBAL`` whose module and name may be
fetched back from the memo), and to stop exactly where the real loader would
fail (unknown opcode, stack underflow, a memo slot never written, calling a
constant).

It never materialises a big argument: byte strings are skipped by offset and
only strings up to :data:`MAX_KEPT_STRING` characters are decoded, so time and
memory stay linear in the bytes read. The walk stops at the shared opcode budget
or the memo cap and says so (:attr:`PickleWalk.stopped`); several pickles one
after the other (a legacy ``torch.save`` file holds five) are read in the same
pass, each with a fresh stack and memo, as consecutive ``pickle.load`` calls would.
"""

from __future__ import annotations

import codecs
import pickletools
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from aiopen.domain.safety.limits import LIMITS

Global = tuple[str, str]

MAX_KEPT_STRING = 65_536  # longer string literals are skipped; used as an import name they count as unknown
MAX_LINE = 2**20  # a protocol-0 text argument is searched this far for its end of line
CHECK_EVERY = 65_536  # opcodes between two calls of the budget's stop check


class _Tag:
    """A value known only by kind (or as "computed while loading")."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


COMPUTED = _Tag("computed")  # the result of a call, a persistent id, an extension: unknowable before loading
LONG_STRING = _Tag("long string")
LIST, DICT, SET, TUPLE, FROZENSET = (_Tag(n) for n in ("list", "dict", "set", "tuple", "frozenset"))
SCALAR, BYTES, BYTEARRAY, BUFFER = (_Tag(n) for n in ("scalar", "bytes", "bytearray", "buffer"))


class Imported:
    """A global on the stack: ``module.name``, imported when the walk reached it."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name


@dataclass
class Budget:
    """What one scan may still spend, shared by every pickle it walks."""

    opcodes: int
    memo: int
    should_stop: Callable[[], str | None] = lambda: None  # a reason to stop early (cancelled, deadline), or None
    stopped: str | None = None  # the first cap hit, in words


@dataclass
class PickleWalk:
    """What :func:`walk_pickle` saw: imports in order, opcode counts, and why it ended."""

    globals: list[Global] = field(default_factory=list)
    opcodes: Counter = field(default_factory=Counter)
    pickles: int = 0  # complete pickles (ended by STOP)
    end: int = 0  # offset just after the last STOP
    error: str | None = None  # where the real loader would fail too
    stopped: str | None = None  # a cap or a cancel: the rest was not read
    error_offset: int = 0  # where the walk failed
    unresolved: int = 0  # STACK_GLOBALs whose module or name is computed while loading


# Effects of each opcode on the stack.
(NOOP, PUSH, PUSH_STR, MARK, STOP, POP, POP_MARK, DUP, GET, PUT, MEMOIZE, FROM_MARK, TUPLE_N, APPEND, APPENDS,
 SETITEM, SETITEMS, ADDITEMS, GLOBAL, STACK_GLOBAL, INST, OBJ, REDUCE, NEWOBJ, NEWOBJ_EX, BUILD, EXT, PERSID,
 BINPERSID) = range(29)

_EFFECTS: dict[str, tuple[int, object]] = {
    "PROTO": (NOOP, None), "FRAME": (NOOP, None), "READONLY_BUFFER": (NOOP, None),
    "INT": (PUSH, SCALAR), "BININT": (PUSH, SCALAR), "BININT1": (PUSH, SCALAR), "BININT2": (PUSH, SCALAR),
    "LONG": (PUSH, SCALAR), "LONG1": (PUSH, SCALAR), "LONG4": (PUSH, SCALAR), "FLOAT": (PUSH, SCALAR),
    "BINFLOAT": (PUSH, SCALAR), "NONE": (PUSH, SCALAR), "NEWTRUE": (PUSH, SCALAR), "NEWFALSE": (PUSH, SCALAR),
    "BINBYTES": (PUSH, BYTES), "SHORT_BINBYTES": (PUSH, BYTES), "BINBYTES8": (PUSH, BYTES),
    "BYTEARRAY8": (PUSH, BYTEARRAY), "NEXT_BUFFER": (PUSH, BUFFER),
    "EMPTY_LIST": (PUSH, LIST), "EMPTY_DICT": (PUSH, DICT), "EMPTY_SET": (PUSH, SET), "EMPTY_TUPLE": (PUSH, TUPLE),
    # Python 3 decodes the protocol 0-2 STRING family to str (encoding="ASCII" by default).
    "STRING": (PUSH_STR, None), "BINSTRING": (PUSH_STR, None), "SHORT_BINSTRING": (PUSH_STR, None),
    "UNICODE": (PUSH_STR, None), "SHORT_BINUNICODE": (PUSH_STR, None), "BINUNICODE": (PUSH_STR, None),
    "BINUNICODE8": (PUSH_STR, None),
    "MARK": (MARK, None), "STOP": (STOP, None), "POP": (POP, None), "POP_MARK": (POP_MARK, None), "DUP": (DUP, None),
    "GET": (GET, None), "BINGET": (GET, None), "LONG_BINGET": (GET, None),
    "PUT": (PUT, None), "BINPUT": (PUT, None), "LONG_BINPUT": (PUT, None), "MEMOIZE": (MEMOIZE, None),
    "LIST": (FROM_MARK, LIST), "TUPLE": (FROM_MARK, TUPLE), "DICT": (FROM_MARK, DICT), "FROZENSET": (FROM_MARK, FROZENSET),
    "TUPLE1": (TUPLE_N, 1), "TUPLE2": (TUPLE_N, 2), "TUPLE3": (TUPLE_N, 3),
    "APPEND": (APPEND, None), "APPENDS": (APPENDS, None), "SETITEM": (SETITEM, None), "SETITEMS": (SETITEMS, None),
    "ADDITEMS": (ADDITEMS, None), "GLOBAL": (GLOBAL, None), "STACK_GLOBAL": (STACK_GLOBAL, None), "INST": (INST, None),
    "OBJ": (OBJ, None), "REDUCE": (REDUCE, None), "NEWOBJ": (NEWOBJ, None), "NEWOBJ_EX": (NEWOBJ_EX, None),
    "BUILD": (BUILD, None), "EXT1": (EXT, None), "EXT2": (EXT, None), "EXT4": (EXT, None),
    "PERSID": (PERSID, None), "BINPERSID": (BINPERSID, None),
}

# How each argument is laid out: (kind, size). Kinds: fixed-size integer, newline-terminated
# line(s), or a length prefix of ``size`` bytes followed by that many bytes.
_FIXED, _LINE, _LINE_PAIR, _COUNTED = range(4)
_ARGS = {
    "uint1": (_FIXED, 1), "uint2": (_FIXED, 2), "int4": (_FIXED, 4), "uint4": (_FIXED, 4), "uint8": (_FIXED, 8),
    "float8": (_FIXED, 8), "stringnl": (_LINE, 0), "stringnl_noescape": (_LINE, 0), "decimalnl_short": (_LINE, 0),
    "decimalnl_long": (_LINE, 0), "floatnl": (_LINE, 0), "unicodestringnl": (_LINE, 0),
    "stringnl_noescape_pair": (_LINE_PAIR, 0), "string1": (_COUNTED, 1), "bytes1": (_COUNTED, 1),
    "unicodestring1": (_COUNTED, 1), "long1": (_COUNTED, 1), "string4": (_COUNTED, -4), "long4": (_COUNTED, -4),
    "bytes4": (_COUNTED, 4), "unicodestring4": (_COUNTED, 4), "bytes8": (_COUNTED, 8), "unicodestring8": (_COUNTED, 8),
    "bytearray8": (_COUNTED, 8),
}
_TABLE: list[tuple | None] = [None] * 256
for _op in pickletools.opcodes:
    _arg = _ARGS[_op.arg.name] if _op.arg else (None, 0)
    _TABLE[ord(_op.code)] = (_op.name, *_EFFECTS[_op.name], *_arg)


class _Fail(Exception):
    """The real loader would raise here: the walk ends."""


class _Cap(Exception):
    """The walk will not read further, though a loader would: a cap, reported as such."""


def _line(data, pos: int, end: int) -> tuple[bytes | None, int]:
    """The bytes up to the next newline (None if longer than the strings the walk keeps) and the offset after it."""
    newline = data.find(b"\n", pos, min(end, pos + MAX_LINE))
    if newline < 0 and end - pos > MAX_LINE:
        raise _Cap(f"a text argument longer than {MAX_LINE:,} bytes")
    if newline < 0:
        raise _Fail("a text argument has no end of line")
    return (data[pos:newline] if newline - pos <= MAX_KEPT_STRING else None), newline + 1


def _text_string(raw: bytes | None, op: str) -> str | _Tag:
    """The value of a protocol-0 STRING (quoted, escaped) or UNICODE (raw-unicode-escape) argument."""
    if raw is None:
        return LONG_STRING
    if op == "UNICODE":
        return raw.decode("raw-unicode-escape")
    raw = raw.rstrip(b"\r")
    if len(raw) < 2 or raw[:1] != raw[-1:] or raw[:1] not in (b"'", b'"'):
        raise _Fail("the STRING opcode's argument is not quoted")
    with warnings.catch_warnings():  # an invalid escape is the file's problem, not the reader's
        warnings.simplefilter("ignore")
        return codecs.escape_decode(raw[1:-1])[0].decode("latin-1")


def walk_pickle(data: bytes, start: int = 0, budget: Budget | None = None) -> PickleWalk:
    """Walk the pickles in ``data`` from offset ``start``; nothing is imported or called.

    ``data`` is any bytes-like object with ``find`` (``bytes``, ``bytearray``, ``mmap``).
    Without a ``budget`` the walk has the kit's default caps (``aiopen.domain.safety.limits.LIMITS``).
    """
    if budget is None:
        budget = Budget(LIMITS.opcodes, LIMITS.memo)
    if isinstance(data, memoryview):
        data = data.tobytes()
    if not hasattr(data, "find") or isinstance(data, str):
        raise ValueError(f"walk_pickle reads bytes (a file's content), not {type(data).__name__}.")
    walk, counts = PickleWalk(end=start), [0] * 256
    pos, left = start, budget.opcodes
    try:
        while pos < len(data) and walk.stopped is None and walk.error is None:
            pos, left = _walk_one(data, pos, left, budget, walk, counts)
    finally:
        budget.opcodes = left
        budget.stopped = budget.stopped or walk.stopped
        walk.opcodes = Counter({_TABLE[code][0]: n for code, n in enumerate(counts) if n})
    return walk


def _walk_one(data, pos: int, left: int, budget: Budget, walk: PickleWalk, counts: list[int]) -> tuple[int, int]:
    """Walk one pickle from ``pos`` to its STOP; returns the offset after it and the opcodes left."""
    end, table, globals_ = len(data), _TABLE, walk.globals
    stack: list = []
    marks: list[list] = []
    memo: dict[int, object] = {}
    try:
        while True:
            if left <= 0:
                walk.stopped = "the opcode budget ran out"
                return pos, left
            left -= 1
            if left % CHECK_EVERY == 0:
                reason = budget.should_stop()
                if reason:
                    walk.stopped = reason
                    return pos, left
            if pos >= end:
                raise _Fail("the data ends before the pickle's STOP opcode")
            code = data[pos]
            entry = table[code]
            if entry is None:
                raise _Fail(f"byte 0x{code:02x} is not a pickle opcode")
            name, effect, tag, kind, size = entry
            counts[code] += 1
            pos += 1
            # --- the argument
            arg = None
            if kind == _FIXED:
                if pos + size > end:
                    raise _Fail(f"{name}'s argument is cut off")
                arg = int.from_bytes(data[pos : pos + size], "little")
                pos += size
            elif kind == _COUNTED:
                width = -size if size < 0 else size
                if pos + width > end:
                    raise _Fail(f"{name}'s length is cut off")
                length = int.from_bytes(data[pos : pos + width], "little", signed=size < 0)
                pos += width
                if length < 0 or pos + length > end:
                    raise _Fail(f"{name} declares {length:,} bytes but the data ends first")
                if effect == PUSH_STR:
                    if length > MAX_KEPT_STRING:
                        arg = LONG_STRING
                    else:
                        arg = data[pos : pos + length].decode("utf-8", "surrogatepass") if "UNICODE" in name else data[pos : pos + length].decode("latin-1")
                pos += length
            elif kind == _LINE:
                arg, pos = _line(data, pos, end)
            elif kind == _LINE_PAIR:
                first, pos = _line(data, pos, end)
                second, pos = _line(data, pos, end)
                if first is None or second is None:
                    raise _Fail(f"{name} names a global longer than {MAX_KEPT_STRING:,} characters")
                arg = (first.decode("utf-8"), second.decode("utf-8"))
            # --- what it does to the stack
            if effect == PUSH:
                stack.append(tag)
            elif effect == PUSH_STR:
                stack.append(_text_string(arg, name) if kind == _LINE else arg)
            elif effect == MEMOIZE or effect == PUT:
                if not stack:
                    raise _Fail(f"{name} with an empty stack")
                key = len(memo) if effect == MEMOIZE else (arg if kind == _FIXED else _memo_index(arg))
                if key not in memo and len(memo) >= budget.memo:
                    walk.stopped = f"a memo of more than {budget.memo:,} entries"
                    return pos, left
                memo[key] = stack[-1]
            elif effect == GET:
                key = arg if kind == _FIXED else _memo_index(arg)
                if key not in memo:
                    raise _Fail(f"{name} {key} reads a memo slot never written")
                stack.append(memo[key])
            elif effect == MARK:
                marks.append(stack)
                stack = []
            elif effect == STOP:
                if not stack:
                    raise _Fail("STOP with an empty stack")
                walk.pickles += 1
                walk.end = pos
                return pos, left
            elif effect == NOOP:
                pass
            elif effect == APPEND or effect == SETITEM:
                n = 1 if effect == APPEND else 2
                if len(stack) <= n:
                    raise _Fail(f"{name} on a stack too short")
                del stack[-n:]
                _expect(stack[-1], (LIST, BYTEARRAY) if effect == APPEND else (DICT, LIST), name)
            elif effect in (APPENDS, SETITEMS, ADDITEMS, POP_MARK, FROM_MARK, INST, OBJ):
                if not marks:
                    raise _Fail(f"{name} without a MARK")
                items, stack = stack, marks.pop()
                if effect == FROM_MARK:
                    stack.append(tag)
                elif effect == INST:
                    globals_.append(arg)
                    stack.append(COMPUTED)
                elif effect == OBJ:
                    if not items:
                        raise _Fail("OBJ without a class")
                    _callable(items[0], name)
                    stack.append(COMPUTED)
                elif effect != POP_MARK:
                    if not stack:
                        raise _Fail(f"{name} with nothing to add to")
                    _expect(stack[-1], (SET,) if effect == ADDITEMS else (LIST, BYTEARRAY) if effect == APPENDS else (DICT, LIST), name)
            elif effect == TUPLE_N:
                if len(stack) < tag:
                    raise _Fail(f"{name} on a stack too short")
                del stack[-tag:]
                stack.append(TUPLE)
            elif effect == POP:
                if stack:
                    stack.pop()
                elif marks:
                    stack = marks.pop()
                else:
                    raise _Fail("POP with an empty stack")
            elif effect == DUP:
                if not stack:
                    raise _Fail("DUP with an empty stack")
                stack.append(stack[-1])
            elif effect == GLOBAL:
                globals_.append(arg)
                stack.append(Imported(*arg))
            elif effect == STACK_GLOBAL:
                if len(stack) < 2:
                    raise _Fail("STACK_GLOBAL with fewer than two values on the stack")
                pair = stack[-2:]
                del stack[-2:]
                if not all(isinstance(v, str) or _is_unknown(v) for v in pair):
                    raise _Fail("STACK_GLOBAL needs two strings")
                module, attr = (v if isinstance(v, str) else "?" for v in pair)
                globals_.append((module, attr))
                if "?" in (module, attr):
                    walk.unresolved += 1
                stack.append(Imported(module, attr))
            elif effect == REDUCE or effect == NEWOBJ:
                if len(stack) < 2:
                    raise _Fail(f"{name} on a stack too short")
                _expect(stack[-1], (TUPLE,), name)
                _callable(stack[-2], name)
                del stack[-2:]
                stack.append(COMPUTED)
            elif effect == NEWOBJ_EX:
                if len(stack) < 3:
                    raise _Fail(f"{name} on a stack too short")
                _callable(stack[-3], name)
                del stack[-3:]
                stack.append(COMPUTED)
            elif effect == BUILD:
                if len(stack) < 2:
                    raise _Fail("BUILD on a stack too short")
                stack.pop()
                _callable(stack[-1], name)  # only an object built by a call (or a class) takes state
            elif effect == EXT:
                globals_.append(("copyreg extension", str(arg)))
                stack.append(COMPUTED)
            elif effect == PERSID:
                stack.append(COMPUTED)
            elif effect == BINPERSID:
                if not stack:
                    raise _Fail("BINPERSID with an empty stack")
                stack[-1] = COMPUTED
    except _Fail as failure:
        walk.error = str(failure)
    except _Cap as cap:
        walk.stopped = str(cap)
    except (UnicodeDecodeError, ValueError) as failure:
        walk.error = f"{type(failure).__name__}: {failure}"
    walk.error_offset = pos
    return pos, left


def _is_unknown(value: object) -> bool:
    return value is COMPUTED or value is LONG_STRING or isinstance(value, Imported)


def _expect(value: object, kinds: tuple, op: str) -> None:
    if value in kinds or value is COMPUTED or isinstance(value, Imported):
        return
    raise _Fail(f"{op} on a {value if isinstance(value, _Tag) else 'string'}")


def _callable(value: object, op: str) -> None:
    if value is COMPUTED or isinstance(value, Imported):
        return
    raise _Fail(f"{op} calls a constant ({value if isinstance(value, _Tag) else 'a string'})")


def _memo_index(raw: bytes | None) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise _Fail("a memo index is not a number") from None
