"""Write the learners' copies in ``exercises/`` from the instructor masters in ``solutions/``.

In a solution notebook, the lines between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` (``<!-- BEGIN SOLUTION -->`` / ``<!-- END SOLUTION -->`` in
markdown) are the answer. The generated copy replaces them with a stub:

* a single ``name = value`` line becomes ``name = ...  # YOUR CODE HERE``;
* anything else (a function's body) becomes ``raise NotImplementedError("Write your answer here")``;
* in markdown, ``*Write your answer here.*``.

A region at the top level of a cell must be a single assignment: its stub then leaves the
name as ``...`` and "Run All" carries on to the end (a raised stub would stop it there).

``# HINT: ...`` lines inside a region are kept, so hints are written once, next
to the answer. Outputs, execution counts, nbval markers and editor metadata are
removed; the output is byte-identical on every run.

    python -m aiopen.teaching.exercises            # write exercises/
    python -m aiopen.teaching.exercises --check    # exit 1 and list the drift, if any
    python -m aiopen.teaching.exercises --run-solutions   # re-execute solutions/ in place first
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import nbformat

from aiopen.paths import EXERCISES_DIR, REPO_DIR, SOLUTIONS_DIR


BEGIN = re.compile(r"^\s*(###|<!--)\s*BEGIN SOLUTION\b")
END = re.compile(r"^\s*(###|<!--)\s*END SOLUTION\b")
HINT = re.compile(r"^\s*# HINT:")
ASSIGNMENT = re.compile(r"^(\s*)([A-Za-z_]\w*)\s*=(?!=)")
NBVAL_MARKER = re.compile(r"^\s*# NBVAL_[A-Z_]+\s*$")
CODE_STUB = 'raise NotImplementedError("Write your answer here")'
MARKDOWN_STUB = "*Write your answer here.*"
KEPT_NOTEBOOK_METADATA = ("kernelspec", "language_info")


def solution_notebooks(solutions_dir: Path = SOLUTIONS_DIR) -> list[Path]:
    """The instructor masters, e.g. ``solutions/02_sampling.ipynb``, in agenda order."""
    return sorted(solutions_dir.glob("[0-9][0-9]_*.ipynb"))


def strip_solution(source: str, cell_type: str) -> str:
    """``source`` with every solution region replaced by a stub (hints kept)."""
    lines = source.split("\n")
    result: list[str] = []
    region: list[str] | None = None
    for line in lines:
        if region is None:
            if BEGIN.match(line):
                region = []
            else:
                result.append(line)
        elif END.match(line):
            result += _stub(region, cell_type)
            region = None
        else:
            region.append(line)
    if region is not None:
        raise ValueError(f"A '### BEGIN SOLUTION' has no matching END in:\n{source}")
    if cell_type == "code":
        result = [line for line in result if not NBVAL_MARKER.match(line)]
    return "\n".join(result)


def _stub(region: list[str], cell_type: str) -> list[str]:
    hints = [line for line in region if HINT.match(line)]
    answer = [line for line in region if line.strip() and not HINT.match(line)]
    if cell_type == "markdown":
        return hints + [MARKDOWN_STUB]
    indent = re.match(r"\s*", answer[0]).group(0) if answer else ""
    single = ASSIGNMENT.match(answer[0]) if len(answer) == 1 else None
    if not single and not indent:
        raise ValueError("A top-level solution region must be one `name = value` line (its stub keeps Run All going):\n" + "\n".join(region))
    stub = f"{single.group(1)}{single.group(2)} = ...  # YOUR CODE HERE" if single else f"{indent}{CODE_STUB}"
    return hints + [stub]


def exercise_from(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The learner's copy of one solution notebook."""
    exercise = nbformat.v4.new_notebook()
    exercise.metadata = {key: solution.metadata[key] for key in KEPT_NOTEBOOK_METADATA if key in solution.metadata}
    if "language_info" in exercise.metadata:
        exercise.metadata["language_info"] = {"name": exercise.metadata["language_info"]["name"]}
    for cell in solution.cells:
        source = strip_solution(cell.source, cell.cell_type)
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(source)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(source)
        else:
            new = nbformat.v4.new_raw_cell(source)
        new.id = cell.id
        exercise.cells.append(new)
    return exercise


def render(solution_path: Path) -> str:
    """The exact text of the exercise file generated from ``solution_path``."""
    exercise = exercise_from(nbformat.read(solution_path, as_version=4))
    nbformat.validate(exercise)
    return nbformat.writes(exercise) + "\n"


def drift(solutions_dir: Path = SOLUTIONS_DIR, exercises_dir: Path = EXERCISES_DIR) -> list[str]:
    """What differs between ``exercises_dir`` and what the generator would write."""
    problems = []
    expected = {path.name: path for path in solution_notebooks(solutions_dir)}
    for name, solution in expected.items():
        target = exercises_dir / name
        if not target.exists():
            problems.append(f"{target} is missing")
        elif target.read_text(encoding="utf-8") != render(solution):
            problems.append(f"{target} differs from what {solution} generates")
    for extra in sorted(exercises_dir.glob("*.ipynb")):
        if extra.name not in expected:
            problems.append(f"{extra} has no master in {solutions_dir}")
    return problems


def generate(solutions_dir: Path = SOLUTIONS_DIR, exercises_dir: Path = EXERCISES_DIR) -> list[Path]:
    """Write every exercise notebook; return the paths written."""
    exercises_dir.mkdir(exist_ok=True)
    written = []
    for solution in solution_notebooks(solutions_dir):
        target = exercises_dir / solution.name
        target.write_text(render(solution), encoding="utf-8")
        written.append(target)
    return written


def run_solutions(solutions_dir: Path = SOLUTIONS_DIR, timeout_s: int = 600) -> None:
    """Re-execute every solution in place so its stored outputs (what nbval compares) are fresh."""
    from nbclient import NotebookClient

    for path in solution_notebooks(solutions_dir):
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, timeout=timeout_s, record_timing=False, resources={"metadata": {"path": str(path.parent)}})
        client.execute(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # kernel logs are not outputs
        nbformat.write(notebook, path)
        print(f"ran {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiopen.teaching.exercises", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report drift instead of writing; exit 1 if any")
    parser.add_argument("--run-solutions", action="store_true", help="re-execute solutions/ in place, then write exercises/")
    args = parser.parse_args(argv)
    if args.check:
        problems = drift()
        for problem in problems:
            print(f"drift: {problem}")
        if problems:
            print("Run `python -m aiopen.teaching.exercises` and commit exercises/.")
            return 1
        print(f"exercises/ is up to date with solutions/ ({len(solution_notebooks())} notebooks).")
        return 0
    if args.run_solutions:
        run_solutions()
    for path in generate():
        print(f"wrote {path.relative_to(REPO_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
