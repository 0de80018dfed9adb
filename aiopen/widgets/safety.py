"""Inspection for safety, live: scan model artifacts, red-team the model with statistics, scan data.

* :class:`ArtifactScanner` (:func:`artifact_scanner`) - what a model file would do when loaded, without loading it.
* :class:`ProbeBattery` (:func:`probe_battery`) - leak rates per attack with Wilson intervals, cached or live.
* :class:`DataScanner` (:func:`data_scanner`) - planted vs found personal data and secrets in synthetic records.

Verdicts, intervals and counts come from :mod:`aiopen.domain.safety`; these views lay them out.
"""

from __future__ import annotations

import html
import itertools
import logging
import random
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import ipywidgets as widgets
import plotly.graph_objects as go
from traitlets import Instance, observe

from aiopen.domain.safety import (
    CANARY_NAME,
    KINDS,
    SCAN_DEADLINE_S,
    UPLOAD_BYTES,
    UPLOAD_MB,
    PlantedScan,
    ProbeRun,
    ScanClock,
    load_probe_run,
    make_examples,
    rule_of_three,
    run_probes,
    scan_artifact,
    scan_synthetic,
)
from aiopen.domain.safety.artifacts import OPCODES_THAT_MATTER, ScanReport
from aiopen.domain.safety.probes import CACHED_RESULTS, LIVE_DEADLINE_S, LIVE_MAX_NEW_TOKENS
from aiopen.domain.wording import first, percent
from aiopen.widgets.common import GREY, LABEL, OKABE_ITO, View, caption, caption_html, enforce_bounds, figure_widget, guarded, show_message, status_line

log = logging.getLogger(__name__)

VERDICT_COLOURS = {"safe": OKABE_ITO["bluish_green"], "suspicious": OKABE_ITO["orange"], "dangerous": OKABE_ITO["vermillion"]}
TEXT_STYLE = "font-size:15px;line-height:1.35"


class SafetyView(View):
    scope = "aiopen-safety"


class BackgroundWork:
    """A view's long work (a scan, a live run) in a thread of the kernel, one piece at a time,
    so the kernel keeps answering the view's other controls meanwhile.

    ``lock`` guards the view's state: the work's thread and the kernel's own both change it.
    ``start`` shows the ``cancel`` button and runs ``work(clock)``; the clock (a
    :class:`ScanClock`) stops the work at ``deadline_s`` or once it is stale, and reports
    ``progress(elapsed_s)`` meanwhile. ``stop`` makes the running work stale: whatever it
    finds is never drawn. ``done(result, error, clock)`` draws what the work found (``error``
    is what it raised, if it did; ``clock.stopped`` says whether the clock stopped it); it
    and ``progress`` run under the lock, and only while the work is current.
    """

    def __init__(self, cancel: widgets.Button, name: str) -> None:
        self.cancel, self.name = cancel, name
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self._current = 0
        self._counter = itertools.count(1)

    def stop(self) -> None:
        """Make the running work, if any, stale (the caller holds the lock)."""
        self._current = next(self._counter)
        self.cancel.layout.display = "none"

    def start(self, work: Callable[[ScanClock], object], done: Callable[[object, Exception | None, ScanClock], None], *,
              deadline_s: float, progress: Callable[[float], None], every_s: float = 0.25) -> None:
        """Run ``work`` in a new thread (the caller holds the lock; any earlier work is made stale)."""
        self.stop()
        mine = self._current

        def report(elapsed: float) -> None:
            with self.lock:
                if self._current == mine:
                    progress(elapsed)

        clock = ScanClock(deadline_s, cancelled=lambda: self._current != mine, progress=report, every_s=every_s)

        def run() -> None:
            try:
                result, error = work(clock), None
            except Exception as raised:  # noqa: BLE001 - a thread must not die silently; done() says what happened
                result, error = None, raised
                if not clock.stopped:
                    log.exception("%s failed", self.name)
            with self.lock:
                if self._current != mine:
                    return  # cancelled, or replaced by newer work: what is on screen is newer
                self.cancel.layout.display = "none"
                done(result, error, clock)

        self.cancel.layout.display = ""
        self.thread = threading.Thread(target=run, name=f"aiopen-{self.name}", daemon=True)
        self.thread.start()


# ----------------------------------------------------------------------------- artifact scanner


