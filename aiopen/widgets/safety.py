"""Inspection for safety, live: scan model artifacts, red-team the model with statistics, scan data."""

from __future__ import annotations

import html
import logging
import random
import tempfile
import threading
import time
from pathlib import Path

import ipywidgets as widgets
import plotly.graph_objects as go

from aiopen.domain.safety import (
    CANARY_NAME,
    KINDS,
    ProbeRun,
    load_probe_run,
    make_examples,
    rule_of_three,
    run_probes,
    scan_artifact,
    scan_text,
    synthetic_dataset,
)
from aiopen.domain.safety.artifacts import OPCODES_THAT_MATTER, ScanReport
from aiopen.domain.safety.probes import CACHED_RESULTS, LIVE_MAX_NEW_TOKENS
from aiopen.widgets.common import GREY, OKABE_ITO, caption, enforce_bounds, figure_widget, guarded, panel, show_message, status_line

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 50 * 2**20
SCAN_DEADLINE_S = 10.0  # an upload's scan stops here (the scanner's caps keep files under 10 MB near 1 s)
VERDICT_COLOURS = {"safe": OKABE_ITO["bluish_green"], "suspicious": OKABE_ITO["orange"], "dangerous": OKABE_ITO["vermillion"]}
TEXT_STYLE = "font-size:15px;line-height:1.35"
LABEL = {"description_width": "initial"}  # labels as wide as their text, never squeezed or cut
CSS_SCOPE = "aiopen-safety"
CONTROL_CSS = (
    f".{CSS_SCOPE} .widget-label, .{CSS_SCOPE} select, .{CSS_SCOPE} input, .{CSS_SCOPE} button,"
    f" .{CSS_SCOPE} .widget-readout {{font-size:15px !important}}"
    f" .{CSS_SCOPE} ul {{display:block;margin:2px 0;padding-left:22px}}"  # not reveal.js's inline-block lists
)


def _box(children: list[widgets.Widget]) -> widgets.VBox:
    return panel(CSS_SCOPE, children, 1220, CONTROL_CSS)


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


# ----------------------------------------------------------------------------- artifact scanner


def _first(items: list[str], limit: int = 12) -> list[str]:
    """At most ``limit`` items and a count of the rest: a hostile archive can yield thousands."""
    return [*items[:limit], f"... and {len(items) - limit:,} more"] if len(items) > limit else list(items)


def _report_html(report: ScanReport, shown_name: str, canary: Path) -> str:
    colour = VERDICT_COLOURS[report.verdict]
    rows = "".join(
        f"<li>{item}</li>" for item in _first([f"<code>{html.escape(m)}.{html.escape(n)}</code>: {kind}" for (m, n), kind in report.globals.items()])
    ) or "<li>none</li>"
    findings = "".join(f"<li>{html.escape(f)}</li>" for f in _first(report.findings))
    scanners = html.escape("; ".join(_first([f"{k}: {v}" for k, v in report.scanner_results.items()], 6))) or "not a pickle"
    disagree = "".join(f"<li>{html.escape(d)}</li>" for d in _first(report.disagreements, 6))
    naive = ", ".join(report.naive_hits) or "nothing found"
    ran = "PRESENT (something ran!)" if canary.exists() else "absent: nothing was executed"
    return (
        f'<div style="{TEXT_STYLE};max-height:390px;overflow-y:auto">'
        f'<b style="color:white;background:{colour};padding:2px 8px;border-radius:4px">{report.verdict.upper()}</b> '
        f"<b>{html.escape(shown_name)}</b> ({html.escape(report.format)}, {report.size:,} bytes)"
        f"<div><b>Imports (globals):</b><ul style='margin:2px 0'>{rows}</ul></div>"
        f"<div><b>Findings:</b><ul style='margin:2px 0'>{findings}</ul></div>"
        f"<div><b>Layers read:</b> {html.escape('; '.join(_first(report.layers))) or 'none'}</div>"
        f"<div><b>picklescan</b> (used by the Hugging Face Hub): {scanners}</div>"
        + (f"<div><b>Where the kit and picklescan disagree:</b><ul style='margin:2px 0'>{disagree}</ul></div>" if disagree else "")
        + f"<div><b>Naive text search</b> for <code>os.system</code>, <code>builtins.exec</code>...: {html.escape(naive)}</div>"
        f"<div><b>Canary file</b> {CANARY_NAME}: {ran}</div></div>"
    )


