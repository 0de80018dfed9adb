"""Grading: full marks for the solutions, a graceful zero for untouched exercises, plain
messages (never a hang or a traceback wall) for broken answers, and the exit codes."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from aiopen import grade
from aiopen.checks import questions_for
from aiopen.exercises import EXERCISES_DIR, solution_notebooks

SOLUTIONS = solution_notebooks()
USES_MODEL = {"02_sampling", "05_probabilistic_testing"}


def _marks(path: Path) -> list[pytest.MarkDecorator]:
    return [pytest.mark.notebook] + ([pytest.mark.model] if path.stem in USES_MODEL else [])


@pytest.mark.parametrize("solution", [pytest.param(p, marks=_marks(p), id=p.stem) for p in SOLUTIONS])
def test_solution_gets_full_marks(solution: Path) -> None:
    result = grade.grade(solution)
    assert result.score == len(questions_for(solution.stem)), result.lines()
    assert result.notes == []


@pytest.mark.parametrize("solution", [pytest.param(p, marks=_marks(p), id=p.stem) for p in SOLUTIONS])
def test_untouched_exercise_scores_zero_gracefully(solution: Path) -> None:
    result = grade.grade(EXERCISES_DIR / solution.name)
    assert result.score == 0
    assert all(message.startswith("Not answered yet") for _, message in result.results.values()), result.lines()
    assert result.notes == []


def _edited(tmp_path: Path, name: str, edits: dict[str, str]) -> Path:
    """A copy of a solution with the cells starting with each key replaced by its value."""
    notebook = copy.deepcopy(nbformat.read(EXERCISES_DIR.parent / "solutions" / "04_artifacts.ipynb", as_version=4))
    for start, replacement in edits.items():
        cell = next(c for c in notebook.cells if c.source.startswith(start))
        cell.source = replacement
    path = tmp_path / name
    nbformat.write(notebook, path)
    return path


@pytest.mark.notebook
def test_broken_answers_get_plain_messages_and_later_questions_are_graded(tmp_path: Path) -> None:
    path = _edited(
        tmp_path,
        "broken.ipynb",
        {
            "def pickle_imports": "def pickle_imports(data)\n    return set()",  # syntax error
            "def verdict": "def verdict(imports):\n    return 1",  # wrong type
            "def safetensors_header": "def safetensors_header(path):\n    return 1 / 0",  # exception
        },
    )
    result = grade.grade(path)
    lines = result.lines()
    assert any("SyntaxError" in note for note in result.notes), lines
    assert "not defined yet" in result.results["q1"][1]
    assert "got: 1" in result.results["q2"][1]
    assert "ZeroDivisionError" in result.results["q4"][1]
    assert lines[-1] == "score: 0/4"
    assert "Traceback" not in "\n".join(lines)


@pytest.mark.notebook
def test_endless_cell_is_stopped_and_grading_continues(tmp_path: Path) -> None:
    path = _edited(tmp_path, "loop.ipynb", {"for label in": "while True:\n    pass"})
    result = grade.grade(path, cell_timeout_s=3)
    assert any("stopped after 3 s" in note for note in result.notes), result.lines()
    assert result.score == 4


@pytest.mark.notebook
def test_kernel_crash_stops_cleanly_with_the_score_so_far(tmp_path: Path) -> None:
    path = _edited(tmp_path, "crash.ipynb", {"def safetensors_header": "import os\nos._exit(1)"})
    result = grade.grade(path)
    assert result.score == 3
    assert "kernel crashed" in result.results["q4"][1]
    assert any("grading stopped" in note for note in result.notes)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aiopen.grade", *args], capture_output=True, text=True, timeout=120)


def test_cli_cannot_grade_what_is_not_an_exercise(tmp_path: Path) -> None:
    missing = _cli(str(tmp_path / "nope.ipynb"))
    assert missing.returncode == 2 and "No notebook" in missing.stderr
    (tmp_path / "text.ipynb").write_text("not json")
    assert _cli(str(tmp_path / "text.ipynb")).returncode == 2
    plain = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    nbformat.write(plain, tmp_path / "plain.ipynb")
    other = _cli(str(tmp_path / "plain.ipynb"))
    assert other.returncode == 2 and "checker" in other.stderr


@pytest.mark.notebook
def test_cli_prints_one_line_per_question_and_the_score() -> None:
    run = _cli(str(EXERCISES_DIR / "04_artifacts.ipynb"))
    assert run.returncode == 0
    lines = run.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["q1", "q2", "q3", "q4"]
    assert lines[-1] == "score: 0/4"
