"""Per-exercise checks and the small vocabulary they are written in.

Each module here is named after an exercise without its number (``02_sampling``
-> ``aiopen.checks.sampling``) and defines ``QUESTIONS``: question name -> check.
A check takes the learner's :class:`Answers`, returns ``None`` (or a short note)
when the answer is right, and raises :class:`Mismatch` saying what was expected,
what was got and a hint when it is not. Messages describe the property asked
for, never the solution itself.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[["Answers"], "str | None"]


class NotAnswered(Exception):
    """The learner has not written this answer yet (missing name, or still ``...``)."""


class Mismatch(Exception):
    """A wrong answer: what was expected, what was got, and a hint."""

    def __init__(self, expected: str, got: str, hint: str = "") -> None:
        super().__init__(f"expected {expected}, got {got}")
        self.expected, self.got, self.hint = expected, got, hint


class Answers:
    """Read-only access to the names a learner defined in their notebook."""

    def __init__(self, namespace: Mapping[str, Any]) -> None:
        self._namespace = namespace

    def __getitem__(self, name: str) -> Any:
        if name not in self._namespace:
            raise NotAnswered(f"`{name}` is not defined yet: run the cell that defines it.")
        if self._namespace[name] is Ellipsis:
            raise NotAnswered(f"Replace the `...` after `{name} =` with your answer and run the cell.")
        return self._namespace[name]

    def function(self, name: str) -> Callable[..., Any]:
        value = self[name]
        if not callable(value):
            raise Mismatch(f"`{name}` to be a function", f"a {type(value).__name__}", f"Define it with `def {name}(...):`.")
        return value


def expect(condition: bool, expected: str, got: str, hint: str = "") -> None:
    """Raise :class:`Mismatch` unless ``condition`` holds."""
    if not condition:
        raise Mismatch(expected, got, hint)


def number(value: Any, name: str) -> float:
    """``value`` as a float, or a :class:`Mismatch` that names what it is instead."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        raise Mismatch(f"`{name}` to be a number", f"a {type(value).__name__}")
    result = float(value)
    if not math.isfinite(result):
        raise Mismatch(f"`{name}` to be a finite number", repr(result))
    return result


def questions_for(exercise: str) -> dict[str, Check]:
    """The checks of one exercise, e.g. ``questions_for("02_sampling")``."""
    topic = exercise.split("_", 1)[-1]
    try:
        module = importlib.import_module(f"{__name__}.{topic}")
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.{topic}":
            raise
        raise ValueError(f"No checks for an exercise called {exercise!r}.") from None
    return dict(module.QUESTIONS)
