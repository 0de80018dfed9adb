""""What does open mean?": live views of the published openness frameworks.

* :class:`ReleaseChecklist` (:func:`release_checklist`) - tick what a release ships; see its MOF class and OSAID verdict.
* :class:`OpennessHeatmap` (:func:`openness_heatmap`) - real models against the MOF's 17 components, sortable.
* :class:`FmtiChart` (:func:`fmti_chart`) - Stanford FMTI totals by developer, every published index.
* :class:`LifecycleComparison` (:func:`lifecycle_comparison`) - conventional software vs model lifecycle, side by side.

Every value, ordering and caption figure comes from :mod:`aiopen.domain.openness`,
:mod:`aiopen.domain.lifecycle` and their sourced tables; these views lay them out.
"""

from __future__ import annotations

import html
from typing import NamedTuple

import ipywidgets as widgets
import plotly.graph_objects as go
from traitlets import Dict, Instance, observe

from aiopen.domain import lifecycle
from aiopen.domain import openness as o
from aiopen.domain.wording import clipped, condensed
from aiopen.widgets.common import FIGURE_WIDTH, GREY, OKABE_ITO, View, caption, discrete_colorscale, figure_widget, status_line

SCOPE = "aiopen-openness"
PANEL_CSS = (
    f" .{SCOPE} td, .{SCOPE} th {{font-size:15px !important}}"
    f" .{SCOPE} .widget-checkbox {{height:24px}} .{SCOPE} h4 {{font-size:16px;margin:2px 0}}"
    f" .{SCOPE} .aiopen-panel table {{border-collapse:collapse;margin:2px 0}}"
    f" .{SCOPE} .aiopen-panel td {{padding:1px 6px 1px 0;border:none;line-height:1.25;text-align:left;vertical-align:middle}}"
)
ROW_LABEL = {"description_width": "70px"}  # one label width for every control row of these views
STATUS_STYLE = {  # code in the heatmap, colour, symbol, legend label: colour is never the only cue
    "unknown": (0, "#E3E3E3", "?", "? unknown"),
    "no": (1, OKABE_ITO["vermillion"], "✗", "✗ not released"),
    "partial": (2, OKABE_ITO["yellow"], "½", "½ partial"),
    "disputed": (3, OKABE_ITO["sky_blue"], "≠", "≠ sources disagree"),
    "yes": (4, OKABE_ITO["bluish_green"], "✓", "✓ released"),
}
VERDICT_SYMBOL = {status: symbol for status, (_, _, symbol, _) in STATUS_STYLE.items()}
MET_COLOUR, UNMET_COLOUR = OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"]
CLASS_ORDER = (3, 2, 1)  # the MOF's classes as a release climbs them


class OpennessView(View):
    scope = SCOPE
    width = 1200
    css = PANEL_CSS


def _width(width: str) -> widgets.Layout:
    return widgets.Layout(width=width)


def _short(text: str | None, limit: int = 90) -> str:
    return html.escape(clipped(text, limit))


# --- 1. Release checklist -------------------------------------------------------------------

CLASS_TITLES = {3: "Class III · Open Model", 2: "Class II · Open Tooling", 1: "Class I · Open Science"}
EMPTY_PRESET = "Choose a preset…"


def _presets() -> dict[str, tuple[list[str], bool]]:
    """Preset releases: name -> (components, licence_open). Model-style ones come from the sourced table."""
    llama, olmo = o.model("Llama 2"), o.model("OLMo 7B")
    return {
        "Nothing released": ([], True),
        "Weights only (open licence)": (["Model parameters (Final)"], True),
        "Llama 2-style (as sourced)": (llama.released, llama.licence_terms == "open"),
        "OLMo-style (as sourced)": (olmo.released, olmo.licence_terms == "open"),
        f"Everything (all {len(o.MOF_COMPONENTS)})": ([c.name for c in o.MOF_COMPONENTS], True),
    }


