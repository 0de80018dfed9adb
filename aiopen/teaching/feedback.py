"""Instant feedback for the exercises: ``check("q1")`` says pass, or what to fix.

At the top of an exercise notebook::

    from aiopen.teaching.feedback import checker
    check = checker("02_sampling")

``check("q1")`` runs the question's check on fresh inputs: ``aiopen.teaching.answers`` reads the
learner's names and calls their functions, and :func:`judge` compares the answers with
the kit's reference functions. It shows a short message (what was expected, what was
got, a hint), never raises and never shows the solution. Demo cells that need an
answer start with ``if check.answered("q1"):``, which says "answer q1 first" instead of
failing while the answer is still a placeholder.

This runs in the learner's kernel, so it is feedback, not a score. The grader
(``aiopen.teaching.grade``) uses the same :func:`judge` on the same kind of answers, but in its
own process, with inputs the notebook cannot know in advance.
"""

from __future__ import annotations

import html
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from aiopen.teaching import answers
from aiopen.teaching.checks import BadReply, Mismatch, NotAnswered, Question, parse_reply, questions_for

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


def request_for(question: Question, rng: np.random.Generator) -> dict:
    """What to ask the learner's kernel for one question, with inputs drawn from ``rng``."""
    return {"nonce": secrets.token_hex(8), "asks": question.ask(rng)}


def judge(exercise: str, question: str, request: dict, reply: Any) -> Result:
    """The verdict on a kernel's reply to ``request`` (plain, untrusted data); never raises."""
    try:
        answers_ = parse_reply(request, reply)
    except BadReply as error:
        return Result(question, FAIL, "Your answer could not be read.", got=str(error), hint="Run the notebook again from the top.")
    try:
        note = questions_for(exercise)[question].judge(answers_)
    except NotAnswered as missing:
        return Result(question, UNANSWERED, "Not answered yet.", hint=str(missing))
    except Mismatch as wrong:
        return Result(question, FAIL, "Not yet.", wrong.expected, wrong.got, wrong.hint)
    except Exception as error:  # noqa: BLE001 - a judge that cannot cope says so instead of crashing
        return Result(question, FAIL, f"This answer could not be judged ({type(error).__name__}).", hint="Tell your instructor; the check may have a bug.")
    return Result(question, PASS, note or "Correct.")


def evaluate(exercise: str, question: str, namespace: Mapping[str, Any], seed: int | None = None) -> Result:
    """Check one question against ``namespace`` in this process; never raises.

    ``seed`` fixes the fresh inputs (tests replay with it); by default they are new each time.
    """
    checks = questions_for(exercise)
    if question not in checks:
        return Result(question, FAIL, f"There is no question {question!r} in {exercise}.", hint=f"Questions: {', '.join(checks)}.")
    request = request_for(checks[question], np.random.default_rng(seed))
    reply = json.loads(json.dumps(answers.respond(request, namespace)))  # exactly what the grader would receive
    return judge(exercise, question, request, reply)


class Checker:
    """``check(question)`` for one exercise notebook, and ``check.answered(...)`` for demo cells."""

    def __init__(self, exercise: str, namespace: Mapping[str, Any] | None = None) -> None:
        self.exercise = exercise
        self.questions = questions_for(exercise)  # fails early, at the top of the notebook, on a wrong name
        self._namespace = namespace

    def __call__(self, question: str) -> None:
        _show(evaluate(self.exercise, question, self.namespace()))

    def answered(self, *questions: str) -> bool:
        """True when every name these questions need is written; else say which to answer first."""
        namespace = self.namespace()
        for question in questions:
            for name in self.questions[question].names() if question in self.questions else []:
                if name not in namespace or answers.is_placeholder(namespace[name]):
                    print(f"Answer {question} first: `{name}` is {'not defined yet' if name not in namespace else 'still a placeholder'}. This cell shows its result once you have.")
                    return False
        return True

    def namespace(self) -> Mapping[str, Any]:
        if self._namespace is not None:
            return self._namespace
        from IPython import get_ipython

        shell = get_ipython()
        return shell.user_ns if shell is not None else {}


def checker(exercise: str, namespace: Mapping[str, Any] | None = None) -> Checker:
    """A ``check(question)`` function for one exercise notebook.

    ``namespace`` defaults to the running notebook's (IPython ``user_ns``).
    """
    return Checker(exercise, namespace)


def _show(result: Result) -> None:
    try:
        from IPython.display import display
    except ImportError:
        print(result)
    else:
        display(result)
