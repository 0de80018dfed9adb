"""Grading a class: 30 submissions (five learners' worked answers to each of the six
exercises) through ``make grade-class``'s code path, two workers, default limits.

Every notebook runs in its own sandboxed kernel started by its own grading process, and
exercises 02 and 05 load the model and run it (05 samples a probe battery), so this is
the wall time a workshop runner waits for a room of 30. Three runs; every worked answer
must get full marks in each.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from aiopen.teaching.classroom import grade_class
from aiopen.teaching.exercises import solution_notebooks
from figures import Figure

LEARNERS_PER_EXERCISE = 5
WORKERS = 2
RUNS = 3


def measure() -> list[Figure]:
    runs = [_grade_a_class() for _ in range(RUNS)]
    count = runs[0][1]
    return [Figure(f"grade_class_{count}_s", [seconds for seconds, _ in runs], "s", f"{count} submissions, {WORKERS} workers")]


def _grade_a_class() -> tuple[float, int]:
    with tempfile.TemporaryDirectory(prefix="aiopen-bench-class-") as scratch:
        folder = Path(scratch) / "submissions"
        for solution in solution_notebooks():
            for learner in range(LEARNERS_PER_EXERCISE):
                target = folder / f"{solution.stem}-learner{learner + 1}" / solution.name
                target.parent.mkdir(parents=True)
                shutil.copy(solution, target)
        count = len(list(folder.rglob("*.ipynb")))
        started = time.perf_counter()
        results = grade_class(folder, Path(scratch) / "grades", workers=WORKERS)
        seconds = time.perf_counter() - started
        if any(r.status != "graded" or r.report["score"] != r.report["max_score"] for r in results):
            raise RuntimeError("a worked answer lost marks while benchmarking: the numbers would mean nothing")
    return seconds, count
