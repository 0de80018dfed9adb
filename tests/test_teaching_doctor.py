"""`python -m aiopen.teaching.doctor`: one line per check, a fix for each problem, the right exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from aiopen.teaching import doctor


def test_runs_and_ends_with_a_summary() -> None:
    run = subprocess.run([sys.executable, "-m", "aiopen.teaching.doctor"], capture_output=True, text=True, timeout=60)
    lines = run.stdout.strip().splitlines()
    assert lines[-1].startswith(("READY", "NOT READY"))
    assert any(line.startswith("ok    numpy ") for line in lines)
    assert run.returncode == (1 if lines[-1].startswith("NOT READY") else 0)


def test_missing_package_is_a_failure_with_a_fix() -> None:
    finding = doctor.check_package("surely-not-installed-aiopen-package")
    assert finding.status == doctor.FAIL
    assert "pip install" in finding.fix


def test_failures_decide_the_exit_code(monkeypatch, capsys) -> None:
    monkeypatch.setattr(doctor, "diagnose", lambda: [doctor.Finding(doctor.OK, "numpy 2"), doctor.Finding(doctor.FAIL, "voila is not installed", "pip")])
    assert doctor.main() == 1
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("NOT READY")
    monkeypatch.setattr(doctor, "diagnose", lambda: [doctor.Finding(doctor.WARN, "no browser", "apt-get install chromium")])
    assert doctor.main() == 0


def test_optional_items_only_warn(tmp_path: Path) -> None:
    missing = doctor.check_browser({"AIOPEN_CHROMIUM": str(tmp_path / "no-such-browser")})
    assert missing.status == doctor.WARN and "AIOPEN_CHROMIUM" in missing.fix
    assert doctor.check_rise_enabled([str(tmp_path)]).status == doctor.WARN


def test_rise_is_found_in_a_notebook_d_config(tmp_path: Path) -> None:
    config = tmp_path / "nbconfig" / "notebook.d" / "rise.json"
    config.parent.mkdir(parents=True)
    config.write_text(json.dumps({"load_extensions": {"rise/main": True}}))
    assert doctor.check_rise_enabled([str(tmp_path)]).status == doctor.OK