def _class_row(progress: o.ClassProgress) -> str:
    """One progress row: cumulative count, and the missing components this class itself adds (condensed)."""
    own = list(progress.own_missing)
    if progress.unmet_below:
        own.append(f"all of {CLASS_TITLES[progress.unmet_below[0]].split(' · ')[0]}")
    detail = "missing: " + condensed(own) if progress.missing else "✓ met"
    colour = MET_COLOUR if not progress.missing else UNMET_COLOUR
    bar = (
        f'<div style="width:90px;height:12px;background:#EEE;border:1px solid #999">'
        f'<div style="width:{progress.share:.0%};height:100%;background:{colour}"></div></div>'
    )
    full = html.escape("missing: " + ", ".join(own)) if progress.missing else ""
    return (
        f"<tr><td><b>{CLASS_TITLES[progress.mof_class]}</b></td><td>{bar}</td><td>{progress.done}/{progress.required}</td></tr>"
        f'<tr><td colspan="3" title="{full}" style="color:#444;font-size:14px;padding-bottom:4px">{html.escape(detail)}</td></tr>'
    )


def _checklist_html(check: o.ReleaseCheck) -> str:
    verdict = check.osaid
    headline = f"MOF: {o.CLASS_NAMES[check.mof_class]}" if check.mof_class else "MOF: no class (Class III not met)"
    requirement_rows = "".join(
        f"<tr><td>{'✓' if r not in verdict.missing else '✗'} {html.escape(r)}</td></tr>" for r in o.REQUIREMENTS
    )
    osaid_colour = MET_COLOUR if verdict.meets else UNMET_COLOUR
    return (
        f'<div class="aiopen-panel" style="font-size:15px;line-height:1.3">'
        f'<div style="font-size:18px;font-weight:bold">{html.escape(headline)}</div>'
        f'<table>{"".join(_class_row(p) for p in check.progress)}</table>'
        f'<div style="font-size:18px;font-weight:bold;color:{osaid_colour};margin-top:4px">'
        f"OSAID 1.0: {'meets' if verdict.meets else 'does not meet'}</div>"
        f"<table>{requirement_rows}</table>"
        f'<div style="color:#444;font-size:14px">{html.escape(verdict.summary)}</div></div>'
    )


class ReleaseChecklist(OpennessView):
    """Tick the MOF components a release ships and pick its licence; see MOF class and OSAID verdict live.

    State: ``check`` (:class:`aiopen.domain.openness.ReleaseCheck` of the ticked components and
    the licence). Parts: ``checkboxes`` (component name -> Checkbox), ``licence``, ``preset``,
    ``result``, ``caption``, ``status``.
    """

    check = Instance(o.ReleaseCheck, allow_none=True, help="what the ticked release earns, from the domain layer")
    checkboxes = Dict(value_trait=Instance(widgets.Checkbox))
    licence = Instance(widgets.ToggleButtons)
    preset = Instance(widgets.Dropdown)
    result = Instance(widgets.HTML)

    def __init__(self) -> None:
        checkboxes = {
            c.name: widgets.Checkbox(
                value=False,
                description=c.short_label + (" (optional)" if c.optional else ""),
                description_allow_html=False,
                indent=False,
                tooltip=f"{c.name}: {c.description}",
                layout=widgets.Layout(width="232px", height="24px"),
            )
            for c in o.MOF_COMPONENTS
        }
        columns = widgets.HBox([
            widgets.VBox(
                [widgets.HTML(f"<h4>{CLASS_TITLES[k]}</h4>")] + [checkboxes[c.name] for c in o.MOF_COMPONENTS if c.mof_class == k],
                layout=_width("240px"),
            )
            for k in CLASS_ORDER
        ])
        self._presets = _presets()
        parts = dict(
            checkboxes=checkboxes,
            licence=widgets.ToggleButtons(
                options=[("Open (OSI-approved)", True), ("Restrictive (use limits)", False)],
                value=True,
                description="Licence:",
                tooltips=["Open licence: OSI-approved", "Restrictive licence: use limits"],
                style={"button_width": "200px", **ROW_LABEL},
            ),
            preset=widgets.Dropdown(options=[EMPTY_PRESET, *self._presets], value=EMPTY_PRESET, description="Preset:", style=ROW_LABEL, layout=_width("360px")),
            result=widgets.HTML(layout=widgets.Layout(width="460px", margin="0 0 0 16px")),
            status=status_line(),
            caption=caption(o.checklist_caption()),
        )
        p = parts
        left = widgets.VBox([p["preset"], p["licence"], columns, p["status"]], layout=_width("730px"))
        super().__init__([widgets.HBox([left, p["result"]]), p["caption"]], **parts)
        self.watch(self._recompute, self.licence, *self.checkboxes.values())
        self.watch(self._apply_preset, self.preset)
        self.watch(self._recompute)()

    def _recompute(self, _change: object = None) -> None:
        self.check = o.check_release([name for name, box in self.checkboxes.items() if box.value], self.licence.value)

    def _apply_preset(self, change: dict) -> None:
        if change["new"] == EMPTY_PRESET:
            return
        components, licence_open = self._presets[change["new"]]
        with self.hold_trait_notifications():  # 17 boxes and the licence move; the verdict is drawn once
            for name, box in self.checkboxes.items():
                box.value = name in components
            self.licence.value = licence_open
        self.preset.value = EMPTY_PRESET  # so the same preset can be applied again

    @observe("check")
    def _draw(self, _change: object = None) -> None:
        self.result.value = _checklist_html(self.check)


