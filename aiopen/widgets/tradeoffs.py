""""One size does not fit all", the other side of the costs: live views of
:mod:`aiopen.domain.tradeoffs`.

* :class:`BenchmarkChart` (:func:`benchmark_chart`) - published scores of a small, a mid-size and a big model.
* :class:`TuningChart` (:func:`tuning_chart`) - a fine-tuning run next to its base model's pre-training.

Every number and caption comes from :mod:`aiopen.domain.tradeoffs` and its sourced tables.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import plotly.graph_objects as go
from traitlets import Instance, Unicode, observe

from aiopen.domain import tradeoffs as t
from aiopen.widgets.common import FIGURE_WIDTH, LABEL, OKABE_ITO, PALETTE, View, caption, caption_html, figure_widget, padded_range, show_message, status_line


class TradeoffView(View):
    scope = "aiopen-tradeoffs"
    width = 1200


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


class BenchmarkChart(TradeoffView):
    """Grouped bars of published benchmark scores, one colour per model size.

    State: ``scores`` (the chosen variant's :class:`aiopen.domain.tradeoffs.Score` rows). Parts:
    ``variant`` (Dropdown), ``figure``, ``caption``, ``status``.
    """

    scores = Instance(tuple, allow_none=True, help="the published scores on screen")
    variant = Instance(widgets.Dropdown)
    figure = Instance(go.FigureWidget)

    def __init__(self, variant: str = "instruct") -> None:
        figure = figure_widget(
            height=360, width=FIGURE_WIDTH, barmode="group",
            yaxis=dict(title=f"Score (points out of {t.SCORE_MAX})", range=[0, t.SCORE_MAX]),
            legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
            margin=dict(t=30, b=40),
        )
        for colour, _ in zip(PALETTE, t.models(variant)):
            figure.add_bar(marker_color=colour, textposition="outside", textfont=dict(size=13), cliponaxis=False,
                           hovertemplate="%{hovertext}<extra></extra>")
        parts = dict(
            variant=widgets.Dropdown(options=[(label, key) for key, label in t.VARIANTS.items()], value=variant, description="Scores of:",
                                     style=LABEL, layout=widgets.Layout(width="340px")),
            figure=figure,
            caption=caption(),
            status=status_line(),
        )
        super().__init__([parts["variant"], figure, parts["caption"], parts["status"]], **parts)
        self.watch(self._recompute, self.variant)
        self.watch(self._recompute)()

    def _recompute(self, _change: object = None) -> None:
        self.scores = tuple(t.scores(self.variant.value))

    @observe("scores")
    def _draw(self, _change: object = None) -> None:
        variant = self.variant.value
        with self.figure.batch_update():
            for trace, model in zip(self.figure.data, t.models(variant)):
                mine = [s for s in self.scores if s.model == model]
                trace.update(name=model, x=[s.benchmark for s in mine], y=[s.score for s in mine],
                             text=[f"{s.score:.1f}" for s in mine], hovertext=[_hover(s) for s in mine])
        self.caption.value = caption_html(t.benchmark_caption(variant))
        show_message(self.status, "")


def benchmark_chart(variant: str = "instruct") -> BenchmarkChart:
    """The benchmark chart (see :class:`BenchmarkChart`)."""
    return BenchmarkChart(variant)


SCALES = {"Log axis": "log", "Linear axis": "linear"}
LOG_ROOM, LINEAR_ROOM = 1.25, 1.35  # room for the bar labels beyond the longest bar (the log axis starts at one GPU-hour)


class TuningChart(TradeoffView):
    """Horizontal bars: GPU-hours of a published fine-tuning run and of its base model's pre-training.

    State: ``axis`` (``"log"`` or ``"linear"``). Parts: ``scale`` (ToggleButtons), ``figure``,
    ``caption``, ``status``.
    """

    axis = Unicode(None, allow_none=True, help="the x axis type")
    scale = Instance(widgets.ToggleButtons)
    figure = Instance(go.FigureWidget)

    def __init__(self) -> None:
        pair = t.tuning_vs_training()
        runs = [pair.pre_training, pair.fine_tune]
        figure = figure_widget(height=300, width=FIGURE_WIDTH, showlegend=False, margin=dict(l=250, r=40, t=20, b=50),
                               xaxis=dict(title="GPU-hours"))
        figure.add_bar(
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
        self._ranges = {
            "log": padded_range(pair.longest_gpu_hours, "log", LOG_ROOM),
            "linear": padded_range(pair.longest_gpu_hours, "linear", LINEAR_ROOM),
        }
        parts = dict(
            scale=widgets.ToggleButtons(options=list(SCALES), value="Log axis", description="Scale:", style=dict(button_width="120px", **LABEL)),
            figure=figure,
            caption=caption(),
            status=status_line(),
        )
        super().__init__([parts["scale"], figure, parts["caption"], parts["status"]], **parts)
        self.watch(self._recompute, self.scale)
        self.watch(self._recompute)()

    def _recompute(self, _change: object = None) -> None:
        self.axis = SCALES[self.scale.value]

    @observe("axis")
    def _draw(self, _change: object = None) -> None:
        self.figure.layout.xaxis.update(type=self.axis, range=self._ranges[self.axis])
        self.caption.value = caption_html(t.tuning_caption(self.axis))
        show_message(self.status, "")


def tuning_chart() -> TuningChart:
    """The tuning chart (see :class:`TuningChart`)."""
    return TuningChart()
