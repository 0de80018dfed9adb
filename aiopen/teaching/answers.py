"""The only grading code that runs in a learner's kernel: it turns answers into plain data.

A question's check asks for *answers*: the value of a name the learner defined, or what
the learner's function returns on inputs the check chose. :func:`respond` looks the names
up in the notebook's namespace, calls the functions (with a time limit, printing
captured) and returns everything as typed, JSON-safe data: the value each call returned,
what it raised, and each argument *after* the call, so the judge can see a function that
changed its input. Judging happens elsewhere, with the kit's own reference functions
(``aiopen.teaching.checks``, ``aiopen.teaching.feedback``).

This module must stay self-contained (standard library; numpy only for arrays). The
grader sends this file's source to the kernel and runs it in a fresh namespace, so
nothing a notebook did to ``aiopen.*`` changes how its answers are read; ``check("qN")``
imports it in the learner's kernel. Whatever comes back is untrusted data: :func:`decode`
caps sizes and depths and never calls anything.

Wire format. A request is ``{"nonce": str, "asks": [ask, ...]}`` with
``ask = {"name": str, "kind": "value"}`` or
``{"name": str, "kind": "call", "calls": [[encoded argument, ...], ...], "time_limit_s": float}``.
The reply is ``{"nonce": str, "answers": [answer, ...]}`` in the asks' order, with
``answer = {"name": str, "state": "ok" | "missing" | "placeholder" | "not callable", ...}``:
a value answer adds ``"value"``; a call answer adds ``"calls"``, one
``{"outcome": "returned" | "raised" | "stub" | "timeout", "value", "error", "args_after", "printed"}``
per call; "not callable" adds ``"type"``.
"""

from __future__ import annotations

import base64
import contextlib
import io
import math
import os
import shutil
import signal
import tempfile
import threading
import warnings
from pathlib import Path, PurePath
from typing import Any

MIME_TYPE = "application/vnd.aiopen.teaching.answers+json"
PLACEHOLDER_TEXT = "Write your answer here"  # what the stubs in exercises/ raise
MAX_NODES = 500_000  # encoded values per answer, all containers together
MAX_DEPTH = 8
MAX_TEXT = 20_000
MAX_BYTES = 8 * 2**20
MAX_PRINTED = 2_000
TOTAL_CALL_TIME_S = 60.0
ARRAY_KINDS = "biuf"  # bool, int, unsigned, float


class Opaque:
    """A decoded value the wire could not carry: its type name (and a short repr) only."""

    def __init__(self, type_name: str, text: str = "") -> None:
        self.type_name, self.text = type_name, text

    def __repr__(self) -> str:
        return self.text or f"<{self.type_name}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and (self.type_name, self.text) == (other.type_name, other.text)

    def __hash__(self) -> int:
        return hash((self.type_name, self.text))


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_NODES

    def take(self, count: int = 1) -> bool:
        self.left -= count
        return self.left >= 0


