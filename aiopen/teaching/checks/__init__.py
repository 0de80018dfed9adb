"""Per-exercise checks and the small vocabulary they are written in.

Each module here is named after an exercise without its number (``02_sampling`` ->
``aiopen.teaching.checks.sampling``) and defines ``QUESTIONS``: question name -> :class:`Question`.
A question has two halves, so that judging never happens where the learner's code runs:

* ``ask(rng)`` says which answers to fetch: the value of a name (:func:`value`), or the
  learner's function called on inputs (:func:`calls`). Inputs come from ``rng``: the
  grader seeds it with a secret per run, so a notebook cannot know them in advance, and
  they include cases no cell of the notebook prints.
* ``judge(reply)`` receives the answers as plain data (:class:`Reply`, decoded and
  validated by ``aiopen.teaching.answers``), compares them with the kit's own reference functions,
  and returns ``None`` (or a short note) when right; otherwise it raises :class:`Mismatch`
  saying what was expected, what was got and a hint, or :class:`NotAnswered`.

Messages describe the property asked for and name the common mistakes (GB vs GiB, ln vs
log2, ...), never the solution's expression.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from aiopen.teaching import answers
from aiopen.teaching.answers import Opaque

CALL_TIME_LIMIT_S = 10.0


class NotAnswered(Exception):
    """The learner has not written this answer yet (missing name, ``...``, or the stub)."""


class Mismatch(Exception):
    """A wrong answer: what was expected, what was got, and a hint."""

    def __init__(self, expected: str, got: str, hint: str = "") -> None:
        super().__init__(f"expected {expected}, got {got}")
        self.expected, self.got, self.hint = expected, got, hint


class BadReply(Exception):
    """The kernel's reply does not have the shape :mod:`aiopen.teaching.answers` gives it."""


@dataclass(frozen=True)
class Question:
    ask: Callable[[np.random.Generator], list[dict]]
    judge: Callable[["Reply"], "str | None"]

    def names(self) -> list[str]:
        """The names the learner defines for this question."""
        return [ask["name"] for ask in self.ask(np.random.default_rng(0))]


def value(name: str) -> dict:
    """Ask for the value of ``name``."""
    return {"name": name, "kind": "value"}


def calls(name: str, arguments: Iterable[Sequence[Any]], time_limit_s: float = CALL_TIME_LIMIT_S) -> dict:
    """Ask for ``name(*args)`` for each ``args`` in ``arguments`` (values the wire can carry)."""
    return {"name": name, "kind": "call", "calls": [[_argument(a) for a in args] for args in arguments], "time_limit_s": time_limit_s}


@dataclass(frozen=True)
class File:
    """An argument that reaches the learner's function as the path of a fresh file with these bytes."""

    content: bytes
    suffix: str = ""


def _asked(argument: dict) -> Any:
    """An argument of the request as the judge sees it (a file stays a :class:`File`)."""
    if argument.get("t") == "file":
        import base64

        return File(base64.b64decode(argument["v"]), argument.get("suffix", ""))
    return answers.decode(argument)


def _argument(argument: Any) -> dict:
    if isinstance(argument, File):
        import base64

        return {"t": "file", "v": base64.b64encode(argument.content).decode(), "suffix": argument.suffix}
    return answers.encode(argument)


@dataclass(frozen=True)
class Call:
    """One call of the learner's function: the arguments given, and what came back."""

    name: str
    args: tuple
    outcome: str  # returned, raised, stub, timeout
    value: Any
    error: str
    args_after: tuple
    printed: str

    def returned(self, hint: str = "") -> Any:
        """What the call returned; a :class:`Mismatch` naming the error if it did not return."""
        if self.outcome == "timeout":
            raise Mismatch(f"`{self.name}` to return within {CALL_TIME_LIMIT_S:g} s", f"it was stopped ({_show_args(self.args)})", "Look for a loop that never ends.")
        if self.outcome == "raised":
            raise Mismatch(f"`{self.name}{_show_args(self.args)}` to return", f"it raised {self.error}", hint or "Call it yourself with these inputs to see where.")
        return self.value

    def changed_argument(self) -> int | None:
        """The position of the first argument the call changed, or ``None``."""
        for position, (before, after) in enumerate(zip(self.args, self.args_after)):
            if not isinstance(before, File) and not _same(before, after):  # a file arrives as a path
                return position
        return None


