"""The three safety widgets, driven in-kernel: controls change the view, bad input gives plain messages."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from aiopen.widgets.safety import MAX_UPLOAD_BYTES, artifact_scanner, data_scanner, probe_battery


class FakeModel:
    """Leaks on every other reply; seeded like the real model's ``generate``."""

    def chat_prompt(self, messages: list[dict[str, str]]) -> str:
        return messages[-1]["content"]

    def generate(self, prompt: str, n: int = 1, max_new_tokens: int = 32, temperature: float = 1.0, seed: int | None = None) -> list[str]:
        return ["TULIP-7431" if i % 2 else "No." for i in range(n)]


def _upload(widget, name: str, content: bytes, size: int | None = None) -> None:  # noqa: ANN001
    widget.upload.value = ({"name": name, "type": "", "size": len(content) if size is None else size, "content": memoryview(content), "last_modified": datetime(2026, 11, 27, tzinfo=timezone.utc)},)


def test_artifact_scanner_changes_with_the_example(tmp_path: Path) -> None:
    w = artifact_scanner(tmp_path)
    first_report, first_bars = w.report.value, w.figure.data[0].y
    assert "SAFE" in first_report
    w.example.value = "pickle with payload"
    assert "DANGEROUS" in w.report.value and "builtins.open" in w.report.value
    assert w.report.value != first_report and w.figure.data[0].y != first_bars
    w.example.value = "safetensors"
    assert sum(w.figure.data[0].y) == 0 and "data only" in w.figure.layout.annotations[0].text
    assert "Verdict: safe" in w.caption.value
    assert not w.canary.exists() and "absent" in w.report.value


def test_artifact_scanner_uploads(tmp_path: Path) -> None:
    w = artifact_scanner(tmp_path)
    _upload(w, "mine.pkl", w.examples["evasive pickle (memoized STACK_GLOBAL)"].read_bytes())
    assert "DANGEROUS" in w.report.value and "mine.pkl" in w.report.value
    _upload(w, "../../etc/garbage.bin", b"\xff\x00 not a model")
    assert "SUSPICIOUS" in w.report.value and "garbage.bin" in w.report.value
    before = w.report.value
    _upload(w, "huge.pt", b"x", size=MAX_UPLOAD_BYTES + 1)
    assert "larger than 50 MB" in w.status.value and w.report.value == before
    assert not w.canary.exists()


def test_probe_battery_shows_the_cached_result_without_a_model() -> None:
    w = probe_battery()
    bars = w.figure.data[0]
    assert list(bars.x)[-1] == "overall" and len(bars.x) == 7
    assert all(0 <= y <= 1 for y in bars.y) and bars.error_y.array is not None
    assert "Cached result from" in w.summary.value and "seed 0" in w.summary.value
    assert "Rule of three" in w.summary.value


def test_probe_battery_live_run_uses_the_controls() -> None:
    w = probe_battery(model=FakeModel())
    w.n.value, w.temperature.value = 4, 1.0
    w.run_button.click()
    assert "Live run" in w.summary.value
    assert list(w.figure.data[0].text)[:6] == ["2/4"] * 6
    assert w.figure.data[0].y[-1] == pytest.approx(0.5)
    w.cached_button.click()
    assert "Cached result" in w.summary.value and w.n.value == 8


def test_probe_battery_reports_a_failing_model_plainly() -> None:
    class Broken(FakeModel):
        def generate(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
            raise RuntimeError("out of memory")

    w = probe_battery(model=Broken())
    w.run_button.click()
    assert "Something went wrong" in w.status.value and "Cached result" in w.summary.value
    assert not w.run_button.disabled


def test_probe_battery_without_cache_says_so(tmp_path: Path) -> None:
    w = probe_battery(model=FakeModel(), cached=tmp_path / "none.json")
    assert "No cached result" in w.status.value and w.figure.data[0].y is None


def test_data_scanner_bars_follow_the_controls() -> None:
    w = data_scanner()
    planted, found = w.figure.data
    assert list(planted.y) == list(found.y) and sum(found.y) > 0
    total = sum(found.y)
    w.size.value = 200
    assert sum(w.figure.data[1].y) > total
    assert "[EMAIL]" in w.examples.value or "[PHONE]" in w.examples.value
    assert "@example" not in w.examples.value