def encode(value: Any, budget: _Budget | None = None, depth: int = 0) -> dict:
    """``value`` as typed JSON data (containers, numbers, text, bytes, numpy arrays and scalars)."""
    budget = budget or _Budget()
    if not budget.take() or depth > MAX_DEPTH:
        return {"t": "cut"}
    numpy = _numpy_if_loaded()
    if value is None:
        return {"t": "none"}
    if value is Ellipsis:
        return {"t": "ellipsis"}
    if isinstance(value, bool) or numpy is not None and isinstance(value, numpy.bool_):
        return {"t": "bool", "v": bool(value), "np": not isinstance(value, bool)}
    if isinstance(value, int) or numpy is not None and isinstance(value, numpy.integer):
        return {"t": "int", "v": int(value), "np": not isinstance(value, int)}
    if isinstance(value, float) or numpy is not None and isinstance(value, numpy.floating):
        return {"t": "float", "v": _float(float(value)), "np": not isinstance(value, float)}
    if isinstance(value, str):
        return {"t": "str", "v": value[:MAX_TEXT], "cut": len(value) > MAX_TEXT}
    if isinstance(value, (bytes, bytearray)):
        return {"t": "bytes", "v": base64.b64encode(bytes(value[:MAX_BYTES])).decode()} if budget.take(len(value) // 64) else {"t": "cut"}
    if isinstance(value, PurePath):
        return {"t": "path", "v": str(value)[:MAX_TEXT]}
    if numpy is not None and isinstance(value, numpy.ndarray):
        if value.dtype.kind not in ARRAY_KINDS or not budget.take(value.size):
            return {"t": "other", "type": f"numpy array of {value.dtype}"} if value.dtype.kind not in ARRAY_KINDS else {"t": "cut"}
        flat = value.astype(float).ravel().tolist() if value.dtype.kind == "f" else value.ravel().tolist()
        return {"t": "ndarray", "dtype": str(value.dtype), "shape": list(value.shape), "v": [_float(x) for x in flat] if value.dtype.kind == "f" else flat}
    if isinstance(value, dict):
        items = list(value.items())
        if not budget.take(len(items)):
            return {"t": "cut"}
        return {"t": "dict", "v": [[encode(k, budget, depth + 1), encode(v, budget, depth + 1)] for k, v in items]}
    for kind, types in (("tuple", tuple), ("list", list), ("set", (set, frozenset))):
        if isinstance(value, types):
            items = list(value)
            if not budget.take(len(items)):
                return {"t": "cut"}
            encoded = [encode(item, budget, depth + 1) for item in items]
            if kind == "set":
                encoded.sort(key=repr)
            return {"t": kind, "v": encoded}
    return {"t": "other", "type": type(value).__name__[:100]}


def _float(value: float) -> float | str:
    return value if math.isfinite(value) else repr(value)  # "nan", "inf", "-inf": JSON has no such numbers


def _numpy_if_loaded() -> Any:
    import sys

    return sys.modules.get("numpy")


def decode(data: Any, files: Path | None = None, depth: int = 0) -> Any:
    """Python values from :func:`encode`'s data. Validates as it goes; never calls anything.

    ``{"t": "file", "v": base64, "suffix": str}`` (only in a request's arguments) becomes a
    fresh file in ``files`` and is given to the function as its ``Path``.
    """
    if not isinstance(data, dict) or depth > MAX_DEPTH + 1:
        return Opaque("malformed")
    kind, value = data.get("t"), data.get("v")
    if kind == "none":
        return None
    if kind == "ellipsis":
        return ...
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**30:
        return value
    if kind == "float" and (isinstance(value, (int, float)) and not isinstance(value, bool) or value in ("nan", "inf", "-inf")):
        return float(value)
    if kind in ("str", "path") and isinstance(value, str):
        return value[:MAX_TEXT] if kind == "str" else Path(value[:MAX_TEXT])
    if kind == "bytes" and isinstance(value, str) and len(value) <= MAX_BYTES * 2:
        return base64.b64decode(value)
    if kind == "file" and isinstance(value, str) and files is not None:
        handle, name = tempfile.mkstemp(suffix=str(data.get("suffix", ""))[:20], dir=files)
        with os.fdopen(handle, "wb") as out:
            out.write(base64.b64decode(value))
        return Path(name)
    if kind == "ndarray":
        return _decode_array(data)
    if kind in ("list", "tuple", "set") and isinstance(value, list) and len(value) <= MAX_NODES:
        items = [decode(item, files, depth + 1) for item in value]
        if kind == "set":
            try:
                return set(items)
            except TypeError:
                return Opaque("set of unhashable values")
        return tuple(items) if kind == "tuple" else items
    if kind == "dict" and isinstance(value, list) and len(value) <= MAX_NODES:
        pairs = [(decode(p[0], files, depth + 1), decode(p[1], files, depth + 1)) for p in value if isinstance(p, list) and len(p) == 2]
        try:
            return dict(pairs)
        except TypeError:
            return Opaque("dict with unhashable keys")
    if kind == "other" and isinstance(data.get("type"), str):
        return Opaque(data["type"][:100])
    if kind == "cut":
        return Opaque("too large to send")
    return Opaque("malformed")


def _decode_array(data: dict) -> Any:
    import numpy

    shape, values, dtype = data.get("shape"), data.get("v"), data.get("dtype")
    if not (isinstance(shape, list) and all(isinstance(s, int) and 0 <= s <= MAX_NODES for s in shape) and isinstance(values, list)):
        return Opaque("malformed array")
    if math.prod(shape) != len(values) or len(values) > MAX_NODES or not isinstance(dtype, str):
        return Opaque("malformed array")
    try:
        kind = numpy.dtype(dtype).kind
    except TypeError:
        return Opaque("malformed array")
    if kind not in ARRAY_KINDS or not all(isinstance(v, (int, float)) or v in ("nan", "inf", "-inf") for v in values):
        return Opaque("malformed array")
    converted = [float(v) if isinstance(v, str) else v for v in values]
    return numpy.array(converted, dtype=dtype).reshape(shape)


def is_placeholder(value: Any) -> bool:
    """True for ``...`` and for the generated stub functions (they raise ``NotImplementedError``)."""
    code = getattr(value, "__code__", None)
    return value is Ellipsis or code is not None and PLACEHOLDER_TEXT in code.co_consts


class _TimeUp(BaseException):
    """Raised into the learner's function when its time is up (BaseException: harder to swallow)."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _quiet():
    """No warnings from the learner's code (numpy's overflow warnings would bury the message)."""
    numpy = _numpy_if_loaded()
    with warnings.catch_warnings(), numpy.errstate(all="ignore") if numpy is not None else contextlib.nullcontext():
        warnings.simplefilter("ignore")
        yield


def _call(function: Any, arguments: list, seconds: float, files: Path) -> dict:
    args = [decode(argument, files) for argument in arguments]
    printed = io.StringIO()
    outcome: dict[str, Any]
    try:
        with _time_limit(seconds), contextlib.redirect_stdout(printed), _quiet():
            result = function(*args)
        outcome = {"outcome": "returned", "value": encode(result)}
    except NotImplementedError:
        outcome = {"outcome": "stub"}
    except (_TimeUp, KeyboardInterrupt):
        outcome = {"outcome": "timeout"}
    except RecursionError:
        outcome = {"outcome": "raised", "error": "RecursionError: it called itself without end"}
    except BaseException as error:  # noqa: BLE001 - any failure of the learner's code is an answer too
        message = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
        outcome = {"outcome": "raised", "error": f"{type(error).__name__}: {message}" if message else type(error).__name__}
    outcome["args_after"] = [encode(arg) for arg in args]
    outcome["printed"] = printed.getvalue()[:MAX_PRINTED]
    return outcome


def respond(request: dict, namespace: Any) -> dict:
    """Answer a check's request from ``namespace`` (the notebook's global names)."""
    files = Path(tempfile.mkdtemp(prefix="aiopen-answer-"))
    answers: list[dict] = []
    time_left = TOTAL_CALL_TIME_S
    try:
        for ask in request["asks"]:
            name = ask["name"]
            answer: dict[str, Any] = {"name": name}
            answers.append(answer)
            if name not in namespace:
                answer["state"] = "missing"
                continue
            value = namespace[name]
            if is_placeholder(value):
                answer["state"] = "placeholder"
            elif ask["kind"] == "value":
                answer.update(state="ok", value=encode(value))
            elif not callable(value):
                answer.update(state="not callable", type=type(value).__name__[:100])
            else:
                answer.update(state="ok", calls=[])
                for arguments in ask["calls"]:
                    started = _clock()
                    if time_left <= 0:
                        answer["calls"].append({"outcome": "timeout", "args_after": [], "printed": ""})
                        continue
                    answer["calls"].append(_call(value, arguments, min(float(ask["time_limit_s"]), time_left), files))
                    time_left -= _clock() - started
    finally:
        shutil.rmtree(files, ignore_errors=True)
    return {"nonce": request["nonce"], "answers": answers}


def _clock() -> float:
    import time

    return time.monotonic()


def send(request: dict, namespace: Any) -> None:
    """In the kernel, for the grader: respond, and publish the reply as one display message."""
    from IPython.display import display

    display({MIME_TYPE: respond(request, namespace)}, raw=True)
