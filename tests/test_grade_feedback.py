"""check(): a pass, or a short teaching message; never a traceback, never a hang."""

from __future__ import annotations

import pytest

from aiopen import feedback
from aiopen.feedback import PASS, FAIL, UNANSWERED, checker, evaluate


def _stub(*args: object) -> None:
    raise NotImplementedError("Write your answer here")


def test_stub_and_ellipsis_are_not_answered_yet() -> None:
    assert evaluate("04_artifacts", "q1", {"pickle_imports": _stub}).status == UNANSWERED
    assert evaluate("04_artifacts", "q1", {}).status == UNANSWERED
    result = evaluate("01_openness", "q4", {"osi_says_open": ...})
    assert result.status == UNANSWERED and "`...`" in result.hint


def test_wrong_answer_says_expected_got_and_hint() -> None:
    result = evaluate("04_artifacts", "q2", {"verdict": lambda imports: "safe"})
    assert result.status == FAIL and result.expected and result.got == "'safe'" and result.hint


def test_learner_exception_becomes_a_sentence() -> None:
    result = evaluate("04_artifacts", "q2", {"verdict": lambda imports: 1 / 0})
    assert result.status == FAIL and "ZeroDivisionError" in result.summary


def test_endless_learner_code_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    def forever(imports: object) -> str:
        while True:
            pass

    monkeypatch.setattr(feedback, "TIME_LIMIT_S", 0.5)
    result = evaluate("04_artifacts", "q2", {"verdict": forever})
    assert result.status == FAIL and "stopped after 0.5 s" in result.summary


def test_unknown_question_and_exercise() -> None:
    assert evaluate("04_artifacts", "q9", {}).status == FAIL
    with pytest.raises(ValueError, match="No checks"):
        checker("99_nothing")


def test_check_shows_text_outside_jupyter(capsys: pytest.CaptureFixture[str]) -> None:
    def verdict(imports: set) -> str:
        allowed = {("numpy", "ndarray")}
        return "safe" if set(imports) <= allowed else "dangerous"

    checker("04_artifacts", namespace={"verdict": verdict})("q2")
    assert capsys.readouterr().out.startswith("q2 ✓")


def test_html_is_escaped_and_one_line_report_is_single_line() -> None:
    result = feedback.Result("q1", FAIL, "Not yet.", expected="<b>x</b>", got="a\nb", hint="h")
    assert "&lt;b&gt;" in result._repr_html_()
    assert "\n" not in result.one_line()
    assert feedback.Result("q1", PASS, "Correct.").one_line() == "Correct"
