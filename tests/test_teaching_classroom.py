"""A whole class graded at once (`make grade-class`'s CLI): right, partly right, broken, endless,
crashing, not gradable and hostile notebooks, graded in parallel, one gradebook row each.

One class run (module fixture) is asserted by every test here, to keep the number of kernels
down; it takes one to two minutes on two cores.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from aiopen.teaching import classroom
from aiopen.teaching.exercises import SOLUTIONS_DIR
from class_support import ESCAPED_FILES, MARKER, make_class, processes_with

pytestmark = [pytest.mark.notebook, pytest.mark.model]
CELL_TIMEOUT_S = 40  # the endless notebook waits this long; model cells need well under it


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("class")
    folder, out = base / "submissions", base / "grades"
    expected = make_class(folder)
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "aiopen.teaching.classroom", str(folder), "--out", str(out), "--workers", "2", "--cell-timeout", str(CELL_TIMEOUT_S), "--total-timeout", "300"],
        capture_output=True, text=True, timeout=1200,
    )
    seconds = time.monotonic() - started
    assert run.returncode == 0, run.stderr[-3000:]
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    reports = {r["file"]: r for r in json.loads((out / "reports.json").read_text(encoding="utf-8"))}
    return {"expected": expected, "rows": {row["file"]: row for row in rows}, "reports": reports, "out": out, "stdout": run.stdout, "seconds": seconds}


def test_a_class_of_at_least_20_gets_one_row_per_submission(graded: dict) -> None:
    assert len(graded["expected"]) >= 20
    assert set(graded["rows"]) == set(graded["expected"])


def test_every_submission_gets_what_it_deserves(graded: dict) -> None:
    for file, expected in graded["expected"].items():
        row, report = graded["rows"][file], graded["reports"][file]
        assert row["status"] == expected.status, (file, report)
        assert row["score"] == ("" if expected.score is None else str(expected.score)), (file, report)
        assert bool(row["tampering"]) == expected.tampering, (file, report)
        assert expected.note in row["notes"], (file, row["notes"])


def test_solutions_and_untouched_exercises_run_to_the_end_without_an_error(graded: dict) -> None:
    for file, expected in graded["expected"].items():
        if file.startswith(("s", "u")) and file[1].isdigit():
            report = graded["reports"][file]
            assert report["errors"] == [] and report["notes"] == [], (file, report)
            if file.startswith("u"):
                assert all(v["status"] == "not answered" for v in report["questions"].values()), file


def test_hostile_notebooks_get_no_credit_and_leave_nothing_behind(graded: dict) -> None:
    hostile = {f: r for f, r in graded["rows"].items() if f.startswith("h-")}
    assert set(hostile) == {f for f in graded["expected"] if f.startswith("h-")} and hostile  # every hostile one the generator wrote
    assert all(r["score"] == "0" for r in hostile.values())
    assert not any(path.exists() for path in ESCAPED_FILES)
    assert processes_with(MARKER) == []


def test_the_gradebook_reads_cleanly_into_a_spreadsheet(graded: dict) -> None:
    text = (graded["out"] / "gradebook.csv").read_bytes().decode("utf-8")
    header = text.splitlines()[0].split(",")
    assert header[:7] == ["learner", "exercise", "file", "status", "score", "max_score", "percent"]
    assert header[7:13] == [f"q{i}" for i in range(1, 7)] and header[-4:] == ["tampering", "notes", "seconds", "graded_at"]
    right = graded["rows"]["s4-right/04_artifacts.ipynb"]
    assert (right["learner"], right["q1"], right["q4"], right["q5"], right["percent"]) == ("s4-right", "1", "1", "", "100")
    assert float(right["seconds"]) > 0


def test_each_learner_gets_a_short_feedback_file(graded: dict) -> None:
    feedback = graded["out"] / "feedback"
    learners = {row["learner"] for row in graded["rows"].values()}
    assert {p.stem for p in feedback.glob("*.md")} == learners
    partly = (feedback / "p1-partly.md").read_text(encoding="utf-8")
    assert "3/6" in partly and "one user's share" in partly and "most expensive" in partly
    assert "Tampering" in (feedback / "h-hook-prints.md").read_text(encoding="utf-8")


def test_the_summary_shows_where_the_room_is_stuck(graded: dict) -> None:
    summary = graded["stdout"]
    assert "2 not gradable" in summary and "tampering (no credit)" in summary
    assert "03_costs (3 graded)" in summary
    assert "q4: 1/3 passed  most common: That is one user's share" in summary
    assert (graded["out"] / "summary.txt").read_text(encoding="utf-8").strip() in summary


def test_a_worker_that_dies_marks_its_submission_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = nbformat.read(SOLUTIONS_DIR / "04_artifacts.ipynb", as_version=4)
    notebook.cells.insert(2, nbformat.v4.new_code_cell(
        f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '{MARKER}-orphan'])\nwhile True:\n    pass"
    ))
    path = tmp_path / "stuck.ipynb"
    nbformat.write(notebook, path)
    monkeypatch.setattr(classroom, "WORKER_MARGIN_S", 0)
    submission = classroom.grade_one(classroom.Submission("stuck", path, "stuck.ipynb"), cell_timeout_s=60, total_timeout_s=12, memory_gb=4, scratch=tmp_path)
    assert submission.status == "interrupted" and submission.report["score"] is None
    assert "grading was interrupted" in submission.report["notes"][0]
    time.sleep(1)
    assert processes_with(f"{MARKER}-orphan") == []


def test_make_grade_class_needs_a_folder() -> None:
    run = subprocess.run(["make", "-s", "grade-class"], cwd=SOLUTIONS_DIR.parent, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "DIR=" in run.stdout