def release_checklist() -> ReleaseChecklist:
    """The release checklist (see :class:`ReleaseChecklist`)."""
    return ReleaseChecklist()


# --- 2. Openness heatmap --------------------------------------------------------------------


def _row_summary(release: o.ModelRelease, verdict: o.OsaidVerdict, liesenfeld: o.Score | None) -> str:
    mof = o.CLASS_NAMES[release.mof_class] if release.mof_class else "no class shown (Class III not met or unknown)"
    osaid = f"{verdict.status} ({'OSI validation' if verdict.assessed_by == 'OSI' else 'kit reading'})"
    score = f"<br>Liesenfeld & Dingemanse: {liesenfeld.total:g}/{liesenfeld.out_of} ({html.escape(liesenfeld.assessed or '')})" if liesenfeld else ""
    return f"Licence: {html.escape(release.licence)} ({release.licence_terms})<br>MOF: {mof} · OSAID 1.0: {osaid}{score}"


def _verdict_line(verdict: o.Verdict) -> str:
    p = verdict.provenance
    rated = f", rated '{_short(verdict.value, 40)}'" if verdict.value and verdict.assessor != "kit" else ""
    evaluated = f" of {html.escape(verdict.evaluated)}" if verdict.evaluated else ""
    return (
        f"{VERDICT_SYMBOL[verdict.status]} <b>{html.escape(verdict.assessor)}</b>{evaluated}{rated}: {_short(p.source, 100)} "
        f"(published {p.published}, read {p.accessed}, {p.verification})"
    )


def _cell_hover(release: o.ModelRelease, component: str, fact: o.ComponentFact, row: str) -> str:
    label = STATUS_STYLE[fact.status][3]
    if fact.status == "unknown":
        provenance = "No source in the kit rates this component: unknown, not 'no'."
    else:
        provenance = "<br>".join(_verdict_line(v) for v in fact.verdicts)
    return f"<b>{html.escape(release.name)}</b> · {html.escape(component)}: {label}<br>{provenance}<br>{row}"


def _class_bands() -> tuple[list[dict], list[dict]]:
    """Vertical separators and titles over the component columns, one band per MOF class (layout geometry)."""
    shapes, notes, start = [], [], 0
    for k in CLASS_ORDER:
        count = sum(c.mof_class == k for c in o.MOF_COMPONENTS)
        if start:
            shapes.append(dict(type="line", x0=start - 0.5, x1=start - 0.5, y0=0, y1=1, yref="paper", line=dict(color="#222", width=2)))
        notes.append(dict(x=start + (count - 1) / 2, y=1.0, yref="paper", yanchor="bottom", text=f"<b>{CLASS_TITLES[k]}</b>", showarrow=False, font=dict(size=15)))
        start += count
    return shapes, notes


