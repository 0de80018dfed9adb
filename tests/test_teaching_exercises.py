"""One source, generated copies: exercises/ is exactly what the generator writes from solutions/,
and every solution notebook passes nbval against its stored outputs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from aiopen.teaching import exercises, grade
from aiopen.teaching.checks import questions_for

ROOT = Path(__file__).resolve().parent.parent
SANITIZE = ROOT / "solutions" / "nbval_sanitize.cfg"
SOLUTIONS = exercises.solution_notebooks()
AGENDA = ["01_openness", "02_sampling", "03_costs", "04_artifacts", "05_probabilistic_testing", "06_capstone"]


def test_the_exercises_follow_the_talks_agenda_then_the_capstone() -> None:
    assert [path.stem for path in SOLUTIONS] == AGENDA


def test_exercises_have_not_drifted_from_solutions() -> None:
    assert exercises.drift() == [], "Run `python -m aiopen.teaching.exercises` and commit exercises/."


def test_drift_check_cli_reports_a_changed_exercise(tmp_path: Path) -> None:
    (tmp_path / "solutions").mkdir()
    (tmp_path / "exercises").mkdir()
    source = SOLUTIONS[0]
    (tmp_path / "solutions" / source.name).write_bytes(source.read_bytes())
    exercises.generate(tmp_path / "solutions", tmp_path / "exercises")
    assert exercises.drift(tmp_path / "solutions", tmp_path / "exercises") == []
    target = tmp_path / "exercises" / source.name
    target.write_text(target.read_text().replace("Write your answer here", "answer"))
    (tmp_path / "exercises" / "99_stale.ipynb").write_text("{}")
    problems = exercises.drift(tmp_path / "solutions", tmp_path / "exercises")
    assert len(problems) == 2 and "differs" in problems[0] and "no master" in problems[1]


def test_generation_is_byte_identical_on_rerun(tmp_path: Path) -> None:
    first = [exercises.render(path) for path in SOLUTIONS]
    assert first == [exercises.render(path) for path in SOLUTIONS]


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_exercise_copy_is_clean(solution: Path) -> None:
    exercise = nbformat.read(exercises.EXERCISES_DIR / solution.name, as_version=4)
    text = (exercises.EXERCISES_DIR / solution.name).read_text()
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text and "NBVAL_" not in text
    for cell in exercise.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None and cell.metadata == {}
    assert set(exercise.metadata) <= {"kernelspec", "language_info"}


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_each_exercise_teaches_and_checks_every_question(solution: Path) -> None:
    notebook = nbformat.read(solution, as_version=4)
    intro = notebook.cells[0].source
    assert "You will be able to" in intro and "**Time:**" in intro
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert f'checker("{solution.stem}")' in code
    checked = [q for cell in notebook.cells if cell.cell_type == "code" for q in grade.check_calls(grade.syntax_tree(cell.source))]
    assert sorted(checked) == sorted(questions_for(solution.stem))
    assert "# HINT:" in code
    assert notebook.cells[-1].source.startswith("## Further reading")


def test_stubs_replace_answers_and_keep_hints() -> None:
    source = "def f(x):\n    ### BEGIN SOLUTION\n    # HINT: double it\n    y = 2 * x\n    return y\n    ### END SOLUTION\n"
    assert exercises.strip_solution(source, "code") == 'def f(x):\n    # HINT: double it\n    raise NotImplementedError("Write your answer here")\n'
    single = "### BEGIN SOLUTION\n# HINT: think\nanswer = 42\n### END SOLUTION\nprint(answer)"
    assert exercises.strip_solution(single, "code") == "# HINT: think\nanswer = ...  # YOUR CODE HERE\nprint(answer)"
    markdown = "Why?\n\n<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->"
    assert exercises.strip_solution(markdown, "markdown") == "Why?\n\n*Write your answer here.*"
    assert exercises.strip_solution("# NBVAL_IGNORE_OUTPUT\n# why\nprint(1)", "code") == "# why\nprint(1)"
    with pytest.raises(ValueError, match="no matching END"):
        exercises.strip_solution("### BEGIN SOLUTION\nx = 1\n", "code")
    with pytest.raises(ValueError, match="one `name = value` line"):  # its stub would stop Run All
        exercises.strip_solution("### BEGIN SOLUTION\nx = 1\ny = 2\n### END SOLUTION", "code")


def test_the_notebook_allowlist_is_the_one_the_check_uses() -> None:
    import ast

    from aiopen.teaching.checks.artifacts import CHECKPOINT_GLOBALS

    notebook = nbformat.read(exercises.EXERCISES_DIR / "04_artifacts.ipynb", as_version=4)
    cell = next(c for c in notebook.cells if c.source.startswith("CHECKPOINT_GLOBALS"))
    assert ast.literal_eval(cell.source.split("=", 1)[1]) == CHECKPOINT_GLOBALS


@pytest.mark.notebook
@pytest.mark.model
def test_solutions_pass_nbval() -> None:
    """The stored outputs of every solution are what a fresh kernel produces (sanitized, seeded)."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", str(ROOT / "solutions"), "--nbval-sanitize-with", str(SANITIZE)]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:]
