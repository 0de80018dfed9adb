"""The three safety widgets, driven in-kernel: controls change the view, bad input gives plain messages."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from aiopen.domain.safety import UPLOAD_BYTES, load_probe_run, scan_artifact
from aiopen.widgets.safety import artifact_scanner, data_scanner, probe_battery


class FakeModel:
    """Leaks on every other reply of every prompt."""

    def chat_prompt(self, messages: list[dict[str, str]]) -> str:
        return messages[-1]["content"]

    def generate_batch(self, prompts: list[str], n: int = 1, max_new_tokens: int = 32, temperature: float = 1.0, *,
                       seeds: list[int | None] | None = None, should_stop=None) -> list[list[str]]:  # noqa: ANN001
        return [["TULIP-7431" if i % 2 else "No." for i in range(n)] for _ in prompts]


class SlowModel(FakeModel):
    """Decodes one token per ``step_s`` until ``should_stop`` gives a reason, as the real model does; counts its steps."""

    def __init__(self, step_s: float = 0.02) -> None:
        self.step_s, self.steps = step_s, 0

    def generate_batch(self, prompts, n=1, max_new_tokens=32, temperature=1.0, *, seeds=None, should_stop=None):  # noqa: ANN001, ANN201
        from aiopen.domain.lm import GenerationStopped

        while True:
            if reason := should_stop():
                raise GenerationStopped(reason)
            self.steps += 1
            time.sleep(self.step_s)


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


def _finished(widget, timeout: float = 30) -> None:  # noqa: ANN001
    """Wait for the upload's background scan (or the battery's live run) to end."""
    thread = (widget.scan if hasattr(widget, "scan") else widget.live).thread
    if thread is not None:
        thread.join(timeout)
        assert not thread.is_alive()


def test_artifact_scanner_uploads(tmp_path: Path) -> None:
    w = artifact_scanner(tmp_path)
    _upload(w, "mine.pkl", w.examples["evasive pickle (memoized STACK_GLOBAL)"].read_bytes())
    _finished(w)
    assert "DANGEROUS" in w.report.value and "mine.pkl" in w.report.value
    assert "Scanned your upload mine.pkl" in w.status.value and w.cancel.layout.display == "none"
    _upload(w, "../../etc/garbage.bin", b"\xff\x00 not a model")
    _finished(w)
    assert "SUSPICIOUS" in w.report.value and "garbage.bin" in w.report.value
    assert not w.canary.exists()


def test_a_rejected_upload_clears_the_previous_verdict(tmp_path: Path) -> None:
    w = artifact_scanner(tmp_path)
    assert "SAFE" in w.report.value
    _upload(w, "huge.pt", b"x", size=UPLOAD_BYTES + 1)
    assert "larger than 50 MB" in w.status.value
    assert "SAFE" not in w.report.value and "No verdict" in w.report.value and "huge.pt was not scanned" in w.report.value
    assert sum(w.figure.data[0].y) == 0 and "Verdict" not in w.caption.value


class SlowScan:
    """Stands in for scan_artifact: an upload's scan (the one with a stop check) blocks until released."""

    def __init__(self) -> None:
        self.started, self.release, self.stopped = threading.Event(), threading.Event(), None

    def __call__(self, source, *, should_stop=None):  # noqa: ANN001, ANN204
        if should_stop is None:  # an example: scanned at once, on the kernel's thread
            return scan_artifact(source)
        self.started.set()
        while not self.release.wait(0.02):
            self.stopped = should_stop()
            if self.stopped:
                break
        return scan_artifact(source, should_stop=should_stop)


@pytest.fixture()
def slow(monkeypatch: pytest.MonkeyPatch) -> SlowScan:
    slow_scan = SlowScan()
    monkeypatch.setattr("aiopen.widgets.safety.scan_artifact", slow_scan)
    return slow_scan


def test_the_kernel_answers_other_controls_while_an_upload_is_scanned(tmp_path: Path, slow: SlowScan) -> None:
    w, data = artifact_scanner(tmp_path), data_scanner()
    _upload(w, "slow.pkl", b"\x80\x04N.")
    assert slow.started.wait(10)
    assert "Scanning slow.pkl" in w.status.value and w.cancel.layout.display == "" and "No verdict" in w.report.value
    before = sum(data.figure.data[1].y)
    data.size.value = 200  # another widget's callback runs now, on the kernel's thread
    assert sum(data.figure.data[1].y) > before and w.scan.thread.is_alive()
    time.sleep(0.4)
    assert "s (it stops at 10 s)" in w.status.value  # the progress line moves
    slow.release.set()
    _finished(w)
    assert "SAFE" in w.report.value and "slow.pkl" in w.report.value


def test_cancel_stops_the_scan_and_leaves_no_verdict(tmp_path: Path, slow: SlowScan) -> None:
    w = artifact_scanner(tmp_path)
    _upload(w, "slow.pkl", b"\x80\x04N.")
    assert slow.started.wait(10)
    w.cancel.click()
    _finished(w)
    assert slow.stopped == "cancelled" and "Cancelled" in w.status.value
    assert "No verdict" in w.report.value and w.cancel.layout.display == "none"


