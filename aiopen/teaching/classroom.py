"""Grade a whole class at once: ``make grade-class DIR=submissions/``.

    python -m aiopen.teaching.classroom submissions/ [--out grades] [--workers 2] [--total-timeout 600]

Every notebook under the folder is graded by its own worker process (forked from a server
that has imported the grader once), at most ``--workers`` at a time, each with its own
sandboxed kernel, time limits and memory limit: one broken or hostile notebook cannot
affect another, and a worker that dies leaves its submission marked "interrupted" (scored
nothing) while the rest go on. Writes to ``--out``:

* ``gradebook.csv``: UTF-8, a header row, one row per submission: ``learner``, ``exercise``,
  ``file``, ``status``, ``score``, ``max_score``, ``percent``, one column per question
  (1 passed, 0 not, empty when the exercise has no such question), ``tampering``, ``notes``,
  ``seconds`` and ``graded_at``. It opens in any spreadsheet and maps onto an LMS grade import
  (learner id and a score column).
* ``feedback/<learner>.md``: a short feedback file per learner, every submission of theirs.
* ``summary.txt``: per exercise and question, how many passed and the most common mistake;
  also printed.
* ``reports.json``: every submission's full report (what ``python -m aiopen.teaching.grade --json``
  prints), for scripts.

The learner id is the name of the submission's first folder under ``DIR`` (nbgrader's
``submitted/<learner>/<assignment>/`` layout works as it is), or the file's name without
``.ipynb`` for a notebook directly in ``DIR``.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import re
import resource
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from datetime import datetime, timezone
from pathlib import Path

from aiopen.teaching.grade import CELL_TIMEOUT_S, TOTAL_TIMEOUT_S
from aiopen.teaching.sandbox import Limits

_WORKERS = multiprocessing.get_context("forkserver")  # a fresh process per notebook, without re-importing the grader
_WORKERS.set_forkserver_preload(["aiopen.teaching.grade"])

WORKER_MEMORY_BYTES = 6 * 2**30  # the grading process itself (the kernel has its own limit)
WORKER_MARGIN_S = 120  # on top of the notebook's own time limit: kernel start-up, judging
GRADEBOOK_FIXED = ["learner", "exercise", "file", "status", "score", "max_score", "percent"]
GRADEBOOK_TAIL = ["tampering", "notes", "seconds", "graded_at"]


@dataclass
class Submission:
    learner: str
    path: Path
    relative: str
    report: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.report.get("status", "interrupted")


def find_submissions(folder: Path) -> list[Submission]:
    """Every notebook under ``folder`` (checkpoints excluded), with its learner id."""
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        relative = path.relative_to(folder)
        if ".ipynb_checkpoints" in relative.parts or any(part.startswith(".") for part in relative.parts):
            continue
        learner = relative.parts[0] if len(relative.parts) > 1 else path.stem
        found.append(Submission(learner, path, relative.as_posix()))
    return found


def _grade_in_worker(path: str, cell_timeout_s: int, total_timeout_s: int, memory_gb: float, scratch: str, answer: Connection) -> None:
    """A worker process's whole life: limit itself, grade one notebook, send the report."""
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))
    os.environ["TMPDIR"] = scratch
    tempfile.tempdir = None  # the kernel's folder goes under this worker's scratch folder
    from aiopen.teaching.grade import NotGradable, grade

    try:
        report = grade(Path(path), cell_timeout_s, total_timeout_s, Limits(memory_bytes=int(memory_gb * 2**30))).to_json()
    except NotGradable as error:
        report = {"status": "not gradable", "reason": str(error), "questions": {}, "tampering": [], "notes": [], "score": None}
    answer.send(json.dumps(report))


def grade_one(submission: Submission, cell_timeout_s: int, total_timeout_s: int, memory_gb: float, scratch: Path) -> Submission:
    """Grade one notebook in its own worker process (forked from a server that has the grader
    imported already); never raises. A worker that dies or overruns leaves the submission "interrupted"."""
    reports, answer = _WORKERS.Pipe(duplex=False)
    worker = _WORKERS.Process(target=_grade_in_worker, args=(str(submission.path), cell_timeout_s, total_timeout_s, memory_gb, str(scratch), answer), daemon=True)
    started = time.monotonic()
    worker.start()
    answer.close()
    limit = total_timeout_s + WORKER_MARGIN_S
    try:
        if not reports.poll(limit):
            raise TimeoutError
        report = json.loads(reports.recv())
    except TimeoutError:
        report = _interrupted(f"the grader's worker took longer than {limit} s")
    except (EOFError, OSError, ValueError):
        worker.join(5)
        report = _interrupted(f"the grader's worker stopped (exit code {worker.exitcode})")
    finally:
        reports.close()
        if worker.is_alive():
            worker.kill()  # its kernel dies with it (parent-death signal)
        worker.join()
    report.setdefault("seconds", round(time.monotonic() - started, 2))
    submission.report = report
    return submission


def _interrupted(reason: str) -> dict:
    return {"status": "interrupted", "notes": [f"grading was interrupted: {reason}"], "questions": {}, "tampering": [], "score": None}