class OpennessHeatmap(OpennessView):
    """Heatmap of the kit's models against the MOF's 17 components, sortable, sources on hover.

    State: ``order`` (release names, top to bottom, from :func:`aiopen.domain.openness.sort_releases`).
    Parts: ``sort``, ``figure``, ``caption``, ``status``.
    """

    order = Instance(tuple, allow_none=True, help="the releases' names as the rows show them")
    sort = Instance(widgets.Dropdown)
    figure = Instance(go.FigureWidget)

    def __init__(self) -> None:
        self._releases = {m.name: m for m in o.models()}
        self._verdicts = {name: o.osaid_verdict(name) for name in self._releases}
        self._liesenfeld = o.liesenfeld_scores()
        figure = figure_widget(height=420, width=FIGURE_WIDTH, margin=dict(l=100, r=10, t=58, b=84))
        figure.add_heatmap(
            x=[c.short_label + ("*" if c.optional else "") for c in o.MOF_COMPONENTS],
            **discrete_colorscale([colour for _, colour, _, _ in STATUS_STYLE.values()]),
            showscale=False, xgap=2, ygap=2,
            texttemplate="%{text}", textfont=dict(size=15, color="#111"), hovertemplate="%{customdata}<extra></extra>",
        )
        for _, colour, _, label in reversed(STATUS_STYLE.values()):
            figure.add_scatter(x=[None], y=[None], mode="markers", name=label, marker=dict(symbol="square", size=14, color=colour, line=dict(color="#666", width=1)))
        shapes, notes = _class_bands()
        figure.update_layout(
            shapes=shapes, annotations=notes,
            legend=dict(orientation="h", y=1.07, yanchor="bottom", x=1, xanchor="right", font=dict(size=15)),
            xaxis=dict(tickangle=-30, side="bottom", showgrid=False, tickfont=dict(size=14), automargin=False),
            yaxis=dict(autorange="reversed", showgrid=False, tickfont=dict(size=13), dtick=1),  # every release named
        )
        parts = dict(
            sort=widgets.Dropdown(options=o.RELEASE_SORTS, value="Components released", description="Sort by:", style=ROW_LABEL, layout=_width("330px")),
            figure=figure,
            status=status_line(),
            caption=caption(
                "Heatmap of releases (rows) against the Model Openness Framework's components (columns, * optional), marked as in the legend. "
                + o.heatmap_facts(self._releases.values())
            ),
        )
        super().__init__([parts["sort"], figure, parts["status"], parts["caption"]], **parts)
        self.watch(self._recompute, self.sort)
        self.watch(self._recompute)()

    def _recompute(self, _change: object = None) -> None:
        self.order = tuple(m.name for m in o.sort_releases(self._releases.values(), self.sort.value))

    @observe("order")
    def _draw(self, _change: object = None) -> None:
        ordered = [self._releases[name] for name in self.order]
        summaries = [_row_summary(m, self._verdicts[m.name], self._liesenfeld.get(m.name)) for m in ordered]
        facts = [[m.components[c.name] for c in o.MOF_COMPONENTS] for m in ordered]
        with self.figure.batch_update():
            heat = self.figure.data[0]
            heat.y = list(self.order)
            heat.z = [[STATUS_STYLE[f.status][0] for f in row] for row in facts]
            heat.text = [[STATUS_STYLE[f.status][2] for f in row] for row in facts]
            heat.customdata = [
                [_cell_hover(m, c.name, f, summary) for c, f in zip(o.MOF_COMPONENTS, row)]
                for m, row, summary in zip(ordered, facts, summaries)
            ]


def openness_heatmap() -> OpennessHeatmap:
    """The openness heatmap (see :class:`OpennessHeatmap`)."""
    return OpennessHeatmap()


# --- 3. FMTI chart --------------------------------------------------------------------------

