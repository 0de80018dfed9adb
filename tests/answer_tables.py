"""The harness for the per-question answer tables (``tests/test_teaching_answers_*.py``).

Each exercise's table lists plausible *wrong* answers that must not pass (often with a
word the feedback must contain, so the common mistake is named) and *correct variants*
that must pass. Each entry is judged through ``aiopen.teaching.feedback.evaluate``, the path
``check("qN")`` takes: the question's fresh inputs (seeded here, so a failure can be
replayed), the learner's namespace, the answer encoded as the grader receives it, and
the judge. Every entry runs with several seeds: a wrong answer that passes for one set of
inputs means the check is too weak.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from aiopen.teaching.feedback import PASS, Result, evaluate

SEEDS = (0, 1, 2)


@dataclass
class Case:
    question: str
    label: str
    namespace: dict[str, Any] = field(repr=False)
    diagnosis: str = ""  # wrong answers: a word the message must contain (case-insensitive)

    def __str__(self) -> str:
        return f"{self.question}-{self.label}"


def result(exercise: str, case: Case, seed: int) -> Result:
    return evaluate(exercise, case.question, dict(case.namespace), seed=seed)


def text(outcome: Result) -> str:
    return " ".join((outcome.summary, outcome.expected, outcome.got, outcome.hint))


def assert_fails(exercise: str, case: Case) -> None:
    for seed in SEEDS:
        outcome = result(exercise, case, seed)
        assert outcome.status != PASS, f"seed {seed}: wrong answer {case} passed"
        assert case.diagnosis.lower() in text(outcome).lower(), f"seed {seed}: {case} not named {case.diagnosis!r}:\n{outcome}"
        assert "Traceback" not in text(outcome)


def assert_passes(exercise: str, case: Case) -> None:
    for seed in SEEDS:
        outcome = result(exercise, case, seed)
        assert outcome.status == PASS, f"seed {seed}: correct variant {case} rejected:\n{outcome}"


def table_tests(exercise: str, wrong: list[Case], right: list[Case]) -> tuple[Callable[[Case], None], Callable[[Case], None]]:
    """The two tests every table module exports: each wrong answer fails, each correct variant passes."""

    @pytest.mark.parametrize("case", wrong, ids=str)
    def test_wrong_answer_fails(case: Case) -> None:
        assert_fails(exercise, case)

    @pytest.mark.parametrize("case", right, ids=str)
    def test_correct_variant_passes(case: Case) -> None:
        assert_passes(exercise, case)

    return test_wrong_answer_fails, test_correct_variant_passes