def _report_html(report: ScanReport, shown_name: str, canary: Path) -> str:
    colour = VERDICT_COLOURS[report.verdict]
    rows = "".join(
        f"<li>{item}</li>" for item in first([f"<code>{html.escape(m)}.{html.escape(n)}</code>: {kind}" for (m, n), kind in report.globals.items()])
    ) or "<li>none</li>"
    findings = "".join(f"<li>{html.escape(f)}</li>" for f in first(report.findings))
    scanners = html.escape("; ".join(first([f"{k}: {v}" for k, v in report.scanner_results.items()], 6))) or "not a pickle"
    disagree = "".join(f"<li>{html.escape(d)}</li>" for d in first(report.disagreements, 6))
    naive = ", ".join(report.naive_hits) or "nothing found"
    ran = "PRESENT (something ran!)" if canary.exists() else "absent: nothing was executed"
    return (
        f'<div style="{TEXT_STYLE};max-height:390px;overflow-y:auto">'
        f'<b style="color:white;background:{colour};padding:2px 8px;border-radius:4px">{report.verdict.upper()}</b> '
        f"<b>{html.escape(shown_name)}</b> ({html.escape(report.format)}, {report.size:,} bytes)"
        f"<div><b>Imports (globals):</b><ul style='margin:2px 0'>{rows}</ul></div>"
        f"<div><b>Findings:</b><ul style='margin:2px 0'>{findings}</ul></div>"
        f"<div><b>Layers read:</b> {html.escape('; '.join(first(report.layers))) or 'none'}</div>"
        f"<div><b>picklescan</b> (used by the Hugging Face Hub): {scanners}</div>"
        + (f"<div><b>Where the kit and picklescan disagree:</b><ul style='margin:2px 0'>{disagree}</ul></div>" if disagree else "")
        + f"<div><b>Naive text search</b> for <code>os.system</code>, <code>builtins.exec</code>...: {html.escape(naive)}</div>"
        f"<div><b>Canary file</b> {CANARY_NAME}: {ran}</div></div>"
    )


class Verdict(NamedTuple):
    """What the scanner shows: a report on a file, or no verdict (``report`` None) and why."""

    report: ScanReport | None
    name: str
    message: str = ""