def _same(before: Any, after: Any) -> bool:
    if isinstance(before, np.ndarray) or isinstance(after, np.ndarray):
        return isinstance(before, np.ndarray) and isinstance(after, np.ndarray) and before.shape == after.shape and np.array_equal(before, after, equal_nan=True)
    if isinstance(before, (list, tuple)) and isinstance(after, (list, tuple)):
        return type(before) is type(after) and len(before) == len(after) and all(_same(b, a) for b, a in zip(before, after))
    if isinstance(before, dict) and isinstance(after, dict):
        return before.keys() == after.keys() and all(_same(before[k], after[k]) for k in before)
    if isinstance(before, float) and isinstance(after, float) and math.isnan(before) and math.isnan(after):
        return True
    return type(before) is type(after) and before == after


def _show_args(args: tuple, width: int = 70) -> str:
    text = "(" + ", ".join(_short(a) for a in args) + ")"
    return text if len(text) <= width else text[: width - 2] + "…)"


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array of {value.size}" if value.size > 6 else repr(np.round(value, 4).tolist())
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, File):
        return f"<a {value.suffix or ''} file of {len(value.content)} bytes>"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(repr(v) for v in value)) + "}" if value else "set()"
    return repr(value)


class Reply:
    """The answers a kernel sent for one request, decoded; built by :func:`parse_reply`."""

    def __init__(self, request: dict, answers_by_name: dict[str, dict]) -> None:
        self._request = request
        self._answers = answers_by_name

    def _answer(self, name: str) -> dict:
        answer = self._answers[name]
        if answer["state"] == "missing":
            raise NotAnswered(f"`{name}` is not defined yet: run the cell that defines it.")
        if answer["state"] == "placeholder":
            raise NotAnswered(f"`{name}` is still the placeholder: write your answer and run the cell.")
        return answer

    def value(self, name: str) -> Any:
        """The decoded value of ``name``."""
        return answers.decode(self._answer(name)["value"])

    def calls(self, name: str) -> list[Call]:
        """Every call of the function ``name``, in the order asked."""
        answer = self._answer(name)
        if answer["state"] == "not callable":
            raise Mismatch(f"`{name}` to be a function", _a(answer["type"]), f"Define it with `def {name}(...):`.")
        ask = next(a for a in self._request["asks"] if a["name"] == name)
        result = []
        for arguments, call in zip(ask["calls"], answer["calls"]):
            args = tuple(_asked(a) for a in arguments)
            after = tuple(answers.decode(a) for a in call.get("args_after", []))
            value_ = answers.decode(call["value"]) if "value" in call else None
            result.append(Call(name, args, call["outcome"], value_, str(call.get("error", ""))[:300], after, str(call.get("printed", ""))[:2000]))
        if result and all(c.outcome == "stub" for c in result):
            raise NotAnswered(f"`{name}` still raises NotImplementedError: write your answer and run the cell.")
        return result

    def function(self, name: str, unchanged: bool = True, hint: str | Callable[[Call], str] = "") -> list[tuple[Call, Any]]:
        """``(call, returned value)`` for every call; a Mismatch for an error, a stub or a changed input.

        ``hint`` (text, or a function of the call) is the hint when a call raises.
        """
        result = []
        for call in self.calls(name):
            if call.outcome == "stub":
                raise Mismatch(f"`{name}` to work for every input", f"it raised NotImplementedError for {_show_args(call.args)}", "Remove the placeholder line.")
            returned = call.returned(hint(call) if callable(hint) else hint)
            position = call.changed_argument() if unchanged else None
            if position is not None:
                raise Mismatch(
                    f"`{name}` to leave its inputs as they were",
                    f"it changed argument {position + 1} ({describe(call.args[position])})",
                    "Work on a copy (e.g. `.copy()`, `set(x)`, `np.where`) instead of changing the input in place.",
                )
            result.append((call, returned))
        return result