def test_a_scan_past_its_deadline_is_reported_not_safe(tmp_path: Path, slow: SlowScan, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("aiopen.widgets.safety.SCAN_DEADLINE_S", 0.3)
    w = artifact_scanner(tmp_path)
    _upload(w, "slow.pkl", b"\x80\x04N.")
    _finished(w)
    assert slow.stopped.startswith("stopped after") and "SUSPICIOUS" in w.report.value
    assert "stopped early" in w.status.value


def test_choosing_an_example_replaces_a_running_upload_scan(tmp_path: Path, slow: SlowScan) -> None:
    w = artifact_scanner(tmp_path)
    _upload(w, "slow.pkl", b"\x80\x04N.")
    assert slow.started.wait(10)
    w.example.value = "pickle with payload"
    slow.release.set()
    _finished(w)
    assert "DANGEROUS" in w.report.value and "slow.pkl" not in w.report.value


def test_probe_battery_shows_the_cached_result_without_a_model() -> None:
    w = probe_battery()
    bars = w.figure.data[0]
    assert list(bars.x) == [*(p.name for p in load_probe_run().results), "overall"]
    assert all(0 <= y <= 1 for y in bars.y) and bars.error_y.array is not None
    assert "Cached result from" in w.summary.value and "seed 0" in w.summary.value
    assert "Rule of three" in w.summary.value


def test_probe_battery_live_run_uses_the_controls() -> None:
    w = probe_battery(model=FakeModel())
    w.n.value, w.temperature.value = 4, 1.0
    w.run_button.click()
    _finished(w)
    assert "Live run" in w.summary.value and "Sampled 24 replies" in w.status.value
    assert list(w.figure.data[0].text)[:6] == ["2/4"] * 6
    assert w.figure.data[0].y[-1] == pytest.approx(0.5)
    w.cached_button.click()
    assert "Cached result" in w.summary.value and w.n.value == 8


def test_probe_battery_reports_a_failing_model_plainly() -> None:
    class Broken(FakeModel):
        def generate_batch(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
            raise RuntimeError("out of memory")

    w = probe_battery(model=Broken())
    w.run_button.click()
    _finished(w)
    assert "Something went wrong" in w.status.value and "Cached result" in w.summary.value
    assert not w.run_button.disabled


def test_probe_battery_live_run_is_cancelled_between_tokens_and_the_kernel_stays_free() -> None:
    model = SlowModel()
    w = probe_battery(model=model)
    w.run_button.click()
    assert w.live.thread.is_alive() and w.run_button.disabled and w.cancel.layout.display == ""  # the click returned at once
    w.n.value = 3  # the kernel answers the other controls meanwhile
    time.sleep(0.2)
    w.cancel.click()
    _finished(w)
    steps = model.steps
    assert 0 < steps and "Cancelled" in w.status.value and "Cached result" in w.summary.value
    assert not w.run_button.disabled and w.cancel.layout.display == "none"
    time.sleep(0.1)
    assert model.steps == steps  # nothing runs on after the cancel


def test_probe_battery_live_run_stops_at_its_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    import aiopen.widgets.safety as view

    monkeypatch.setattr(view, "LIVE_DEADLINE_S", 0.3)
    w = probe_battery(model=SlowModel())
    w.run_button.click()
    _finished(w)
    assert "stopped after 0 s before it finished" in w.status.value and "Cached result" in w.summary.value
    assert "Something went wrong" not in w.status.value and not w.run_button.disabled


def test_probe_battery_a_stale_run_never_replaces_the_cached_view() -> None:
    """A run cancelled by "Show cached" ends without drawing: what is on screen is what was asked last."""
    model = SlowModel()
    w = probe_battery(model=model)
    w.run_button.click()
    w.cached_button.click()
    _finished(w)
    assert "Cached result" in w.summary.value
    assert "Sampled" not in w.status.value and "stopped" not in w.status.value and "wrong" not in w.status.value


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


def test_a_comm_update_cannot_widen_the_controls_ranges() -> None:
    """A browser can send max=1,000,000 with value=1,000,000 (45 s of CPU); the kernel holds the range."""
    data = data_scanner()
    data.size.set_state({"max": 1_000_000, "value": 1_000_000})
    assert (data.size.max, data.size.value) == (200, 200) and "200 synthetic records" in str(data.figure.layout.title.text)
    battery = probe_battery(model=FakeModel())
    battery.n.set_state({"max": 10**6, "value": 10**6})
    battery.temperature.set_state({"min": -100.0, "value": -100.0})
    assert (battery.n.value, battery.temperature.value) == (32, 0.0)


def test_a_report_of_thousands_of_members_stays_short(tmp_path: Path) -> None:
    import hostile_corpus

    w = artifact_scanner(tmp_path)
    _upload(w, "members.zip", hostile_corpus.DOS["20,000 zip members"][1]())
    _finished(w)
    assert "SUSPICIOUS" in w.report.value and "more" in w.report.value
    assert len(w.report.value) < 20_000
