""""One size does not fit all", the other side of the costs: live views of
:mod:`aiopen.domain.tradeoffs`.

* :func:`benchmark_chart` - published scores of a small, a mid-size and a big model.
* :func:`tuning_chart` - a fine-tuning run next to its base model's pre-training.

Every number and caption comes from :mod:`aiopen.domain.tradeoffs` and its sourced tables.
Controls are attributes of the returned container (``w.figure``, ``w.variant`` ...).
"""

from __future__ import annotations

import html
import math

import ipywidgets as widgets

from aiopen.domain import tradeoffs as t
from aiopen.widgets.common import OKABE_ITO, PALETTE, caption, figure_widget, guarded, panel, show_message, status_line

WIDTH = 1180
SCOPE = "aiopen-tradeoffs"
CONTROL_CSS = f".{SCOPE} .widget-label, .{SCOPE} select, .{SCOPE} button {{font-size:15px !important}}"
LABEL = {"description_width": "initial"}


def _hover(score: t.Score) -> str:
    setting = ", ".join(part for part in (f"{score.shots}-shot" if score.shots else "", score.metric or "") if part)
    return "<br>".join(
        html.escape(line)
        for line in (
            f"{score.model}, {score.benchmark}: {score.score:g}",
            setting or "shots and metric not stated",
            f"{score.provenance.source} ({score.provenance.published}; {score.provenance.verification})",
        )
    )


def benchmark_chart(variant: str = "instruct") -> widgets.VBox:
    """Grouped bars of published benchmark scores, one colour per model size.

    Attributes: ``figure``, ``variant`` (Dropdown), ``caption``, ``status``.
    """
    choice = widgets.Dropdown(
        options=[(label, key) for key, label in t.VARIANTS.items()], value=variant, description="Scores of:",
        style=LABEL, layout=widgets.Layout(width="340px"),
    )
    status = status_line()
    fig = figure_widget(
        height=360, width=WIDTH, barmode="group",
        yaxis=dict(title=f"Score (points out of {t.SCORE_MAX})", range=[0, t.SCORE_MAX]),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        margin=dict(t=30, b=40),
    )
    for colour, _ in zip(PALETTE, t.models(variant)):
        fig.add_bar(marker_color=colour, textposition="outside", textfont=dict(size=13), cliponaxis=False,
                    hovertemplate="%{hovertext}<extra></extra>")
    text = caption("")

    @guarded(status)
    def redraw(_change: object = None) -> None:
        scores = t.scores(choice.value)
        with fig.batch_update():
            for trace, model in zip(fig.data, t.models(choice.value)):
                mine = [s for s in scores if s.model == model]
                trace.update(name=model, x=[s.benchmark for s in mine], y=[s.score for s in mine],
                             text=[f"{s.score:.1f}" for s in mine], hovertext=[_hover(s) for s in mine])
        text.value = caption(t.benchmark_caption(choice.value)).value
        show_message(status, "")

    choice.observe(redraw, names="value")
    redraw()
    return panel(SCOPE, [choice, fig, text, status], WIDTH + 20, CONTROL_CSS,
                 figure=fig, variant=choice, caption=text, status=status)


SCALES = {"Log axis": "log", "Linear axis": "linear"}


def tuning_chart() -> widgets.VBox:
    """Horizontal bars: GPU-hours of a published fine-tuning run and of its base model's pre-training.

    Attributes: ``figure``, ``scale`` (ToggleButtons), ``caption``, ``status``.
    """
    pair = t.tuning_vs_training()
    runs = [pair.pre_training, pair.fine_tune]
    scale = widgets.ToggleButtons(options=list(SCALES), value="Log axis", description="Scale:",
                                  style=dict(button_width="120px", **LABEL))
    status = status_line()
    fig = figure_widget(height=300, width=WIDTH, showlegend=False, margin=dict(l=250, r=40, t=20, b=50),
                        xaxis=dict(title="GPU-hours"))
    longest = max(run.gpu_hours for run in runs)
    # Axis ranges with room for the bar labels; the log axis starts at one GPU-hour.
    ranges = {"log": [0, math.log10(longest) * 1.25], "linear": [0, longest * 1.35]}
    fig.add_bar(
        orientation="h",
        y=[run.run for run in runs],
        x=[run.gpu_hours for run in runs],
        marker_color=[OKABE_ITO["vermillion"], OKABE_ITO["bluish_green"]],
        text=[f"{run.gpu_hours:,.0f} GPU-h ({run.provenance.verification})" for run in runs],
        textposition="outside", cliponaxis=False,
        hovertext=["<br>".join(html.escape(x) for x in (run.run, run.gpu, run.provenance.source, f"published {run.provenance.published}"))
                   for run in runs],
        hovertemplate="%{hovertext}<extra></extra>",
    )
    text = caption("")

    @guarded(status)
    def redraw(_change: object = None) -> None:
        fig.layout.xaxis.update(type=SCALES[scale.value], range=ranges[SCALES[scale.value]])
        text.value = caption(t.tuning_caption(SCALES[scale.value])).value
        show_message(status, "")

    scale.observe(redraw, names="value")
    redraw()
    return panel(SCOPE, [scale, fig, text, status], WIDTH + 20, CONTROL_CSS,
                 figure=fig, scale=scale, caption=text, status=status)