def grade_class(folder: Path, out: Path, workers: int = 2, cell_timeout_s: int = CELL_TIMEOUT_S, total_timeout_s: int = TOTAL_TIMEOUT_S, memory_gb: float = Limits.memory_bytes / 2**30) -> list[Submission]:
    """Grade every notebook under ``folder`` with at most ``workers`` at a time; write the gradebook, feedback and summary to ``out``."""
    submissions = find_submissions(folder)
    graded_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(prefix="aiopen-class-") as scratch, ThreadPoolExecutor(max_workers=max(1, workers)) as pool:

        def one(numbered: tuple[int, Submission]) -> Submission:
            folder_ = Path(scratch) / str(numbered[0])
            folder_.mkdir()
            return grade_one(numbered[1], cell_timeout_s, total_timeout_s, memory_gb, folder_)

        results = list(pool.map(one, enumerate(submissions)))
    out.mkdir(parents=True, exist_ok=True)
    write_gradebook(results, out / "gradebook.csv", graded_at)
    write_feedback(results, out / "feedback")
    (out / "summary.txt").write_text(summary(results) + "\n", encoding="utf-8")
    reports = [{"learner": s.learner, "file": s.relative, **s.report} for s in results]
    (out / "reports.json").write_text(json.dumps(reports, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return results


def _question_names(submissions: list[Submission]) -> list[str]:
    names = {q for s in submissions for q in s.report.get("questions", {})}
    return sorted(names, key=lambda q: (len(q), q))


def write_gradebook(submissions: list[Submission], path: Path, graded_at: str) -> None:
    questions = _question_names(submissions)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(GRADEBOOK_FIXED + questions + GRADEBOOK_TAIL)
        for s in sorted(submissions, key=lambda s: (s.learner, s.report.get("exercise", ""), s.relative)):
            report = s.report
            score, maximum = report.get("score"), report.get("max_score")
            marks = {q: str(int(v["passed"])) if report.get("status") == "graded" else "" for q, v in report.get("questions", {}).items()}
            percent = f"{100 * score / maximum:.0f}" if score is not None and maximum else ""
            writer.writerow(
                [s.learner, report.get("exercise", ""), s.relative, report.get("status", "interrupted"), "" if score is None else score, maximum or "", percent]
                + [marks.get(q, "") for q in questions]
                + ["; ".join(report.get("tampering", [])), "; ".join(report.get("notes", [])) or report.get("reason", ""), report.get("seconds", ""), graded_at]
            )


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "learner"


def write_feedback(submissions: list[Submission], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    by_learner: dict[str, list[Submission]] = {}
    for s in submissions:
        by_learner.setdefault(s.learner, []).append(s)
    for learner, theirs in by_learner.items():
        lines = [f"# Feedback for {learner}", ""]
        for s in theirs:
            report = s.report
            score = report.get("score")
            title = report.get("exercise") or s.relative
            lines.append(f"## {title} ({s.relative}): " + (f"{score}/{report.get('max_score')}" if score is not None else report.get("status", "interrupted")))
            lines.append("")
            if report.get("reason"):
                lines.append(f"Not graded: {report['reason']}")
            for note in report.get("notes", []):
                lines.append(f"- Note: {note}")
            for finding in report.get("tampering", []):
                lines.append(f"- Tampering: {finding} (no credit)")
            for question, verdict in report.get("questions", {}).items():
                lines.append(f"- {question}: " + ("passed" if verdict["passed"] else verdict["message"]))
            lines.append("")
        (folder / f"{_safe(learner)}.md").write_text("\n".join(lines), encoding="utf-8")


def _mistake(verdict: dict) -> str:
    """A failed question's message without what varies between learners (the inputs, the values)."""
    return verdict.get("hint") or verdict.get("summary") or verdict["message"]


def summary(submissions: list[Submission]) -> str:
    """Per exercise and question: how many passed, and the most common mistake."""
    lines = []
    graded = [s for s in submissions if s.status == "graded"]
    others = Counter(s.status for s in submissions if s.status != "graded")
    lines.append(f"{len(submissions)} submissions: {len(graded)} graded" + "".join(f", {n} {status}" for status, n in sorted(others.items())))
    tampering = [s for s in submissions if s.report.get("tampering")]
    if tampering:
        lines.append(f"tampering (no credit): {', '.join(sorted(f'{s.learner} ({s.relative})' for s in tampering))}")
    for exercise in sorted({s.report.get("exercise", "") for s in graded}):
        theirs = [s for s in graded if s.report.get("exercise") == exercise]
        lines.append(f"\n{exercise} ({len(theirs)} graded)")
        for question in _question_names(theirs):
            verdicts = [s.report["questions"][question] for s in theirs if question in s.report.get("questions", {})]
            passed = sum(v["passed"] for v in verdicts)
            mistakes = Counter(_mistake(v) for v in verdicts if not v["passed"])
            common = f"  most common: {mistakes.most_common(1)[0][0]} ({mistakes.most_common(1)[0][1]})" if mistakes else ""
            lines.append(f"  {question}: {passed}/{len(verdicts)} passed{common}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiopen.teaching.classroom", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the folder of submitted notebooks (searched recursively)")
    parser.add_argument("--out", type=Path, default=Path("grades"), help="where to write the gradebook, feedback and summary (default %(default)s)")
    parser.add_argument("--workers", type=int, default=max(1, min(4, os.cpu_count() or 1)), help="notebooks graded at once (default %(default)s)")
    parser.add_argument("--cell-timeout", type=int, default=CELL_TIMEOUT_S, help="seconds per cell (default %(default)s)")
    parser.add_argument("--total-timeout", type=int, default=TOTAL_TIMEOUT_S, help="seconds per notebook (default %(default)s)")
    parser.add_argument("--memory-gb", type=float, default=Limits.memory_bytes / 2**30, help="memory per kernel (default %(default)s)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"cannot grade: {args.folder} is not a folder", file=sys.stderr)
        return 2
    started = time.monotonic()
    results = grade_class(args.folder, args.out, args.workers, args.cell_timeout, args.total_timeout, args.memory_gb)
    print(summary(results))
    print(f"\ngradebook: {args.out / 'gradebook.csv'}; feedback: {args.out / 'feedback'}/; {time.monotonic() - started:.0f} s with {args.workers} workers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
