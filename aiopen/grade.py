"""Grade a learner's exercise notebook in a fresh kernel.

    python -m aiopen.grade exercises/02_sampling.ipynb

Runs every cell (past errors, with a time limit per cell and for the whole
notebook), grades each question right after the cell that calls
``check("qN")`` (and any question left unchecked at the end), then prints::

    q1  pass
    q2  fail: Not yet.; expected: ...; got: ...; hint: ...
    score: 1/2

Exit code 0 whenever the notebook could be run, whatever the score; 2 when it
could not be graded at all (missing file, not a notebook, not an exercise).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from aiopen.checks import questions_for
from aiopen.feedback import REPORT_PREFIX

CELL_TIMEOUT_S = 120
TOTAL_TIMEOUT_S = 600
CHECKER_CALL = re.compile(r"""checker\(\s*["'](\d\d_\w+)["']""")
CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](q\w+)["']\s*\)""")
# Errors worth a note of their own; others reach the learner through the question's message.
NOTED_ERRORS = ("CellTimeout", "SyntaxError", "IndentationError", "TabError")
_GRADING_CELL = "__import__('aiopen.feedback').feedback.report({exercise!r}, {questions!r})"


class NotGradable(Exception):
    """The file cannot be graded at all; the message says why, in plain words."""


@dataclass
class Grade:
    """Per-question verdicts, in question order, plus notes on how the run went."""

    exercise: str
    results: dict[str, tuple[bool, str]]
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(passed for passed, _ in self.results.values())

    def lines(self) -> list[str]:
        out = [f"note: {note}" for note in self.notes]
        width = max((len(q) for q in self.results), default=2)
        for question, (passed, message) in self.results.items():
            out.append(f"{question:<{width}}  pass" if passed else f"{question:<{width}}  fail: {message}")
        out.append(f"score: {self.score}/{len(self.results)}")
        return out


def load(path: Path) -> tuple[nbformat.NotebookNode, str]:
    """The notebook at ``path`` and its exercise name (from its ``checker("NN_topic")`` call)."""
    if not path.is_file():
        raise NotGradable(f"No notebook at {path}.")
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # noqa: BLE001 - any parse failure means "not a notebook"
        raise NotGradable(f"{path} is not a Jupyter notebook ({type(error).__name__}).") from None
    for cell in notebook.cells:
        match = CHECKER_CALL.search(cell.source) if cell.cell_type == "code" else None
        if match:
            try:
                questions_for(match.group(1))
            except ValueError as error:
                raise NotGradable(str(error)) from None
            return notebook, match.group(1)
    raise NotGradable(f'{path} has no `check = checker("NN_topic")` line, so it is not one of the kit\'s exercises.')


def with_grading_cells(notebook: nbformat.NotebookNode, exercise: str) -> tuple[nbformat.NotebookNode, list[int]]:
    """A copy with a grading cell after each ``check("qN")`` call and one at the end.

    Returns the copy and the indices of the learner's own cells in it.
    """
    remaining = list(questions_for(exercise))
    graded = nbformat.v4.new_notebook(metadata=notebook.metadata)
    learner_cells = []
    for cell in notebook.cells:
        learner_cells.append(len(graded.cells))
        graded.cells.append(cell)
        asked = [q for q in CHECK_CALL.findall(cell.source) if q in remaining] if cell.cell_type == "code" else []
        if asked:
            graded.cells.append(nbformat.v4.new_code_cell(_GRADING_CELL.format(exercise=exercise, questions=asked)))
            remaining = [q for q in remaining if q not in asked]
    if remaining:
        graded.cells.append(nbformat.v4.new_code_cell(_GRADING_CELL.format(exercise=exercise, questions=remaining)))
    return graded, learner_cells


def grade(path: Path, cell_timeout_s: int = CELL_TIMEOUT_S, total_timeout_s: int = TOTAL_TIMEOUT_S) -> Grade:
    """Run the notebook at ``path`` in a fresh kernel and grade every question."""
    notebook, exercise = load(path)
    graded, learner_cells = with_grading_cells(notebook, exercise)
    results: dict[str, tuple[bool, str]] = {}
    notes: list[str] = []
    errors: dict[int, str] = {}  # cell index -> exception name and message
    client = NotebookClient(
        graded,
        timeout=cell_timeout_s,
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": "CellTimeout", "evalue": "", "traceback": []},
        record_timing=False,
        kernel_name="python3",  # the kernel of the environment running the grader
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_error=lambda cell, cell_index, execute_reply: errors.update({cell_index: _error_text(execute_reply)}),
    )
    deadline = time.monotonic() + total_timeout_s
    stopped = ""
    with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):  # keep kernel logs out of the report
        for index, cell in enumerate(graded.cells):
            if time.monotonic() > deadline:
                stopped = f"the whole notebook took longer than {total_timeout_s} s"
                break
            try:
                client.execute_cell(cell, index)
            except DeadKernelError:
                stopped = f"the kernel crashed in cell {learner_cells.index(index) + 1}" if index in learner_cells else "the kernel crashed"
                break
            if index not in learner_cells:
                results.update(_parse_report(cell))
            elif index in errors and errors[index].startswith(NOTED_ERRORS):
                what = f"was stopped after {cell_timeout_s} s (an endless loop?)" if errors[index] == "CellTimeout" else f"raised {errors[index]}"
                notes.append(f"cell {learner_cells.index(index) + 1} ({_first_line(cell.source)}) {what}")
    if stopped:
        notes.append(f"grading stopped: {stopped}")
    ordered = {q: results.get(q, (False, f"not graded: {stopped or 'no result'}")) for q in questions_for(exercise)}
    return Grade(exercise, ordered, notes)


def _error_text(execute_reply: dict) -> str:
    content = execute_reply["content"]
    return f"{content.get('ename')}: {content.get('evalue')}" if content.get("evalue") else str(content.get("ename"))


def _first_line(source: str, width: int = 40) -> str:
    line = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"


def _parse_report(cell: nbformat.NotebookNode) -> dict[str, tuple[bool, str]]:
    results = {}
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            for line in output["text"].splitlines():
                if line.startswith(REPORT_PREFIX):
                    entry = json.loads(line.removeprefix(REPORT_PREFIX))
                    results[entry["question"]] = (entry["passed"], entry["message"])
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiopen.grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--cell-timeout", type=int, default=CELL_TIMEOUT_S, help="seconds per cell (default %(default)s)")
    parser.add_argument("--total-timeout", type=int, default=TOTAL_TIMEOUT_S, help="seconds for the notebook (default %(default)s)")
    args = parser.parse_args(argv)
    try:
        result = grade(args.notebook, args.cell_timeout, args.total_timeout)
    except NotGradable as error:
        print(f"cannot grade: {error}", file=sys.stderr)
        return 2
    print("\n".join(result.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
