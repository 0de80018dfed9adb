"""check() and the answers it is built on: a pass, or a short teaching message; never a
traceback, never a hang; answers travel as plain data the judge validates."""

from __future__ import annotations

import json

import numpy as np
import pytest

from aiopen.teaching import answers, feedback
from aiopen.teaching.checks import BadReply, parse_reply, questions_for
from aiopen.teaching.checks.artifacts import CHECKPOINT_GLOBALS
from aiopen.teaching.feedback import FAIL, PASS, UNANSWERED, checker, evaluate, judge, request_for


def _stub(*args: object) -> None:
    raise NotImplementedError("Write your answer here")


def test_stub_and_ellipsis_are_not_answered_yet() -> None:
    assert evaluate("04_artifacts", "q1", {"pickle_imports": _stub}, seed=0).status == UNANSWERED
    assert evaluate("04_artifacts", "q1", {}, seed=0).status == UNANSWERED
    result = evaluate("03_costs", "q1", {"weights_gb": ...}, seed=0)
    assert result.status == UNANSWERED and "placeholder" in result.hint


def test_wrong_answer_says_expected_got_and_hint() -> None:
    result = evaluate("04_artifacts", "q2", {"verdict": lambda imports: "safe"}, seed=0)
    assert result.status == FAIL and result.expected and result.got == "'safe'" and result.hint


def test_learner_exception_becomes_a_sentence() -> None:
    result = evaluate("04_artifacts", "q2", {"verdict": lambda imports: 1 / 0}, seed=0)
    assert result.status == FAIL and "ZeroDivisionError" in result.got


def test_endless_learner_function_is_stopped_and_reported() -> None:
    def forever(imports: object) -> str:
        while True:
            pass

    request = {"nonce": "n", "asks": [{"name": "verdict", "kind": "call", "calls": [[answers.encode(set())]], "time_limit_s": 0.3}]}
    reply = answers.respond(request, {"verdict": forever})
    assert reply["answers"][0]["calls"][0]["outcome"] == "timeout"


def test_unknown_question_and_exercise() -> None:
    assert evaluate("04_artifacts", "q9", {}).status == FAIL
    with pytest.raises(ValueError, match="No checks"):
        checker("99_nothing")
    with pytest.raises(ValueError, match="No checks"):
        questions_for("../etc")


def test_check_shows_text_outside_jupyter(capsys: pytest.CaptureFixture[str]) -> None:
    def verdict(imports: set) -> str:
        return "safe" if set(imports) <= CHECKPOINT_GLOBALS else "dangerous"

    checker("04_artifacts", namespace={"verdict": verdict})("q2")
    assert capsys.readouterr().out.startswith("q2 ✓")


def test_answered_says_which_question_to_answer_first(capsys: pytest.CaptureFixture[str]) -> None:
    check = checker("05_probabilistic_testing", namespace={"my_wilson": _stub, "runs_needed": lambda rate: 3})
    assert check.answered("q1")
    assert not check.answered("q1", "q2")
    assert "Answer q2 first: `my_wilson` is still a placeholder" in capsys.readouterr().out
    assert not checker("03_costs", namespace={}).answered("q1")


def test_html_is_escaped_and_one_line_report_is_single_line() -> None:
    result = feedback.Result("q1", FAIL, "Not yet.", expected="<b>x</b>", got="a\nb", hint="h")
    assert "&lt;b&gt;" in result._repr_html_()
    assert "\n" not in result.one_line()
    assert feedback.Result("q1", PASS, "Correct.").one_line() == "Correct"


def test_answers_are_typed_plain_data_that_round_trips() -> None:
    values = [3, np.int64(3), 3.0, np.float64(0.5), True, np.bool_(False), "text", b"\x00\x01", None, (1, [2, {3}]), {"k": (1.5, None)}, np.arange(6.0).reshape(2, 3)]
    for value in values:
        wire = json.loads(json.dumps(answers.encode(value)))
        back = answers.decode(wire)
        if isinstance(value, np.ndarray):
            assert isinstance(back, np.ndarray) and np.array_equal(back, value)
        else:
            assert back == value and (type(back) is type(value) or isinstance(value, np.generic))
    assert isinstance(answers.decode(answers.encode(object())), answers.Opaque)
    assert answers.decode({"t": "ndarray", "dtype": "float64", "shape": [10**9], "v": []}).type_name == "malformed array"
    assert answers.decode({"t": "mystery"}).type_name == "malformed"


def test_functions_that_change_their_input_are_caught() -> None:
    def sorting_top_k(probs, k):  # noqa: ANN001, ANN202
        probs.sort()
        return np.where(probs >= probs[-k], probs, 0) / probs[-k:].sum()

    result = evaluate("02_sampling", "q2", {"my_top_k": sorting_top_k}, seed=1)
    assert result.status == FAIL and "leave its inputs" in result.expected and "changed argument 1" in result.got


def test_a_reply_that_does_not_match_the_request_is_refused() -> None:
    question = questions_for("04_artifacts")["q2"]
    request = request_for(question, np.random.default_rng(0))
    with pytest.raises(BadReply):
        parse_reply(request, {"nonce": "other", "answers": []})
    with pytest.raises(BadReply):
        parse_reply(request, {"nonce": request["nonce"], "answers": [{"name": "verdict", "state": "ok", "calls": []}]})
    forged = judge("04_artifacts", "q2", request, {"nonce": request["nonce"], "answers": "all passed"})
    assert forged.status == FAIL and "could not be read" in forged.summary


def test_fresh_inputs_change_with_the_seed_and_repeat_with_it() -> None:
    question = questions_for("04_artifacts")["q1"]
    first, again, other = (question.ask(np.random.default_rng(seed)) for seed in (5, 5, 6))
    assert first == again and first != other