def parse_reply(request: dict, data: Any) -> Reply:
    """Check the shape of a kernel's reply to ``request`` (untrusted data) and wrap it."""
    if not isinstance(data, dict) or data.get("nonce") != request["nonce"]:
        raise BadReply("the reply does not answer this request")
    replies = data.get("answers")
    asks = request["asks"]
    if not isinstance(replies, list) or len(replies) != len(asks):
        raise BadReply("the reply has the wrong number of answers")
    by_name = {}
    for ask, answer in zip(asks, replies):
        if not isinstance(answer, dict) or answer.get("name") != ask["name"]:
            raise BadReply("an answer is for the wrong name")
        state = answer.get("state")
        if state not in ("ok", "missing", "placeholder", "not callable"):
            raise BadReply(f"unknown state {state!r:.40}")
        if state == "ok" and ask["kind"] == "value" and not isinstance(answer.get("value"), dict):
            raise BadReply("a value answer has no value")
        if state == "ok" and ask["kind"] == "call":
            made = answer.get("calls")
            if not isinstance(made, list) or len(made) != len(ask["calls"]):
                raise BadReply("a function answer has the wrong number of calls")
            for call in made:
                if not isinstance(call, dict) or call.get("outcome") not in ("returned", "raised", "stub", "timeout"):
                    raise BadReply("a call has no outcome")
                if call["outcome"] == "returned" and not isinstance(call.get("value"), dict):
                    raise BadReply("a call returned nothing")
                if not isinstance(call.get("args_after", []), list):
                    raise BadReply("a call's arguments are malformed")
        if state == "not callable":
            answer = {**answer, "type": str(answer.get("type", "value"))[:100]}
        by_name[ask["name"]] = answer
    return Reply(request, by_name)


# --- Helpers the judges share --------------------------------------------------------------

def expect(condition: bool, expected: str, got: str, hint: str = "") -> None:
    """Raise :class:`Mismatch` unless ``condition`` holds."""
    if not condition:
        raise Mismatch(expected, got, hint)


def describe(value: Any) -> str:
    """A short, safe description of a learner's value for a message."""
    if isinstance(value, Opaque):
        return _a(value.type_name)
    text = _short(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def number(value: Any, name: str) -> float:
    """``value`` as a float (ints, floats and numpy scalars all count), or a Mismatch saying what it is."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Mismatch(f"`{name}` to be a number", describe(value) if not isinstance(value, str) else f"the text {value!r:.40}")
    result = float(value)
    if not math.isfinite(result):
        raise Mismatch(f"`{name}` to be a finite number", repr(result), "Look for a division by zero or an overflow.")
    return result


def whole_number(value: Any, name: str, hint: str = "Round up with math.ceil.") -> int:
    """``value`` as an int: ints, numpy ints and integral floats (``3.0``) all count."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        got = f"{value!r}" if isinstance(value, float) else describe(value)
        raise Mismatch(f"`{name}` to be a whole number", got, hint)
    return value


def truth(value: Any, name: str) -> bool:
    """``value`` as a bool (``np.bool_`` counts), or a Mismatch asking for True or False."""
    if not isinstance(value, bool):
        raise Mismatch(f"`{name}` to be True or False (a bool)", describe(value), "Return the result of a comparison, e.g. `x in y` or `a < b`.")
    return value


def pair(value: Any, name: str, what: str = "(low, high)") -> tuple[Any, Any]:
    """Any two-item sequence (tuple or list) as a tuple."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise Mismatch(f"`{name}` to give a pair {what}", describe(value), f"return {what.strip('()')}")
    return value[0], value[1]


def ratio_hint(got: float, wanted: float, hints: dict[float, str], default: str = "") -> str:
    """The hint for the first known factor between ``got`` and ``wanted`` (within 1 %)."""
    if wanted:
        for factor, hint in hints.items():
            if math.isclose(got, wanted * factor, rel_tol=0.01):
                return hint
    return default


def questions_for(exercise: str) -> dict[str, Question]:
    """The questions of one exercise, e.g. ``questions_for("02_sampling")``."""
    topic = exercise.split("_", 1)[-1]
    if not topic.replace("_", "").isalnum():
        raise ValueError(f"No checks for an exercise called {exercise!r}.")
    try:
        module = importlib.import_module(f"{__name__}.{topic}")
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.{topic}":
            raise
        raise ValueError(f"No checks for an exercise called {exercise!r}.") from None
    return dict(module.QUESTIONS)