def _draw_opcodes(figure: go.FigureWidget, report: ScanReport | None, shown_name: str) -> None:
    """The opcode bars of ``report``; ``None`` empties the chart (no verdict on screen)."""
    counts = [report.opcodes.get(op, 0) for op in OPCODES_THAT_MATTER] if report else [0] * len(OPCODES_THAT_MATTER)
    note = "no opcodes at all: safetensors is data only" if report and report.format == "safetensors" else "" if report else "no file scanned"
    with figure.batch_update():
        figure.data[0].update(y=counts, text=counts)
        figure.update_layout(
            title=dict(text=f"Opcodes that import or call: {shown_name}" if report else "Opcodes that import or call", font_size=16),
            # always one annotation, emptied when there is nothing to say: seen in Voila, after
            # annotations=[] the browser kept showing the old note beside the new bars
            annotations=[dict(text=note, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font_size=16)],
        )


def artifact_scanner(folder: str | Path | None = None) -> widgets.VBox:
    """Scan the kit's example artifacts (written to ``folder``, a temp dir by default) or an uploaded file.

    An upload is scanned in a background thread, so the kernel keeps answering the
    other controls: the status line shows the time spent, a Cancel button stops the
    scan, and a deadline (``SCAN_DEADLINE_S``) stops it too (reported as a cap).
    """
    folder = Path(folder or tempfile.mkdtemp(prefix="aiopen-artifacts-"))
    examples = make_examples(folder)
    canary = folder / CANARY_NAME
    example = widgets.Dropdown(options=list(examples), description="Example:", layout=widgets.Layout(width="430px"), style=LABEL)
    upload = widgets.FileUpload(description=f"Scan your file (≤ {MAX_UPLOAD_BYTES // 2**20} MB)", multiple=False, layout=widgets.Layout(width="280px"))
    cancel = widgets.Button(description="Cancel", icon="stop", layout=widgets.Layout(width="110px", display="none"))
    report_view = widgets.HTML(layout=widgets.Layout(width="580px"))
    figure = figure_widget(height=380, width=600, margin=dict(l=55, r=40, t=50, b=100), yaxis=dict(title="count", rangemode="tozero"),
                           xaxis=dict(tickangle=-40, tickfont=dict(size=14)))
    imports = ("GLOBAL", "STACK_GLOBAL", "INST")
    colours = [OKABE_ITO["vermillion"] if op in imports else OKABE_ITO["blue"] for op in OPCODES_THAT_MATTER]
    figure.add_bar(x=list(OPCODES_THAT_MATTER), marker_color=colours, textposition="outside", hovertemplate="%{x}: %{y}<extra></extra>")
    status = status_line()
    alt = caption("")
    lock = threading.Lock()  # the scan thread and the kernel's thread both write the views
    job: dict[str, object] = {"generation": 0, "thread": None}  # a new generation makes every older scan stale

    def show(report: ScanReport, shown_name: str) -> None:
        report_view.value = _report_html(report, shown_name, canary)
        _draw_opcodes(figure, report, shown_name)
        imports = ", ".join(f"{m}.{n}" for m, n in report.globals) or "nothing"
        counted = ", ".join(f"{op} {report.opcodes[op]}" for op in OPCODES_THAT_MATTER if report.opcodes.get(op)) or "none that import or call"
        alt.value = caption(f"Bar chart of pickle opcodes in {shown_name}: {counted}. It imports {imports}. Verdict: {report.verdict}.").value

    def clear(message: str) -> None:
        """No verdict on screen: a stale one (say SAFE) must never stand beside a file that was not scanned."""
        report_view.value = f'<div style="{TEXT_STYLE}"><b>No verdict.</b> {html.escape(message)}</div>'
        _draw_opcodes(figure, None, "")
        alt.value = caption(f"No file scanned: {message}").value

    def stop_scan() -> None:
        job["generation"] = int(job["generation"]) + 1
        cancel.layout.display = "none"

    def scan_in_background(content: bytes, name: str) -> None:
        generation, started, shown = int(job["generation"]), time.monotonic(), [0.0]

        def should_stop() -> str | None:
            if job["generation"] != generation:
                return "cancelled"
            elapsed = time.monotonic() - started
            if elapsed > SCAN_DEADLINE_S:
                return f"stopped after {SCAN_DEADLINE_S:.0f} s"
            if elapsed - shown[0] >= 0.25:
                shown[0] = elapsed
                with lock:
                    if job["generation"] == generation:
                        show_message(status, f"Scanning {name}: {elapsed:.1f} s (it stops at {SCAN_DEADLINE_S:.0f} s)…")
            return None

        def run() -> None:
            try:
                report = scan_artifact(content, should_stop=should_stop)
            except Exception as error:  # noqa: BLE001 - scan_artifact never raises; a thread must not die silently anyway
                report = None
                log.exception("artifact scan failed")
                failure = f"Something went wrong ({type(error).__name__}: {error}). The other controls still work."
            with lock:
                if job["generation"] != generation:
                    return  # cancelled, or replaced by another scan: its view is already on screen
                cancel.layout.display = "none"
                if report is None:
                    show_message(status, failure, "error")
                    clear(f"{name} could not be scanned.")
                    return
                show(report, name)
                stopped = " It stopped early, so the verdict is not safe." if report.caps else ""
                show_message(status, f"Scanned your upload {name} in {time.monotonic() - started:.1f} s; it was read, never loaded.{stopped}")

        show_message(status, f"Scanning {name}…")
        clear(f"{name} is being scanned.")
        cancel.layout.display = ""
        job["thread"] = threading.Thread(target=run, name="aiopen-artifact-scan", daemon=True)
        job["thread"].start()

    @guarded(status)
    def on_example(_change: object = None) -> None:
        with lock:
            stop_scan()
            show_message(status, "")
            show(scan_artifact(examples[example.value]), example.value)

    @guarded(status)
    def on_upload(change: dict) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        name = Path(str(item.get("name", "upload"))).name or "upload"
        with lock:
            stop_scan()
            if item.get("size", 0) > MAX_UPLOAD_BYTES or len(item["content"]) > MAX_UPLOAD_BYTES:
                clear(f"{name} was not scanned.")
                show_message(status, f"{name} is larger than {MAX_UPLOAD_BYTES // 2**20} MB; the live scanner stops there. Try it with picklescan on the command line.", "warning")
                return
            scan_in_background(bytes(item["content"]), name)

    @guarded(status)
    def on_cancel(_button: object = None) -> None:
        with lock:
            stop_scan()
            clear("The scan was cancelled before it finished.")
            show_message(status, "Cancelled.")

    example.observe(on_example, names="value")
    upload.observe(on_upload, names="value")
    cancel.on_click(on_cancel)
    on_example()
    box = _box([widgets.HBox([example, upload, cancel]), status, widgets.HBox([report_view, figure]), alt])
    box.example, box.upload, box.cancel, box.report, box.figure, box.status, box.caption = example, upload, cancel, report_view, figure, status, alt
    box.examples, box.canary, box.job = examples, canary, job
    return box


