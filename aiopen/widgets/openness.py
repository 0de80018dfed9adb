""""What does open mean?": live views of the published openness frameworks.

* :func:`release_checklist` - tick what a release ships; see its MOF class and OSAID verdict.
* :func:`openness_heatmap` - real models against the MOF's 17 components, sortable.
* :func:`fmti_chart` - Stanford FMTI totals by developer, every published index.
* :func:`lifecycle_comparison` - conventional software vs model lifecycle, side by side.

Every value and every caption figure comes from :mod:`aiopen.domain.openness`, :mod:`aiopen.domain.lifecycle`
and their sourced tables; this module only lays them out. Controls are
attributes of the returned container (``w.figure``, ``w.sort``, ``w.checkboxes`` ...).
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import plotly.graph_objects as go

from aiopen.domain import lifecycle
from aiopen.domain import openness as o
from aiopen.widgets.common import GREY, OKABE_ITO, caption, figure_widget, guarded, panel, status_line

WIDTH = 1180
CONTROL_CSS = (
    ".aiopen-openness .widget-label, .aiopen-openness select, .aiopen-openness button,"
    " .aiopen-openness .widget-checkbox label, .aiopen-openness td, .aiopen-openness th {font-size:15px !important}"
    " .aiopen-openness .widget-checkbox {height:24px} .aiopen-openness h4 {font-size:16px;margin:2px 0}"
    " .aiopen-openness .aiopen-panel table {border-collapse:collapse;margin:2px 0}"
    " .aiopen-openness .aiopen-panel td {padding:1px 6px 1px 0;border:none;line-height:1.25;text-align:left;vertical-align:middle}"
)
LABEL = {"description_width": "70px"}  # one label width for every control row
STATUS_STYLE = {  # code in the heatmap, colour, symbol, legend label: colour is never the only cue
    "unknown": (0, "#E3E3E3", "?", "? unknown"),
    "no": (1, OKABE_ITO["vermillion"], "✗", "✗ not released"),
    "partial": (2, OKABE_ITO["yellow"], "½", "½ partial"),
    "disputed": (3, OKABE_ITO["sky_blue"], "≠", "≠ sources disagree"),
    "yes": (4, OKABE_ITO["bluish_green"], "✓", "✓ released"),
}
VERDICT_SYMBOL = {status: symbol for status, (_, _, symbol, _) in STATUS_STYLE.items()}
MET_COLOUR, UNMET_COLOUR = OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"]


def _container(children: list[widgets.Widget], **parts: widgets.Widget) -> widgets.VBox:
    return panel("aiopen-openness", children, WIDTH + 20, CONTROL_CSS, **parts)


def _width(width: str) -> widgets.Layout:
    return widgets.Layout(width=width)


def _short(text: str | None, limit: int = 90) -> str:
    text = text or ""
    return html.escape(text if len(text) <= limit else text[: limit - 1] + "…")


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
        "Everything (all 17)": ([c.name for c in o.MOF_COMPONENTS], True),
    }


def _condensed(names: list[str], shown: int = 3) -> str:
    """At most ``shown`` names, then "+N more": the panel beside the checkboxes is narrow."""
    return ", ".join(names if len(names) <= shown + 1 else [*names[:shown], f"+{len(names) - shown} more"])


def _class_row(mof_class: int, ticked: list[str]) -> str:
    """One progress row: cumulative count, and the missing components this class itself adds (condensed)."""
    required = o.required_for_class(mof_class)
    missing = o.mof_missing(ticked, mof_class)
    done = len(required) - len(missing)
    own = [c.short_label for c in o.MOF_COMPONENTS if c.name in missing and c.mof_class == mof_class]
    lower_unmet = [CLASS_TITLES[k].split(" · ")[0] for k in range(3, mof_class, -1) if o.mof_missing(ticked, k)]
    if lower_unmet:
        own.append(f"all of {lower_unmet[0]}")
    detail = "missing: " + _condensed(own) if missing else "✓ met"
    colour = MET_COLOUR if not missing else UNMET_COLOUR
    bar = (
        f'<div style="width:90px;height:12px;background:#EEE;border:1px solid #999">'
        f'<div style="width:{90 * done // len(required)}px;height:100%;background:{colour}"></div></div>'
    )
    full = html.escape("missing: " + ", ".join(own)) if missing else ""
    return (
        f"<tr><td><b>{CLASS_TITLES[mof_class]}</b></td><td>{bar}</td><td>{done}/{len(required)}</td></tr>"
        f'<tr><td colspan="3" title="{full}" style="color:#444;font-size:14px;padding-bottom:4px">{html.escape(detail)}</td></tr>'
    )


def _checklist_html(ticked: list[str], licence_open: bool) -> str:
    best = o.mof_class(ticked)
    verdict = o.osaid_from_release(ticked, licence_open)
    headline = f"MOF: {o.CLASS_NAMES[best]}" if best else "MOF: no class (Class III not met)"
    requirement_rows = "".join(
        f"<tr><td>{'✓' if r not in verdict.missing else '✗'} {html.escape(r)}</td></tr>" for r in o.REQUIREMENTS
    )
    osaid_colour = MET_COLOUR if verdict.meets else UNMET_COLOUR
    return (
        f'<div class="aiopen-panel" style="font-size:15px;line-height:1.3">'
        f'<div style="font-size:18px;font-weight:bold">{html.escape(headline)}</div>'
        f'<table>{"".join(_class_row(k, ticked) for k in (3, 2, 1))}</table>'
        f'<div style="font-size:18px;font-weight:bold;color:{osaid_colour};margin-top:4px">'
        f"OSAID 1.0: {'meets' if verdict.meets else 'does not meet'}</div>"
        f"<table>{requirement_rows}</table>"
        f'<div style="color:#444;font-size:14px">{html.escape(verdict.summary)}</div></div>'
    )


def release_checklist() -> widgets.VBox:
    """Tick the MOF components a release ships and pick its licence; see MOF class and OSAID verdict live."""
    status = status_line()
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
    columns = widgets.HBox(
        [
            widgets.VBox(
                [widgets.HTML(f"<h4>{CLASS_TITLES[k]}</h4>")] + [checkboxes[c.name] for c in o.MOF_COMPONENTS if c.mof_class == k],
                layout=_width("240px"),
            )
            for k in (3, 2, 1)
        ]
    )
    licence = widgets.ToggleButtons(
        options=[("Open (OSI-approved)", True), ("Restrictive (use limits)", False)],
        value=True,
        description="Licence:",
        tooltips=["Open licence: OSI-approved", "Restrictive licence: use limits"],
        style={"button_width": "200px", **LABEL},
    )
    presets = _presets()
    preset = widgets.Dropdown(options=[EMPTY_PRESET, *presets], value=EMPTY_PRESET, description="Preset:", style=LABEL, layout=_width("360px"))
    result = widgets.HTML(layout=widgets.Layout(width="460px", margin="0 0 0 16px"))

    @guarded(status)
    def update(_: object = None) -> None:
        ticked = [name for name, box in checkboxes.items() if box.value]
        result.value = _checklist_html(ticked, licence.value)

    @guarded(status)
    def apply_preset(change: dict) -> None:
        if change["new"] == EMPTY_PRESET:
            return
        components, licence_open = presets[change["new"]]
        for name, box in checkboxes.items():
            box.value = name in components
        licence.value = licence_open
        preset.value = EMPTY_PRESET  # so the same preset can be applied again

    for box in checkboxes.values():
        box.observe(update, names="value")
    licence.observe(update, names="value")
    preset.observe(apply_preset, names="value")
    update()
    text = caption(o.checklist_caption())
    left = widgets.VBox([preset, licence, columns, status], layout=_width("730px"))
    return _container(
        [widgets.HBox([left, result]), text],
        checkboxes=checkboxes, licence=licence, preset=preset, result=result, status=status, caption=text,
    )


# --- 2. Openness heatmap --------------------------------------------------------------------

SORTS = ("Name (A-Z)", "Components released", "MOF class")


def _released_score(release: o.ModelRelease) -> float:
    return len(release.released) + 0.5 * len(release.with_status("partial"))


def sort_models(releases: list[o.ModelRelease], by: str) -> list[o.ModelRelease]:
    """``releases`` ordered for the heatmap: by name, by components released, or by MOF class."""
    keys = {
        "Name (A-Z)": lambda m: m.name.casefold(),
        "Components released": lambda m: (-_released_score(m), m.name.casefold()),
        "MOF class": lambda m: (m.mof_class or 4, -_released_score(m), m.name.casefold()),
    }
    if by not in keys:
        raise ValueError(f"Sort by one of {', '.join(SORTS)}, not {by!r}.")
    return sorted(releases, key=keys[by])


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
    """Vertical separators and titles over the component columns, one band per MOF class."""
    shapes, notes, start = [], [], 0
    for k in (3, 2, 1):
        count = sum(c.mof_class == k for c in o.MOF_COMPONENTS)
        if start:
            shapes.append(dict(type="line", x0=start - 0.5, x1=start - 0.5, y0=0, y1=1, yref="paper", line=dict(color="#222", width=2)))
        notes.append(dict(x=start + (count - 1) / 2, y=1.0, yref="paper", yanchor="bottom", text=f"<b>{CLASS_TITLES[k]}</b>", showarrow=False, font=dict(size=15)))
        start += count
    return shapes, notes


def openness_heatmap() -> widgets.VBox:
    """Heatmap of the kit's models against the MOF's 17 components, sortable, sources on hover."""
    status = status_line()
    releases = o.models()
    verdicts = {m.name: o.osaid_verdict(m.name) for m in releases}
    liesenfeld = o.liesenfeld_scores()
    columns = [c.short_label + ("*" if c.optional else "") for c in o.MOF_COMPONENTS]
    figure = figure_widget(height=420, width=WIDTH, margin=dict(l=100, r=10, t=58, b=84))
    scale, codes = [], len(STATUS_STYLE)
    for code, colour, _, _ in STATUS_STYLE.values():
        scale += [[code / codes, colour], [(code + 1) / codes, colour]]
    figure.add_heatmap(
        x=columns, zmin=-0.5, zmax=codes - 0.5, colorscale=scale, showscale=False, xgap=2, ygap=2,
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
    sort = widgets.Dropdown(options=SORTS, value="Components released", description="Sort by:", style=LABEL, layout=_width("330px"))

    @guarded(status)
    def draw(_: object = None) -> None:
        ordered = sort_models(releases, sort.value)
        rows_ = [_row_summary(m, verdicts[m.name], liesenfeld.get(m.name)) for m in ordered]
        facts = [[m.components[c.name] for c in o.MOF_COMPONENTS] for m in ordered]
        with figure.batch_update():
            heat = figure.data[0]
            heat.y = [m.name for m in ordered]
            heat.z = [[STATUS_STYLE[f.status][0] for f in row] for row in facts]
            heat.text = [[STATUS_STYLE[f.status][2] for f in row] for row in facts]
            heat.customdata = [
                [_cell_hover(m, c.name, f, summary) for c, f in zip(o.MOF_COMPONENTS, row)]
                for m, row, summary in zip(ordered, facts, rows_)
            ]

    sort.observe(draw, names="value")
    draw()
    text = caption(
        "Heatmap of releases (rows) against the Model Openness Framework's components (columns, * optional), marked as in the legend. "
        + o.heatmap_facts(releases)
    )
    return _container([sort, figure, status, text], figure=figure, sort=sort, status=status, caption=text)


# --- 3. FMTI chart --------------------------------------------------------------------------

EDITION_STYLES = (  # colour and marker symbol per index, oldest first
    (OKABE_ITO["blue"], "circle"),
    (OKABE_ITO["orange"], "diamond"),
    (OKABE_ITO["reddish_purple"], "square"),
)
NO_HIGHLIGHT = "(none)"
NAME_SORT = "Developer name"


def _editions() -> list[str]:
    """FMTI index ids in the data, oldest first; the first two share one set of indicators."""
    return sorted(o.fmti_means())


def _change_sort(first: str, second: str) -> str:
    return f"Change {o.FMTI_INDICES[first]} → {o.FMTI_INDICES[second]}"


def fmti_sorts() -> tuple[str, ...]:
    """Sort options, named after the indices in the data."""
    first, second, *_ = _editions()
    return (f"{o.FMTI_INDICES[second]} total", _change_sort(first, second), f"{o.FMTI_INDICES[first]} total", NAME_SORT)


def sort_developers(totals: dict[str, dict[str, float]], by: str) -> list[str]:
    """Developers ordered top to bottom; developers without the sorted value go last."""
    first, second, *_ = _editions()
    missing = float("-inf")
    keys = {
        f"{o.FMTI_INDICES[second]} total": lambda d: -totals[d].get(second, missing),
        _change_sort(first, second): lambda d: -(totals[d][second] - totals[d][first]) if {first, second} <= set(totals[d]) else float("inf"),
        f"{o.FMTI_INDICES[first]} total": lambda d: -totals[d].get(first, missing),
        NAME_SORT: lambda d: 0,
    }
    if by not in keys:
        raise ValueError(f"Sort by one of {', '.join(keys)}, not {by!r}.")
    return sorted(sorted(totals, key=str.casefold), key=keys[by])


def fmti_chart() -> widgets.VBox:
    """Dumbbell chart of FMTI totals by developer for the two comparable indices, with the latest (revised) index as a toggle."""
    status = status_line()
    scores = o.fmti_scores()
    means = o.fmti_means()
    editions = _editions()
    first, second, latest = editions[0], editions[1], editions[-1]
    totals: dict[str, dict[str, float]] = {}
    hover: dict[tuple[str, str], str] = {}
    for s in scores:
        totals.setdefault(s.subject, {})[s.edition] = s.total
        flagship = f" (flagship: {html.escape(s.assessed)})" if s.assessed else ""
        notes = f"<br>{_short(s.provenance.notes)}" if s.provenance.notes else ""
        hover[(s.subject, s.edition)] = (
            f"<b>{html.escape(s.subject)}</b>{flagship}<br>{o.FMTI_INDICES[s.edition]}: {s.total:g}/{s.out_of}"
            f"<br>Source: {_short(s.provenance.source)} (published {s.provenance.published}, read {s.provenance.accessed}, "
            f"{s.provenance.verification}){notes}"
        )
    figure = figure_widget(height=440, width=WIDTH, margin=dict(l=20, r=30, t=50, b=55))
    figure.add_scatter(mode="lines", line=dict(color=GREY, width=3), hoverinfo="skip", showlegend=False)
    for edition, (colour, symbol) in zip(editions, EDITION_STYLES):
        name = o.FMTI_INDICES[edition].replace(" (revised indicators)", ", revised")
        figure.add_scatter(mode="markers", name=f"{name} · mean {means[edition]:g}", marker=dict(color=colour, symbol=symbol, size=14, line=dict(color="white", width=1)), hovertemplate="%{customdata}<extra></extra>")
    figure.update_layout(
        xaxis=dict(title=f"FMTI total (out of {scores[0].out_of} indicators)", range=[0, scores[0].out_of]),
        yaxis=dict(autorange="reversed", tickfont=dict(size=14), automargin=True),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0, title_text="Dotted lines: means"),
    )
    sorts = fmti_sorts()
    sort = widgets.Dropdown(options=sorts, value=sorts[0], description="Sort by:", style=LABEL, layout=_width("360px"))
    highlight = widgets.Dropdown(options=[NO_HIGHLIGHT, *sorted(totals, key=str.casefold)], value=NO_HIGHLIGHT, description="Highlight:", style=LABEL, layout=_width("380px"))
    show_revised = widgets.Checkbox(value=True, description=f"Show {o.FMTI_INDICES[latest]}", indent=False, layout=_width("330px"))

    @guarded(status)
    def draw(_: object = None) -> None:
        order = sort_developers(totals, sort.value)
        if not show_revised.value:
            order = [d for d in order if set(totals[d]) - {latest}]
        line_x, line_y = [], []
        for d in order:
            pair = [totals[d][e] for e in (first, second) if e in totals[d]]
            if len(pair) == 2:
                line_x += [*pair, None]
                line_y += [d, d, None]
        ticks = [f"<b>{html.escape(d)}</b>" if d == highlight.value else html.escape(d) for d in order]
        shown = [e for e in editions if e != latest or show_revised.value]
        shapes = [
            dict(type="line", x0=means[e], x1=means[e], y0=0, y1=1, yref="paper", line=dict(color=colour, dash="dot", width=2))
            for e, (colour, _) in zip(editions, EDITION_STYLES)
            if e in shown
        ]
        with figure.batch_update():
            figure.data[0].update(x=line_x, y=line_y)
            for trace, edition in zip(figure.data[1:], editions):
                present = [d for d in order if edition in totals[d]]
                trace.update(
                    x=[totals[d][edition] for d in present],
                    y=present,
                    customdata=[hover[(d, edition)] for d in present],
                    visible=edition in shown,
                    marker_opacity=[1.0 if highlight.value in (NO_HIGHLIGHT, d) else 0.25 for d in present],
                )
            figure.update_layout(shapes=shapes, yaxis=dict(categoryorder="array", categoryarray=order, tickvals=order, ticktext=ticks))

    for control in (sort, highlight, show_revised):
        control.observe(draw, names="value")
    draw()
    text = caption(o.fmti_caption())
    return _container(
        [widgets.HBox([sort, highlight, show_revised]), figure, status, text],
        figure=figure, sort=sort, highlight=highlight, show_revised=show_revised, status=status, caption=text,
    )


# --- 4. Lifecycle comparison ----------------------------------------------------------------

def lifecycle_comparison() -> widgets.VBox:
    """Conventional software vs model lifecycle: what is shipped, inspectable and trusted."""
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
        f'<table style="border-collapse:collapse;width:{WIDTH}px">{head}{body}</table>'
        f'<div style="font-size:14px;color:#444;margin-top:6px">{sources}</div>'
    )
    text = caption(
        "Table comparing conventional open-source software with a typical open-weights model release: a model ships like a binary, "
        "usually without the code and data that built it, so open weights alone are not open source."
    )
    return _container([table, text], table=table, caption=text)