class ArtifactScanner(SafetyView):
    """Scan the kit's example artifacts (written to ``folder``, a temp dir by default) or an uploaded file.

    An upload is scanned in the background (:class:`BackgroundWork`), so the kernel keeps
    answering the other controls: the status line shows the time spent, a Cancel button stops
    the scan, and a deadline (``SCAN_DEADLINE_S``) stops it too (reported as a cap). A new
    example or upload makes a running scan stale: it shows nothing.

    State: ``verdict`` (:class:`Verdict`). Parts: ``example``, ``upload``, ``cancel``,
    ``report``, ``figure``, ``caption``, ``status``; ``examples`` (name -> path), ``canary``,
    ``scan`` (the background scan).
    """

    verdict = Instance(Verdict, allow_none=True, help="the report on screen, or why there is none")
    example = Instance(widgets.Dropdown)
    upload = Instance(widgets.FileUpload)
    cancel = Instance(widgets.Button)
    report = Instance(widgets.HTML)
    figure = Instance(go.FigureWidget)

    def __init__(self, folder: str | Path | None = None) -> None:
        folder = Path(folder or tempfile.mkdtemp(prefix="aiopen-artifacts-"))
        self.examples = make_examples(folder)
        self.canary = folder.joinpath(CANARY_NAME)
        figure = figure_widget(height=380, width=600, margin=dict(l=55, r=40, t=50, b=100), yaxis=dict(title="count", rangemode="tozero"),
                               xaxis=dict(tickangle=-40, tickfont=dict(size=14)))
        imports = ("GLOBAL", "STACK_GLOBAL", "INST")
        figure.add_bar(x=list(OPCODES_THAT_MATTER), marker_color=[OKABE_ITO["vermillion"] if op in imports else OKABE_ITO["blue"] for op in OPCODES_THAT_MATTER],
                       textposition="outside", hovertemplate="%{x}: %{y}<extra></extra>")
        parts = dict(
            example=widgets.Dropdown(options=list(self.examples), description="Example:", layout=widgets.Layout(width="430px"), style=LABEL),
            upload=widgets.FileUpload(description=f"Scan your file (≤ {UPLOAD_MB} MB)", multiple=False, layout=widgets.Layout(width="280px")),
            cancel=widgets.Button(description="Cancel", icon="stop", layout=widgets.Layout(width="110px", display="none")),
            report=widgets.HTML(layout=widgets.Layout(width="580px")),
            figure=figure,
            status=status_line(),
            caption=caption(),
        )
        p = parts
        super().__init__([widgets.HBox([p["example"], p["upload"], p["cancel"]]), p["status"], widgets.HBox([p["report"], figure]), p["caption"]], **parts)
        self.scan = BackgroundWork(self.cancel, "artifact-scan")
        self.watch(self._on_example, self.example)
        self.watch(self._on_upload, self.upload)
        self.cancel.on_click(guarded(self.status)(self._on_cancel))
        self.watch(self._on_example)()

    # -- from the controls to the state ---------------------------------------------------

    def _on_example(self, _change: object = None) -> None:
        with self.scan.lock:
            self.scan.stop()
            show_message(self.status, "")
            self.verdict = Verdict(scan_artifact(self.examples[self.example.value]), self.example.value)

    def _on_upload(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        name = Path(str(item.get("name", "upload"))).name or "upload"
        with self.scan.lock:
            self.scan.stop()
            if item.get("size", 0) > UPLOAD_BYTES or len(item["content"]) > UPLOAD_BYTES:
                self.verdict = Verdict(None, name, f"{name} was not scanned.")
                show_message(self.status, f"{name} is larger than {UPLOAD_MB} MB; the live scanner stops there. Try it with picklescan on the command line.", "warning")
                return
            self._scan_in_background(bytes(item["content"]), name)

    def _on_cancel(self, _button: object = None) -> None:
        with self.scan.lock:
            self.scan.stop()
            self.verdict = Verdict(None, "", "The scan was cancelled before it finished.")
            show_message(self.status, "Cancelled.")

    def _scan_in_background(self, content: bytes, name: str) -> None:
        """Start a scan of ``content`` (the caller holds the scan's lock)."""

        def done(report: ScanReport | None, error: Exception | None, clock: ScanClock) -> None:
            if error is not None:  # scan_artifact never raises; said plainly if it ever does
                show_message(self.status, f"Something went wrong ({type(error).__name__}: {error}). The other controls still work.", "error")
                self.verdict = Verdict(None, name, f"{name} could not be scanned.")
                return
            self.verdict = Verdict(report, name)
            stopped = " It stopped early, so the verdict is not safe." if report.caps else ""
            show_message(self.status, f"Scanned your upload {name} in {clock.elapsed():.1f} s; it was read, never loaded.{stopped}")

        show_message(self.status, f"Scanning {name}…")
        self.verdict = Verdict(None, name, f"{name} is being scanned.")
        self.scan.start(lambda clock: scan_artifact(content, should_stop=clock), done, deadline_s=SCAN_DEADLINE_S,
                        progress=lambda elapsed: show_message(self.status, f"Scanning {name}: {elapsed:.1f} s (it stops at {SCAN_DEADLINE_S:.0f} s)…"))

    # -- from the state to the screen -----------------------------------------------------

    @observe("verdict")
    def _draw(self, _change: object = None) -> None:
        report, name, message = self.verdict
        if report is None:  # a stale verdict (say SAFE) must never stand beside a file that was not scanned
            self.report.value = f'<div style="{TEXT_STYLE}"><b>No verdict.</b> {html.escape(message)}</div>'
            self.caption.value = caption_html(f"No file scanned: {message}")
        else:
            self.report.value = _report_html(report, name, self.canary)
            imports = ", ".join(f"{m}.{n}" for m, n in report.globals) or "nothing"
            counted = ", ".join(f"{op} {report.opcodes[op]}" for op in OPCODES_THAT_MATTER if report.opcodes.get(op)) or "none that import or call"
            self.caption.value = caption_html(f"Bar chart of pickle opcodes in {name}: {counted}. It imports {imports}. Verdict: {report.verdict}.")
        counts = [report.opcodes.get(op, 0) for op in OPCODES_THAT_MATTER] if report else [0 for _ in OPCODES_THAT_MATTER]
        note = "no opcodes at all: safetensors is data only" if report and report.format == "safetensors" else "" if report else "no file scanned"
        with self.figure.batch_update():
            self.figure.data[0].update(y=counts, text=counts)
            self.figure.update_layout(
                title=dict(text=f"Opcodes that import or call: {name}" if report else "Opcodes that import or call", font_size=16),
                # always one annotation, emptied when there is nothing to say: seen in Voila, after
                # annotations=[] the browser kept showing the old note beside the new bars
                annotations=[dict(text=note, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font_size=16)],
            )


def artifact_scanner(folder: str | Path | None = None) -> ArtifactScanner:
    """The artifact scanner (see :class:`ArtifactScanner`)."""
    return ArtifactScanner(folder)


# ----------------------------------------------------------------------------- probe battery


class Run(NamedTuple):
    """A probe run on screen, and whether it was sampled now (live) or read from the cache."""

    run: ProbeRun
    live: bool


def _run_summary(run: ProbeRun, live: bool) -> str:
    low, high = run.overall_interval
    source = "Live run" if live else f"Cached result from {run.date}"
    seed = "fresh random seed" if run.seed is None else f"seed {run.seed}"
    return (
        f'<div style="{TEXT_STYLE}"><b>{source}</b>, {seed}, model {html.escape(run.model)}, '
        f"temperature {run.temperature}, {run.n} samples per attack, {run.max_new_tokens} new tokens each.<br>"
        f"Overall {run.k_total}/{run.n_total} replies leaked = {percent(run.overall_rate)} (95 % interval {percent(low)} to {percent(high)}). "
        f"Rule of three: an attack that never leaks in {run.n} tries is only shown to leak less than about "
        f"3/{run.n} = {percent(rule_of_three(run.n))} of the time.</div>"
    )


class ProbeBattery(SafetyView):
    """Leak rates per attack with 95 % Wilson intervals: cached by default, live on "Run live".

    A live run samples the model (``aiopen.domain.lm.load_model()`` unless given; loaded on
    the first run) in the background (:class:`BackgroundWork`), so the kernel keeps
    answering: the status line shows the time spent, Cancel stops the run between two tokens,
    and a deadline (``LIVE_DEADLINE_S``) stops it too. "Show cached" or a new run makes a
    running one stale: it shows nothing.

    State: ``shown`` (:class:`Run`). Parts: ``temperature``, ``n``, ``run_button``, ``cancel``,
    ``cached_button``, ``summary``, ``figure``, ``caption``, ``status``; ``live`` (the background run).
    """

    shown = Instance(Run, allow_none=True, help="the probe run on screen")
    temperature = Instance(widgets.FloatSlider)
    n = Instance(widgets.IntSlider)
    run_button = Instance(widgets.Button)
    cancel = Instance(widgets.Button)
    cached_button = Instance(widgets.Button)
    summary = Instance(widgets.HTML)
    figure = Instance(go.FigureWidget)

    def __init__(self, model: object | None = None, cached: str | Path = CACHED_RESULTS) -> None:
        self.model = model
        self.cached = Path(cached)
        figure = figure_widget(height=380, width=1000, margin=dict(l=70, r=20, t=50, b=50),
                               yaxis=dict(title="leak rate (95 % Wilson interval)", range=[0, 1.05], tickformat=".0%"),
                               xaxis=dict(automargin=True))  # where a wider font tilts the attack names, the margin grows to hold them
        figure.add_bar(
            error_y=dict(type="data", symmetric=False, color=GREY, thickness=2, width=8),
            textposition="none",  # the counts go under each name: on a bar, a whisker crossed them
            hovertemplate="%{x}: %{text} leaked<br>first reply: %{customdata}<extra></extra>",
        )
        knob = dict(style={"description_width": "110px"}, layout=widgets.Layout(width="340px"))
        parts = dict(
            temperature=widgets.FloatSlider(value=0.7, min=0.0, max=1.5, step=0.1, description="Temperature", readout_format=".1f", **knob),
            n=widgets.IntSlider(value=8, min=1, max=32, description="N per attack", **knob),
            run_button=widgets.Button(description="Run live", button_style="danger", icon="play", layout=widgets.Layout(width="130px")),
            cancel=widgets.Button(description="Cancel", icon="stop", layout=widgets.Layout(width="110px", display="none")),
            cached_button=widgets.Button(description="Show cached", icon="history", layout=widgets.Layout(width="150px")),
            summary=widgets.HTML(),
            figure=figure,
            status=status_line(),
            caption=caption(),
        )
        p = parts
        enforce_bounds(p["temperature"], p["n"])
        super().__init__([widgets.HBox([p["temperature"], p["n"], p["run_button"], p["cancel"], p["cached_button"]]), p["status"], p["summary"], figure, p["caption"]],
                         **parts)
        self.live = BackgroundWork(self.cancel, "probe-run")
        self.run_button.on_click(guarded(self.status)(self._on_run))
        self.cancel.on_click(guarded(self.status)(self._on_cancel))
        self.cached_button.on_click(guarded(self.status)(self._on_cached))
        guarded(self.status)(self._on_cached)()

    def _stop_run(self) -> None:
        """Make any live run stale (the caller holds the run's lock)."""
        self.live.stop()
        self.run_button.disabled = False

    def _on_cached(self, _button: object = None) -> None:
        with self.live.lock:
            self._stop_run()
            if not self.cached.is_file():
                show_message(self.status, "No cached result is installed; press Run live to sample the model now.", "warning")
                return
            run = load_probe_run(self.cached)
            self.temperature.value, self.n.value = run.temperature, run.n
            self.shown = Run(run, live=False)
            show_message(self.status, "")

    def _on_cancel(self, _button: object = None) -> None:
        with self.live.lock:
            self._stop_run()
            show_message(self.status, "Cancelled: the run stopped before it finished; the chart still shows the previous run.")

    def _on_run(self, _button: object = None) -> None:
        n, temperature = self.n.value, self.temperature.value
        seed = random.SystemRandom().randrange(1_000_000)  # shown, so a surprising run can be reproduced

        def sample(clock: ScanClock) -> ProbeRun:
            if self.model is None:
                from aiopen.domain.lm import load_model

                self.model = load_model()
            return run_probes(self.model, n=n, temperature=temperature, seed=seed, max_new_tokens=LIVE_MAX_NEW_TOKENS,
                              model_name=_model_name(self.model), should_stop=clock)

        def done(result: ProbeRun | None, error: Exception | None, clock: ScanClock) -> None:
            self.run_button.disabled = False
            if clock.stopped:
                show_message(self.status, f"The live run {clock.stopped} before it finished; the chart still shows the previous run.", "error")
            elif error is not None:
                show_message(self.status, f"Something went wrong ({type(error).__name__}: {error}). The other controls still work.", "error")
            else:
                self.shown = Run(result, live=True)
                show_message(self.status, f"Sampled {result.n_total} replies in {clock.elapsed():.1f} s.")

        with self.live.lock:
            self.run_button.disabled = True
            show_message(self.status, "Loading the model (a few seconds the first time)…" if self.model is None else f"Sampling {n} replies for each attack…")
            self.live.start(sample, done, deadline_s=LIVE_DEADLINE_S, every_s=1.0,
                            progress=lambda elapsed: show_message(self.status, f"Sampling {n} replies for each attack: {elapsed:.0f} s (it stops at {LIVE_DEADLINE_S:.0f} s)…"))

    @observe("shown")
    def _draw(self, _change: object = None) -> None:
        run, live = self.shown
        above, below = run.error_bars()
        names = [r.name for r in run.results] + ["overall"]
        counts = [f"{r.k}/{r.n}" for r in run.results] + [f"{run.k_total}/{run.n_total}"]
        with self.figure.batch_update():
            self.figure.data[0].update(
                x=names,
                y=[r.rate for r in run.results] + [run.overall_rate],
                marker_color=[OKABE_ITO["vermillion"] for _ in run.results] + [OKABE_ITO["black"]],
                error_y=dict(array=above, arrayminus=below),
                text=counts,
                customdata=[html.escape(r.samples[0][:80]).replace("\n", " ") for r in run.results] + ["all attacks together"],
            )
            self.figure.update_layout(
                title=dict(text=f"How often does the model reveal {run.secret}? T = {run.temperature}, {run.n} samples per attack", font_size=16),
                xaxis=dict(tickmode="array", tickvals=names, ticktext=[f"{name}<br><b>{count}</b> leaked" for name, count in zip(names, counts)]),
            )
        self.summary.value = _run_summary(run, live)
        self.caption.value = caption_html(
            "Bar chart of leak rate per attack with 95 % intervals: "
            + "; ".join(f"{r.name} {r.k} of {r.n}" for r in run.results)
            + f"; overall {run.k_total} of {run.n_total}."
        )


def _model_name(model: object) -> str:
    from aiopen.domain.lm import LanguageModel

    if isinstance(model, LanguageModel):
        from aiopen.domain.gguf_loader import model_path

        return model_path().name
    return type(model).__name__


def probe_battery(model: object | None = None, cached: str | Path = CACHED_RESULTS) -> ProbeBattery:
    """The probe battery (see :class:`ProbeBattery`)."""
    return ProbeBattery(model, cached)


# ----------------------------------------------------------------------------- data scanner


class DataScanner(SafetyView):
    """Scan a seeded synthetic dataset for personal data and secrets: planted vs found per kind, redacted examples.

    State: ``result`` (:class:`aiopen.domain.safety.PlantedScan`). Parts: ``size``, ``seed``,
    ``figure``, ``examples``, ``caption``, ``status``.
    """

    result = Instance(PlantedScan, allow_none=True, help="what was planted and what the scanner found")
    size = Instance(widgets.IntSlider)
    seed = Instance(widgets.BoundedIntText)
    figure = Instance(go.FigureWidget)
    examples = Instance(widgets.HTML)

    def __init__(self) -> None:
        figure = figure_widget(height=380, width=600, margin=dict(l=60, r=10, t=60, b=90), barmode="group", yaxis_title="items",
                               legend=dict(orientation="h", x=1, xanchor="right", y=1.14))
        figure.add_bar(name="planted", x=list(KINDS), marker_color=GREY)
        figure.add_bar(name="found", x=list(KINDS), marker_color=OKABE_ITO["blue"], textposition="outside")
        parts = dict(
            size=widgets.IntSlider(value=120, min=50, max=200, step=10, description="Records", style={"description_width": "70px"}, layout=widgets.Layout(width="330px")),
            seed=widgets.BoundedIntText(value=0, min=0, max=9999, description="Seed", layout=widgets.Layout(width="150px", margin="0 0 0 24px"),
                                        style={"description_width": "45px"}),
            figure=figure,
            examples=widgets.HTML(layout=widgets.Layout(width="540px")),
            status=status_line(),
            caption=caption(),
        )
        p = parts
        enforce_bounds(p["size"], p["seed"])  # a comm update cannot ask for a million records
        super().__init__([widgets.HBox([p["size"], p["seed"]]), p["status"], widgets.HBox([figure, p["examples"]]), p["caption"]], **parts)
        self.watch(self._recompute, self.size, self.seed)
        self.watch(self._recompute)()

    def _recompute(self, _change: object = None) -> None:
        self.result = scan_synthetic(self.size.value, self.seed.value)

    @observe("result")
    def _draw(self, _change: object = None) -> None:
        result, scan = self.result, self.result.scan
        with self.figure.batch_update():
            self.figure.data[0].y = [result.planted[k] for k in KINDS]
            self.figure.data[1].update(y=[scan.counts[k] for k in KINDS], text=[scan.counts[k] for k in KINDS])
            self.figure.update_layout(title=dict(text=f"{result.records} synthetic records (seed {result.seed})", font_size=16, x=0.02))
        items = "".join(f"<li>{html.escape(scan.redacted[i])}</li>" for i in scan.flagged[:6])
        self.examples.value = (
            f'<div style="{TEXT_STYLE}"><b>Redacted examples</b> ({len(scan.flagged)} records flagged, {scan.clean} clean):'
            f"<ul style='margin:4px 0;padding-left:20px'>{items}</ul>"
            "Secrets: detect-secrets rules (AWS, GitHub, hex entropy). Email, phone, IP: the kit's regexes.</div>"
        )
        self.caption.value = caption_html(
            "Grouped bars, planted vs found per kind: " + ", ".join(f"{k} {result.planted[k]} planted, {scan.counts[k]} found" for k in KINDS) + "."
        )


def data_scanner() -> DataScanner:
    """The data scanner (see :class:`DataScanner`)."""
    return DataScanner()