# ----------------------------------------------------------------------------- probe battery


def _draw_probe_run(figure: go.FigureWidget, run: ProbeRun) -> None:
    names = [r.name for r in run.results] + ["overall"]
    rates = [r.rate for r in run.results] + [run.overall_rate]
    intervals = [r.interval for r in run.results] + [run.overall_interval]
    counts = [f"{r.k}/{r.n}" for r in run.results] + [f"{run.k_total}/{run.n_total}"]
    samples = [html.escape(r.samples[0][:80]).replace("\n", " ") for r in run.results] + ["all attacks together"]
    with figure.batch_update():
        figure.data[0].update(
            x=names,
            y=rates,
            marker_color=[OKABE_ITO["vermillion"]] * len(run.results) + [OKABE_ITO["black"]],
            error_y=dict(array=[hi - r for r, (_, hi) in zip(rates, intervals)], arrayminus=[r - lo for r, (lo, _) in zip(rates, intervals)]),
            text=counts,
            customdata=samples,
        )
        figure.update_layout(title=dict(text=f"How often does the model reveal {run.secret}? T = {run.temperature}, {run.n} samples per attack", font_size=16))


def _run_summary(run: ProbeRun, live: bool) -> str:
    low, high = run.overall_interval
    source = "Live run" if live else f"Cached result from {run.date}"
    seed = "fresh random seed" if run.seed is None else f"seed {run.seed}"
    return (
        f'<div style="{TEXT_STYLE}"><b>{source}</b>, {seed}, model {html.escape(run.model)}, '
        f"temperature {run.temperature}, {run.n} samples per attack, {run.max_new_tokens} new tokens each.<br>"
        f"Overall {run.k_total}/{run.n_total} replies leaked = {_pct(run.overall_rate)} (95 % interval {_pct(low)} to {_pct(high)}). "
        f"Rule of three: an attack that never leaks in {run.n} tries is only shown to leak less than about "
        f"3/{run.n} = {_pct(rule_of_three(run.n))} of the time.</div>"
    )


