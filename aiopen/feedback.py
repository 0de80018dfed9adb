"""Instant feedback for the exercises: ``check("q1")`` says pass, or what to fix.

At the top of an exercise notebook::

    from aiopen.feedback import checker
    check = checker("02_sampling")

``check("q1")`` reads the learner's names from the notebook's namespace, runs the
question's check (``aiopen.checks``) and shows a short message: what was expected,
what was got, a hint. It never raises and never shows the solution. The grader
(``python -m aiopen.grade``) runs the same checks through :func:`report`.
"""

from __future__ import annotations

import html
import json
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from aiopen.checks import Answers, Mismatch, NotAnswered, questions_for

TIME_LIMIT_S = 30  # a check that runs the learner's code longer than this is stopped
REPORT_PREFIX = "AIOPEN-GRADE "  # marks the grader's lines in a kernel's stdout

PASS, FAIL, UNANSWERED = "pass", "fail", "not answered"
_COLOURS = {PASS: "#009E73", FAIL: "#D55E00", UNANSWERED: "#E69F00"}  # Okabe-Ito
_SYMBOLS = {PASS: "✓", FAIL: "✗", UNANSWERED: "…"}


@dataclass(frozen=True)
class Result:
    """The outcome of one question's check, shown as HTML in Jupyter and as text elsewhere."""

    question: str
    status: str  # PASS, FAIL or UNANSWERED
    summary: str
    expected: str = ""
    got: str = ""
    hint: str = ""

    @property
    def passed(self) -> bool:
        return self.status == PASS

    def one_line(self) -> str:
        """The message on one line, for the grader's report."""
        text = "; ".join([self.summary.rstrip(".")] + [f"{label.lower()}: {detail}" for label, detail in self._details()])
        return " ".join(text.split())

    def _details(self) -> list[tuple[str, str]]:
        return [(label, text) for label, text in (("Expected", self.expected), ("Got", self.got), ("Hint", self.hint)) if text]

    def __str__(self) -> str:
        lines = [f"{self.question} {_SYMBOLS[self.status]} {self.summary}"]
        lines += [f"  {label + ':':<9} {text}" for label, text in self._details()]
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        colour = _COLOURS[self.status]
        rows = "".join(
            f'<div style="margin-left:1.6em"><b>{label}:</b> {html.escape(text)}</div>' for label, text in self._details()
        )
        return (
            f'<div class="aiopen-check aiopen-{self.status.replace(" ", "-")}" role="status" '
            f'style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0;font-size:15px">'
            f'<b style="color:{colour}">{_SYMBOLS[self.status]} {html.escape(self.question)}</b> '
            f"{html.escape(self.summary)}{rows}</div>"
        )


class _TimeLimit(Exception):
    pass


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Stop the block after ``seconds`` (main thread only: a kernel runs cells there)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise _TimeLimit

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def evaluate(exercise: str, question: str, namespace: Mapping[str, Any]) -> Result:
    """Run one question's check against ``namespace``; never raises."""
    checks = questions_for(exercise)
    if question not in checks:
        return Result(question, FAIL, f"There is no question {question!r} in {exercise}.", hint=f"Questions: {', '.join(checks)}.")
    try:
        with _time_limit(TIME_LIMIT_S):
            note = checks[question](Answers(namespace))
    except (NotAnswered, NotImplementedError) as missing:
        detail = str(missing) if isinstance(missing, NotAnswered) else ""
        return Result(question, UNANSWERED, "Not answered yet.", hint=detail or "Replace the placeholder with your answer and run the cell.")
    except Mismatch as wrong:
        return Result(question, FAIL, "Not yet.", wrong.expected, wrong.got, wrong.hint)
    except (_TimeLimit, KeyboardInterrupt):
        return Result(question, FAIL, f"Your code was stopped after {TIME_LIMIT_S} s.", hint="Look for a loop that never ends.")
    except RecursionError:
        return Result(question, FAIL, "Your code called itself without end (RecursionError).", hint="Check the stopping case.")
    except Exception as error:  # noqa: BLE001 - any error in the learner's code becomes a message
        message = f"{type(error).__name__}: {str(error).rstrip('.')}" if str(error) else type(error).__name__
        return Result(question, FAIL, f"Your code raised {message}.", hint="Run your cell again to see where, fix it, then check again.")
    return Result(question, PASS, note or "Correct.")


def checker(exercise: str, namespace: Mapping[str, Any] | None = None) -> Callable[[str], None]:
    """A ``check(question)`` function for one exercise notebook.

    ``namespace`` defaults to the running notebook's (IPython ``user_ns``).
    """
    questions_for(exercise)  # fail early, at the top of the notebook, on a wrong name

    def check(question: str) -> None:
        result = evaluate(exercise, question, _namespace(namespace))
        try:
            from IPython.display import display
        except ImportError:
            print(result)
        else:
            display(result)

    return check


def report(exercise: str, questions: list[str]) -> None:
    """Print one machine-readable line per question, for ``aiopen.grade``."""
    namespace = _namespace(None)
    for question in questions:
        result = evaluate(exercise, question, namespace)
        print(REPORT_PREFIX + json.dumps({"question": question, "passed": result.passed, "message": result.one_line()}))


def _namespace(namespace: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if namespace is not None:
        return namespace
    from IPython import get_ipython

    shell = get_ipython()
    return shell.user_ns if shell is not None else {}
