"""The README's benchmark table is generated: it lists the figures and goals of benchmarks/goals.py, in order.

Only the goal list is checked (the measured numbers depend on the machine and the day);
``make bench`` then ``make bench-readme`` rewrite the table.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REPORT = REPO / "benchmarks" / "report.py"


def check(readme: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPORT), "--check-readme", "--file", str(readme)], capture_output=True, text=True)


def test_readme_table_lists_the_goals():
    result = check(REPO / "README.md")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_goal_edited_by_hand_is_caught(tmp_path):
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "| `probe_battery_s` | <= 8 |" in text
    edited = tmp_path / "README.md"
    edited.write_text(text.replace("| `probe_battery_s` | <= 8 |", "| `probe_battery_s` | <= 10 |"), encoding="utf-8")
    result = check(edited)
    assert result.returncode == 1 and "probe_battery_s" in result.stdout