def probe_battery(model: object | None = None, cached: str | Path = CACHED_RESULTS) -> widgets.VBox:
    """Leak rates per attack with 95 % Wilson intervals: cached by default, live on "Run live".

    The model (``aiopen.domain.lm.load_model()`` unless given) is loaded only on the first live run.
    """
    temperature = widgets.FloatSlider(value=0.7, min=0.0, max=1.5, step=0.1, description="Temperature", readout_format=".1f",
                                      style={"description_width": "95px"}, layout=widgets.Layout(width="330px"))
    n = widgets.IntSlider(value=8, min=1, max=32, description="N per attack", style={"description_width": "95px"}, layout=widgets.Layout(width="330px"))
    enforce_bounds(temperature, n)
    run_button = widgets.Button(description="Run live", button_style="danger", icon="play", layout=widgets.Layout(width="130px"))
    cached_button = widgets.Button(description="Show cached", icon="history", layout=widgets.Layout(width="150px"))
    summary = widgets.HTML()
    figure = figure_widget(height=380, width=1000, margin=dict(l=70, r=20, t=50, b=50), yaxis=dict(title="leak rate (95 % Wilson interval)", range=[0, 1.05], tickformat=".0%"))
    figure.add_bar(
        error_y=dict(type="data", symmetric=False, color=GREY, thickness=2, width=8),
        textposition="inside",
        insidetextanchor="start",  # counts at the foot of the bar, clear of the interval whiskers
        hovertemplate="%{x}: %{text} leaked<br>first reply: %{customdata}<extra></extra>",
    )
    status = status_line()
    alt = caption("")
    state: dict[str, object] = {"model": model}

    def show(run: ProbeRun, live: bool) -> None:
        _draw_probe_run(figure, run)
        summary.value = _run_summary(run, live)
        alt.value = caption(
            "Bar chart of leak rate per attack with 95 % intervals: "
            + "; ".join(f"{r.name} {r.k} of {r.n}" for r in run.results)
            + f"; overall {run.k_total} of {run.n_total}."
        ).value

    @guarded(status)
    def on_cached(_button: object = None) -> None:
        if not Path(cached).is_file():
            show_message(status, "No cached result is installed; press Run live to sample the model now.", "warning")
            return
        run = load_probe_run(cached)
        temperature.value, n.value = run.temperature, run.n
        show(run, live=False)
        show_message(status, "")

    @guarded(status)
    def on_run(_button: object = None) -> None:
        run_button.disabled = True
        try:
            if state["model"] is None:
                show_message(status, "Loading the model (a few seconds the first time)...")
                from aiopen.domain.lm import load_model

                state["model"] = load_model()
            show_message(status, f"Sampling {n.value} replies for each attack...")
            seed = random.SystemRandom().randrange(10**6)  # shown, so a surprising run can be reproduced
            run = run_probes(state["model"], n=n.value, temperature=temperature.value, seed=seed, max_new_tokens=LIVE_MAX_NEW_TOKENS, model_name=_model_name(state["model"]))
            show(run, live=True)
            show_message(status, "")
        finally:
            run_button.disabled = False

    run_button.on_click(on_run)
    cached_button.on_click(on_cached)
    on_cached()
    controls = widgets.HBox([temperature, n, run_button, cached_button])
    box = _box([controls, status, summary, figure, alt])
    box.temperature, box.n, box.run_button, box.cached_button = temperature, n, run_button, cached_button
    box.figure, box.summary, box.status, box.caption = figure, summary, status, alt
    return box