EDITION_STYLES = (  # colour and marker symbol per index, oldest first
    (OKABE_ITO["blue"], "circle"),
    (OKABE_ITO["orange"], "diamond"),
    (OKABE_ITO["reddish_purple"], "square"),
)
NO_HIGHLIGHT = "(none)"


class Shown(NamedTuple):
    """What the FMTI chart shows: developers top to bottom, the indices drawn, the one picked out."""

    order: tuple[str, ...]
    editions: tuple[str, ...]
    highlight: str


class FmtiChart(OpennessView):
    """Dumbbell chart of FMTI totals by developer for the two comparable indices, with the latest (revised) index as a toggle.

    State: ``shown`` (:class:`Shown`). Parts: ``sort``, ``highlight``, ``show_revised``, ``figure``,
    ``caption``, ``status``.
    """

    shown = Instance(Shown, allow_none=True, help="developers, indices and the highlight on screen")
    sort = Instance(widgets.Dropdown)
    highlight = Instance(widgets.Dropdown)
    show_revised = Instance(widgets.Checkbox)
    figure = Instance(go.FigureWidget)

    def __init__(self) -> None:
        scores, means = o.fmti_scores(), o.fmti_means()
        self._editions = o.fmti_editions()
        self._totals = o.fmti_totals()
        self._hover = {}
        for s in scores:
            flagship = f" (flagship: {html.escape(s.assessed)})" if s.assessed else ""
            notes = f"<br>{_short(s.provenance.notes)}" if s.provenance.notes else ""
            self._hover[(s.subject, s.edition)] = (
                f"<b>{html.escape(s.subject)}</b>{flagship}<br>{o.FMTI_INDICES[s.edition]}: {s.total:g}/{s.out_of}"
                f"<br>Source: {_short(s.provenance.source)} (published {s.provenance.published}, read {s.provenance.accessed}, "
                f"{s.provenance.verification}){notes}"
            )
        figure = figure_widget(height=440, width=FIGURE_WIDTH, margin=dict(l=20, r=30, t=50, b=55))
        figure.add_scatter(mode="lines", line=dict(color=GREY, width=3), hoverinfo="skip", showlegend=False)
        for edition, (colour, symbol) in zip(self._editions, EDITION_STYLES):
            name = o.FMTI_INDICES[edition].replace(" (revised indicators)", ", revised")
            figure.add_scatter(mode="markers", name=f"{name} · mean {means[edition]:g}", marker=dict(color=colour, symbol=symbol, size=14, line=dict(color="white", width=1)),
                               hovertemplate="%{customdata}<extra></extra>")
        figure.update_layout(
            xaxis=dict(title=f"FMTI total (out of {scores[0].out_of} indicators)", range=[0, scores[0].out_of]),
            yaxis=dict(autorange="reversed", tickfont=dict(size=14), automargin=True),
            legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0, title_text="Dotted lines: means"),
        )
        sorts = o.fmti_sorts()
        parts = dict(
            sort=widgets.Dropdown(options=sorts, value=sorts[0], description="Sort by:", style=ROW_LABEL, layout=_width("360px")),
            highlight=widgets.Dropdown(options=[NO_HIGHLIGHT, *sorted(self._totals, key=str.casefold)], value=NO_HIGHLIGHT, description="Highlight:",
                                       style=ROW_LABEL, layout=_width("380px")),
            show_revised=widgets.Checkbox(value=True, description=f"Show {o.FMTI_INDICES[self._editions[-1]]}", indent=False, layout=_width("330px")),
            figure=figure,
            status=status_line(),
            caption=caption(o.fmti_caption()),
        )
        p = parts
        super().__init__([widgets.HBox([p["sort"], p["highlight"], p["show_revised"]]), figure, p["status"], p["caption"]], **parts)
        self._means = means
        self.watch(self._recompute, self.sort, self.highlight, self.show_revised)
        self.watch(self._recompute)()

    def _recompute(self, _change: object = None) -> None:
        latest = self._editions[-1]
        order = o.sort_developers(self._totals, self.sort.value)
        if not self.show_revised.value:
            order = [d for d in order if set(self._totals[d]) - {latest}]
        editions = tuple(e for e in self._editions if e != latest or self.show_revised.value)
        self.shown = Shown(tuple(order), editions, self.highlight.value)

    @observe("shown")
    def _draw(self, _change: object = None) -> None:
        order, shown, highlight = self.shown
        first, second = self._editions[0], self._editions[1]
        line_x, line_y = [], []
        for d in order:
            pair = [self._totals[d][e] for e in (first, second) if e in self._totals[d]]
            if len(pair) == 2:
                line_x += [*pair, None]
                line_y += [d, d, None]
        ticks = [f"<b>{html.escape(d)}</b>" if d == highlight else html.escape(d) for d in order]
        shapes = [
            dict(type="line", x0=self._means[e], x1=self._means[e], y0=0, y1=1, yref="paper", line=dict(color=colour, dash="dot", width=2))
            for e, (colour, _) in zip(self._editions, EDITION_STYLES)
            if e in shown
        ]
        with self.figure.batch_update():
            self.figure.data[0].update(x=line_x, y=line_y)
            for trace, edition in zip(self.figure.data[1:], self._editions):
                present = [d for d in order if edition in self._totals[d]]
                trace.update(
                    x=[self._totals[d][edition] for d in present],
                    y=present,
                    customdata=[self._hover[(d, edition)] for d in present],
                    visible=edition in shown,
                    marker_opacity=[1.0 if highlight in (NO_HIGHLIGHT, d) else 0.25 for d in present],
                )
            self.figure.update_layout(shapes=shapes, yaxis=dict(categoryorder="array", categoryarray=list(order), tickvals=list(order), ticktext=ticks))


