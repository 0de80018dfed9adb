"""The grader: what it reads from a notebook's syntax, how it names tampering, its report and
exit codes, and that a grading failure scores nothing. Whole classes of real notebooks
(solutions, untouched exercises, broken and hostile ones) are graded in test_teaching_classroom.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from aiopen.teaching import grade, sandbox
from aiopen.teaching.exercises import EXERCISES_DIR, SOLUTIONS_DIR
from aiopen.teaching.feedback import FAIL, PASS, Result


def _notebook(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def test_check_calls_come_from_the_syntax_tree_not_the_text() -> None:
    notebook = _notebook(
        'from aiopen.teaching.feedback import checker\ncheck = checker("04_artifacts")\n# check("q1") in a comment\nnote = \'check("q2")\'',
        "def pickle_imports(data):\n    return set()",
        'check("q1")',
        '%time check("q2")',
        "x = 1",
    )
    found = grade.plan(notebook, "04_artifacts")
    assert found.checks_after == {2: ["q1"], 3: ["q2"], 4: ["q3", "q4"]}
    assert found.tampering == []


def test_the_exercise_is_read_from_the_checker_call(tmp_path: Path) -> None:
    path = tmp_path / "x.ipynb"
    nbformat.write(_notebook('# checker("01_openness")', 'from aiopen.teaching.feedback import checker\ncheck = checker("04_artifacts")'), path)
    assert grade.load(path)[1] == "04_artifacts"
    nbformat.write(_notebook('check = checker("99_nothing")'), path)
    with pytest.raises(grade.NotGradable, match="No checks"):
        grade.load(path)


@pytest.mark.parametrize(
    ("source", "finding"),
    [
        ("import aiopen.teaching.feedback as fb\nfb.judge = None", "imports the grading code (aiopen.teaching.feedback)"),
        ("from aiopen.teaching.checks import artifacts", "imports the grading code (aiopen.teaching.checks)"),
        ("from aiopen.teaching import answers", "imports the grading code (aiopen.teaching.answers)"),
        ("__import__('aiopen.teaching.grade')", "names the grading code in a string"),
        ("get_ipython().events.register('post_run_cell', print)", "hooks into IPython (.events)"),
        ("get_ipython().input_transformers_post.append(str)", "hooks into IPython (.input_transformers_post)"),
        ("ip = get_ipython()\nip.run_cell = print", "hooks into IPython (.run_cell)"),
        ("import os\nos.kill(os.getppid(), 9)", "reaches outside its kernel (os.kill)"),
        ("open(f'/proc/{1}/fd/1', 'w')", "reaches outside its kernel (/proc/"),
        ("def check(question):\n    pass", "redefines check()"),
        ("check = print", "redefines check"),
    ],
)
def test_tampering_is_found_and_named(source: str, finding: str) -> None:
    assert any(f.startswith(finding) for f in grade.tampering_in(grade.syntax_tree(source))), grade.tampering_in(grade.syntax_tree(source))


def test_ordinary_exercise_code_is_not_tampering() -> None:
    for path in sorted(SOLUTIONS_DIR.glob("0*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        assert grade.plan(notebook, path.stem).tampering == [], path.name


def test_report_lines_for_tampering_and_for_an_interrupted_grading() -> None:
    results = {"q1": Result("q1", PASS, "Correct."), "q2": Result("q2", FAIL, "Not yet.", "a", "b", "c")}
    clean = grade.Grade("04_artifacts", results)
    assert clean.lines() == ["q1  pass", "q2  fail: Not yet; expected: a; got: b; hint: c", "score: 1/2"]
    tampered = grade.Grade("04_artifacts", results, tampering=["cell 2: redefines check()"])
    assert tampered.score == 0 and "no credit" in "\n".join(tampered.lines())
    stopped = grade.interrupted("04_artifacts", "the worker died")
    assert stopped.score is None and stopped.lines()[-1].startswith("score: -/4 (grading was interrupted")


def test_a_kernel_that_cannot_start_interrupts_grading_and_scores_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox.Sandbox, "wrap", lambda self, command: [sys.executable, "-c", "raise SystemExit(1)"])
    result = grade.grade(EXERCISES_DIR / "04_artifacts.ipynb")
    assert result.status == grade.INTERRUPTED and result.score is None
    assert "grading was interrupted" in result.notes[0]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aiopen.teaching.grade", *args], capture_output=True, text=True, timeout=300)


def test_cli_cannot_grade_what_is_not_an_exercise(tmp_path: Path) -> None:
    missing = _cli(str(tmp_path / "nope.ipynb"))
    assert missing.returncode == 2 and "No notebook" in missing.stderr
    (tmp_path / "text.ipynb").write_text("not json")
    assert _cli(str(tmp_path / "text.ipynb")).returncode == 2
    nbformat.write(_notebook("print(1)"), tmp_path / "plain.ipynb")
    other = _cli(str(tmp_path / "plain.ipynb"))
    assert other.returncode == 2 and "checker" in other.stderr


@pytest.mark.notebook
def test_cli_prints_one_line_per_question_and_the_score() -> None:
    run = _cli(str(EXERCISES_DIR / "04_artifacts.ipynb"))
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["q1", "q2", "q3", "q4"]
    assert lines[-1] == "score: 0/4"
    assert "Traceback" not in run.stdout