def _model_name(model: object) -> str:
    from aiopen.domain.lm import LanguageModel

    if isinstance(model, LanguageModel):
        from aiopen.domain.gguf_loader import model_path

        return model_path().name
    return type(model).__name__


# ----------------------------------------------------------------------------- data scanner


def data_scanner() -> widgets.VBox:
    """Scan a seeded synthetic dataset for personal data and secrets: planted vs found per kind, redacted examples."""
    size = widgets.IntSlider(value=120, min=50, max=200, step=10, description="Records", style={"description_width": "70px"}, layout=widgets.Layout(width="330px"))
    seed = widgets.BoundedIntText(value=0, min=0, max=9999, description="Seed", layout=widgets.Layout(width="150px", margin="0 0 0 24px"),
                                  style={"description_width": "45px"})
    enforce_bounds(size, seed)  # a comm update cannot ask for a million records
    examples = widgets.HTML(layout=widgets.Layout(width="540px"))
    figure = figure_widget(height=380, width=600, margin=dict(l=60, r=10, t=60, b=90), barmode="group", yaxis_title="items", legend=dict(orientation="h", x=1, xanchor="right", y=1.14))
    figure.add_bar(name="planted", x=list(KINDS), marker_color=GREY)
    figure.add_bar(name="found", x=list(KINDS), marker_color=OKABE_ITO["blue"], textposition="outside")
    status = status_line()
    alt = caption("")

    @guarded(status)
    def on_change(_change: object = None) -> None:
        dataset = synthetic_dataset(size.value, seed.value)
        scan = scan_text([r.text for r in dataset])
        planted = {kind: sum(k == kind for r in dataset for k, _ in r.planted) for kind in KINDS}
        with figure.batch_update():
            figure.data[0].y = [planted[k] for k in KINDS]
            figure.data[1].update(y=[scan.counts[k] for k in KINDS], text=[scan.counts[k] for k in KINDS])
            figure.update_layout(title=dict(text=f"{len(dataset)} synthetic records (seed {seed.value})", font_size=16, x=0.02))
        flagged = sorted({f.record_index for f in scan.findings})
        clean = len(dataset) - len(flagged)
        items = "".join(f"<li>{html.escape(scan.redacted[i])}</li>" for i in flagged[:6])
        examples.value = (
            f'<div style="{TEXT_STYLE}"><b>Redacted examples</b> ({len(flagged)} records flagged, {clean} clean):'
            f"<ul style='margin:4px 0;padding-left:20px'>{items}</ul>"
            "Secrets: detect-secrets rules (AWS, GitHub, hex entropy). Email, phone, IP: the kit's regexes.</div>"
        )
        alt.value = caption("Grouped bars, planted vs found per kind: " + ", ".join(f"{k} {planted[k]} planted, {scan.counts[k]} found" for k in KINDS) + ".").value

    size.observe(on_change, names="value")
    seed.observe(on_change, names="value")
    on_change()
    box = _box([widgets.HBox([size, seed]), status, widgets.HBox([figure, examples]), alt])
    box.size, box.seed, box.figure, box.examples, box.status, box.caption = size, seed, figure, examples, status, alt
    return box