def fmti_chart() -> FmtiChart:
    """The FMTI chart (see :class:`FmtiChart`)."""
    return FmtiChart()


# --- 4. Lifecycle comparison ----------------------------------------------------------------


class LifecycleComparison(OpennessView):
    """Conventional software vs model lifecycle: what is shipped, inspectable and trusted (no controls).

    Parts: ``table``, ``caption``.
    """

    table = Instance(widgets.HTML)

    def __init__(self) -> None:
        cell = "padding:6px 10px;border-bottom:1px solid #CCC;vertical-align:top;font-size:16px"
        rows = lifecycle.lifecycle_rows()
        body = "".join(
            f'<tr><th style="{cell};text-align:left;width:170px">{html.escape(r.aspect)}</th>'
            f'<td style="{cell};width:380px">{html.escape(r.software)}</td>'
            f'<td style="{cell};background:#FFF8E6">{html.escape(r.model)} [{n}]</td></tr>'
            for n, r in enumerate(rows, start=1)
        )
        head = (
            f'<tr><th style="{cell}"></th><th style="{cell};text-align:left;color:{OKABE_ITO["blue"]}">Conventional open-source software</th>'
            f'<th style="{cell};text-align:left;color:{OKABE_ITO["vermillion"]}">A typical "open" model release</th></tr>'
        )
        sources = "<br>".join(
            html.escape(f"[{n}] {r.provenance.source} (published {r.provenance.published}, read {r.provenance.accessed}; {r.provenance.verification}).")
            for n, r in enumerate(rows, start=1)
        )
        table = widgets.HTML(
            f'<table style="border-collapse:collapse;width:{FIGURE_WIDTH}px">{head}{body}</table>'
            f'<div style="font-size:14px;color:#444;margin-top:6px">{sources}</div>'
        )
        text = caption(
            "Table comparing conventional open-source software with a typical open-weights model release: a model ships like a binary, "
            "usually without the code and data that built it, so open weights alone are not open source."
        )
        super().__init__([table, text], table=table, caption=text, status=status_line())


def lifecycle_comparison() -> LifecycleComparison:
    """The lifecycle comparison (see :class:`LifecycleComparison`)."""
    return LifecycleComparison()
