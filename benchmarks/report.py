"""The last run's figures against their goals: one table, printed or written into the README.

    python benchmarks/report.py                 # the goal table; exit 1 if a goal is missed or not measured
    python benchmarks/report.py --readme        # rewrite README.md between the bench markers
    python benchmarks/report.py --check-readme  # exit 1 if the README's table does not list the goals of goals.py

The figures come from ``artifacts/bench/figures.json`` (written by ``run.py``); the
goals and descriptions from ``goals.py``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from figures import Figure
from goals import BY_FIGURE, ROWS, Row

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "artifacts" / "bench" / "figures.json"
README = REPO / "README.md"
START, END = "<!-- bench-table: start (make bench-readme writes this part) -->", "<!-- bench-table: end -->"
HEADER = ("figure", "goal", "measured", "n, min, median, p95", "pass", "when (load)", "how")


def _figure(record: dict) -> Figure:
    return Figure(**{k: record[k] for k in ("name", "samples", "unit", "note", "statistic", "capped")})


def rows(run: dict) -> list[tuple[Row, dict | None]]:
    """The goal list in order with each row's measured record (None if not measured), then figures without a row."""
    figures = run.get("figures", {})
    known = [(row, figures.get(row.figure)) for row in ROWS]
    extra = [(Row(name, None, record.get("note", "")), record) for name, record in figures.items() if name not in BY_FIGURE]
    return known + extra


def cells(row: Row, record: dict | None) -> tuple[str, ...]:
    if record is None:
        return (f"`{row.figure}`", row.goal_text(), "not measured", "", "", "", row.how)
    figure = _figure(record)
    verdict = row.passes(figure.value)
    passed = "-" if verdict is None else "yes" if verdict else "**no**"
    when = f"{record['measured'].replace('T', ' ')} ({record['load']})"
    return (f"`{row.figure}`", row.goal_text(), f"{figure.shown()} {figure.unit.split(' (')[0]}", figure.spread().removeprefix("n="),
            passed, when, row.how)


def print_table(run: dict) -> bool:
    """Print figure, goal, measured value with spread and pass for every row; True if every goal is met."""
    table = [("figure", "goal", "measured", "spread", "pass")]
    ok = True
    for row, record in rows(run):
        if record is None and row.goal is None:
            continue
        name, goal, measured, spread, passed, *_ = cells(row, record)
        ok &= passed in ("yes", "-") and record is not None
        table.append((name.strip("`"), goal, measured, f"n={spread}" if spread else "", passed.strip("*") or "missing"))
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
    return ok


def readme_section(run: dict) -> str:
    machine = run.get("machine", {})
    lines = [
        START,
        f"Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, {machine.get('memory_gib', '?')} GiB, "
        f"BLAS {machine.get('blas', '?')}, Python {machine.get('python', '?')}. "
        "\"when (load)\": when the row was measured and the 1-minute load average then (the machine is shared; above 2, other work took cores).",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
        *("| " + " | ".join(cells(row, record)) + " |" for row, record in rows(run)),
        END,
    ]
    return "\n".join(lines)


def _section(text: str) -> str:
    match = re.search(re.escape(START) + ".*?" + re.escape(END), text, re.S)
    if match is None:
        raise SystemExit(f"The README has no benchmark table between {START!r} and {END!r}.")
    return match.group(0)


def readme_goals(section: str) -> list[tuple[str, str]]:
    """(figure, goal) of every row of a README benchmark table."""
    return [(cols[0].strip("` "), cols[1].strip()) for cols in (line.strip("|").split(" | ") for line in section.splitlines() if line.startswith("| `"))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--readme", action="store_true", help="rewrite the README's benchmark table from the last run")
    mode.add_argument("--check-readme", action="store_true", help="check that the README's table lists the goals of goals.py")
    parser.add_argument("--file", type=Path, default=README, help="the README to read or write")
    args = parser.parse_args(argv)
    text = args.file.read_text(encoding="utf-8")
    if args.check_readme:
        wanted = [(row.figure, row.goal_text()) for row in ROWS]
        found = [pair for pair in readme_goals(_section(text)) if pair[0] in BY_FIGURE]
        if found != wanted:
            print(f"README's benchmark table lists {found}\nbut benchmarks/goals.py has {wanted}\nRun `make bench-readme` after `make bench`.")
            return 1
        return 0
    if not RESULTS.is_file():
        print(f"No benchmark results at {RESULTS}: run `make bench` first.")
        return 1
    run = json.loads(RESULTS.read_text(encoding="utf-8"))
    if args.readme:
        args.file.write_text(text.replace(_section(text), readme_section(run)), encoding="utf-8")
        print(f"Rewrote the benchmark table in {args.file}")
        return 0
    return 0 if print_table(run) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
