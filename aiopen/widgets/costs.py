""""One size does not fit all": live views of what model size costs, from published figures.

* :class:`TrainingCostChart` (:func:`training_cost_chart`) - parameters vs training GPU-hours or reported CO2, log-log.
* :class:`InferenceCalculator` (:func:`inference_calculator`) - memory, GPUs needed, decode ceiling, $, kWh and CO2 per million tokens.
* :class:`SmallVsBig` (:func:`small_vs_big`) - a small and a big model side by side.

Every figure, note and caption comes from :mod:`aiopen.domain.model_costs` (the sourced
tables and the arithmetic of :mod:`aiopen.domain.costs`); these views lay them out.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import plotly.graph_objects as go
from traitlets import Instance, Unicode, observe

from aiopen.domain import costs, data
from aiopen.domain import model_costs as mc
from aiopen.domain import openness as o
from aiopen.domain.wording import short
from aiopen.widgets.common import GREY, LABEL, OKABE_ITO, View, caption, caption_html, enforce_bounds, figure_widget, padded_range, show_message, status_line

SCOPE = "aiopen-costs"
RESULTS_CSS = (
    f" .{SCOPE} .aiopen-results {{border-collapse:collapse}}"
    f" .{SCOPE} .aiopen-results td {{padding:1px 10px 1px 0;font-size:15px;line-height:1.3;border:none;"
    "border-bottom:1px solid #E5E5E5;text-align:left;vertical-align:top}"
)
CHART_WIDTH = 1000
WIDE = 1200  # the calculator and the side-by-side use the slide's full width
CUSTOM = "(custom size)"
OPENNESS_STYLE = {  # colour and marker symbol, so colour is never the only cue
    "open": (OKABE_ITO["bluish_green"], "circle"),
    "weights": (OKABE_ITO["orange"], "square"),
    "closed": (OKABE_ITO["vermillion"], "diamond"),
    None: (GREY, "x"),
}
LABELLED = {  # a few names printed on the chart (where they do not collide); the rest are in the hover
    "Pythia 70M": "top center",
    "Pythia 12B": "bottom right",
    "Llama 3.1 8B": "top center",
    "Llama 2 70B": "middle left",
    "BLOOM 176B": "bottom center",
    "GPT-3 175B": "middle left",
    "Llama 3.1 405B": "middle left",
}
AXIS_TITLES = {"gpu_hours": "Training GPU-hours (log)", "co2_t": "Reported training CO2eq, tonnes (log)"}
CHOICES = {label: figure for figure, (label, _) in mc.TRAINING_FIGURES.items()}  # toggle label -> figure


class CostView(View):
    scope = SCOPE
    css = RESULTS_CSS


# --- 1. Training cost chart ---------------------------------------------------


def _hover(model: data.Model, figure: str) -> str:
    basis = f" ({model.co2_basis})" if figure == "co2_t" and model.co2_basis else ""
    gpu = f"<br>on {html.escape(model.gpu_type)}" if figure == "gpu_hours" and model.gpu_type else ""
    return (
        f"<b>{html.escape(model.name)}</b> - {html.escape(o.CATEGORY_LABELS[o.category_of(model.release)])}"
        f"<br>{short(model.params)} parameters ({model.verification_of('params')})"
        f"<br>{mc.training_value(model, figure)}{html.escape(basis)}{gpu} ({model.verification_of(figure)})"
        f"<br>Source: {html.escape(model.provenance.source[:90])} (published {model.provenance.published}, read {model.provenance.accessed})"
    )


def _legend() -> str:
    return "; ".join(f"{symbol} = {o.CATEGORY_LABELS[category]}" for category, (_, symbol) in OPENNESS_STYLE.items())


class TrainingCostChart(CostView):
    """Log-log chart of parameters vs training GPU-hours or reported CO2 for the models in the kit.

    State: ``figure_name`` (the published figure on the y axis). Parts: ``y_axis``
    (ToggleButtons), ``figure``, ``caption``, ``status``.
    """

    width = 1020
    figure_name = Unicode(None, allow_none=True, help="the published training figure on the y axis (a key of model_costs.TRAINING_FIGURES)")
    y_axis = Instance(widgets.ToggleButtons)
    figure = Instance(go.FigureWidget)

    def __init__(self) -> None:
        y_axis = widgets.ToggleButtons(options=list(CHOICES), value="Training GPU-hours", description="Y axis:", style={"button_width": "170px", **LABEL})
        fig = figure_widget(
            height=400,
            width=CHART_WIDTH,
            xaxis=dict(type="log", title="Parameters (log)"),
            yaxis=dict(type="log"),
            legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
            margin=dict(t=40, b=50),
        )
        for category, (colour, symbol) in OPENNESS_STYLE.items():
            fig.add_scatter(
                mode="markers+text",
                textfont=dict(size=14),
                name=o.CATEGORY_LABELS[category],
                marker=dict(color=colour, symbol=symbol, size=13, line=dict(color="#222222", width=1)),
                hovertemplate="%{hovertext}<extra></extra>",
            )
        text, status = caption(), status_line()
        super().__init__([y_axis, fig, text, status], y_axis=y_axis, figure=fig, caption=text, status=status)
        self.watch(self._choose, y_axis)
        self.watch(self._choose)()

    def _choose(self, _change: object = None) -> None:
        self.figure_name = CHOICES[self.y_axis.value]

    @observe("figure_name")
    def _draw(self, _change: object = None) -> None:
        groups, _ = mc.training_points(self.figure_name)
        with self.figure.batch_update():
            for trace, models in zip(self.figure.data, groups.values()):
                trace.update(
                    x=[m.params for m in models],
                    y=[getattr(m, self.figure_name) for m in models],
                    hovertext=[_hover(m, self.figure_name) for m in models],
                    text=[m.name if m.name in LABELLED else "" for m in models],
                    textposition=[LABELLED.get(m.name, "top center") for m in models],
                )
            self.figure.layout.yaxis.title.text = AXIS_TITLES[self.figure_name]
        self.caption.value = caption_html(mc.training_caption(self.figure_name, _legend()))
        show_message(self.status, "")


def training_cost_chart() -> TrainingCostChart:
    """The training cost chart (see :class:`TrainingCostChart`)."""
    return TrainingCostChart()


# --- 2. Inference calculator ---------------------------------------------------


def _results_table(rows: tuple[tuple[str, str], ...]) -> str:
    cells = "".join(f"<tr><td>{html.escape(k)}</td><td><b>{html.escape(v)}</b></td></tr>" for k, v in rows)
    return f'<table class="aiopen-results">{cells}</table>'


class InferenceCalculator(CostView):
    """Memory bar, GPUs needed, decode ceiling and $/kWh/CO2 per million tokens for one model on one GPU.

    State: ``report`` (:class:`aiopen.domain.model_costs.InferenceReport`, computed from the
    controls). Parts: ``model`` (Dropdown, or ``CUSTOM``), ``params`` (log slider), ``precision``,
    ``gpu``, ``context``, ``batch``, ``price``, ``carbon``, ``figure``, ``results``,
    ``assumptions``, ``caption``, ``status``.
    """

    report = Instance(mc.InferenceReport, allow_none=True, help="everything the calculator shows, from the domain layer")
    model = Instance(widgets.Dropdown)
    params = Instance(widgets.FloatLogSlider)
    precision = Instance(widgets.ToggleButtons)
    gpu = Instance(widgets.Dropdown)
    context = Instance(widgets.IntText)
    batch = Instance(widgets.IntText)
    price = Instance(widgets.FloatText)
    carbon = Instance(widgets.Dropdown)
    figure = Instance(go.FigureWidget)
    results = Instance(widgets.HTML)
    assumptions = Instance(widgets.HTML)

    def __init__(self, model: str = "Llama 3.1 8B", gpu: str = "H100 SXM") -> None:
        chosen, chosen_gpu = data.model(model), data.gpu(gpu)
        start_price = data.default_price(chosen_gpu.name)
        parts = dict(
            # Options first, then the value, in one constructor call: the default model is what the first view shows.
            model=widgets.Dropdown(options=[CUSTOM, *(m.name for m in data.models() if m.params)], value=chosen.name, description="Model:",
                                   style=LABEL, layout=widgets.Layout(width="290px")),
            params=widgets.FloatLogSlider(value=chosen.params, base=10, min=8, max=12, step=mc.SIZE_STEP, description="Size:", readout_format=".3s",
                                          style=LABEL, layout=widgets.Layout(width="330px")),
            precision=widgets.ToggleButtons(options=list(costs.PRECISIONS), value="bf16", description="Precision:", style=dict(button_width="54px", **LABEL)),
            gpu=widgets.Dropdown(options=[g.name for g in data.gpus()], value=chosen_gpu.name, description="GPU:",
                                 style=LABEL, layout=widgets.Layout(width="250px")),
            context=widgets.IntText(value=costs.DEFAULT_CONTEXT_TOKENS, description="Context (tokens):", style=LABEL, layout=widgets.Layout(width="230px")),
            batch=widgets.IntText(value=1, description="Batch:", style=LABEL, layout=widgets.Layout(width="130px")),
            price=widgets.FloatText(value=start_price.price_per_gpu_hour if start_price else 0.0, description="$ per GPU-hour:",
                                    style=LABEL, layout=widgets.Layout(width="210px")),
            carbon=widgets.Dropdown(
                options=[("(no carbon intensity)", None), *((c.name, c) for c in data.carbon_intensities())],
                index=0,  # value=None would select nothing and show an empty box; index 0 is the "(no carbon intensity)" entry
                description="CO2:", style=LABEL, layout=widgets.Layout(width="390px"),
            ),
            figure=self._memory_figure(),
            results=widgets.HTML(layout=widgets.Layout(width="470px")),
            assumptions=widgets.HTML(layout=widgets.Layout(width="720px", margin="0 0 0 10px")),
            status=status_line(),
            caption=caption(),
        )
        p = parts
        enforce_bounds(p["params"])  # the kernel, not the slider, holds the range
        super().__init__([
            widgets.HBox([p["model"], p["params"], p["gpu"], p["price"]]),
            widgets.HBox([p["precision"], p["context"], p["batch"], p["carbon"]]),
            p["figure"],
            widgets.HBox([p["results"], p["assumptions"]]),
            p["status"],
            p["caption"],
        ], **parts)
        self.watch(self._on_model, self.model)
        self.watch(self._on_params, self.params)
        self.watch(self._on_gpu, self.gpu)
        self.watch(self._recompute, self.precision, self.context, self.batch, self.price, self.carbon)
        self.watch(self._recompute)()

    @staticmethod
    def _memory_figure() -> go.FigureWidget:
        fig = figure_widget(height=200, width=WIDE, barmode="stack", margin=dict(l=20, r=20, t=36, b=50),
                            legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0, traceorder="normal"))
        fig.add_bar(name="Weights", orientation="h", y=["memory"], x=[0], marker=dict(color=OKABE_ITO["blue"]), hovertemplate="Weights: %{x:,.1f} GB<extra></extra>")
        fig.add_bar(name="KV cache", orientation="h", y=["memory"], x=[0], marker=dict(color=OKABE_ITO["orange"], pattern=dict(shape="/")),
                    hovertemplate="KV cache: %{x:,.1f} GB<extra></extra>")
        fig.update_layout(
            xaxis=dict(title="Memory, GB (10^9 bytes); overheads not included", rangemode="tozero"),
            yaxis=dict(showticklabels=False),
            shapes=[dict(type="line", yref="paper", y0=0, y1=1, x0=0, x1=0, line=dict(color=OKABE_ITO["black"], width=3, dash="dash"))],
            annotations=[dict(yref="paper", y=1.02, x=0, text="", showarrow=False, xanchor="right", yanchor="bottom", font=dict(size=15))],
        )
        return fig

    # -- from the controls to the state ---------------------------------------------------

    def _recompute(self, _change: object = None) -> None:
        self.report = mc.inference_report(
            None if self.model.value == CUSTOM else self.model.value, self.params.value, self.precision.value, self.gpu.value,
            self.context.value, self.batch.value, self.price.value, self.carbon.value,
        )
        show_message(self.status, self.report.message, "warning" if self.report.warning else "info")

    def _on_model(self, change: dict) -> None:
        """A model picked from the list moves the size slider to its published size."""
        with self.hold_trait_notifications():
            if change["new"] != CUSTOM:
                self.params.value = data.model(change["new"]).params
            self._recompute()

    def _on_params(self, change: dict) -> None:
        """A size of its own makes the model a custom one; the slider's rounding of the chosen model's size does not."""
        with self.hold_trait_notifications():
            if self.model.value != CUSTOM and not mc.same_size(change["new"], data.model(self.model.value).params):
                self.model.value = CUSTOM
            self._recompute()

    def _on_gpu(self, change: dict) -> None:
        """Another GPU brings its dated default price, when the kit has one."""
        default = data.default_price(change["new"])
        with self.hold_trait_notifications():
            if default is not None:
                self.price.value = default.price_per_gpu_hour
            self._recompute()

    # -- from the state to the screen -----------------------------------------------------

    @observe("report")
    def _draw(self, _change: object = None) -> None:
        report, estimate = self.report, self.report.estimate
        memory = estimate.gpu_memory_gb
        gpus = estimate.serving.gpus
        with self.figure.batch_update():
            self.figure.data[0].x = [estimate.weights_gb]
            self.figure.data[1].x = [estimate.kv_gb]
            self.figure.layout.shapes[0].x0 = self.figure.layout.shapes[0].x1 = memory
            self.figure.layout.annotations[0].x = memory
            need = f"; {gpus:,} needed" if gpus > 1 else ""
            self.figure.layout.annotations[0].text = f"one {report.gpu.name}: {memory:g} GB{need}"
            self.figure.layout.xaxis.range = padded_range(estimate.memory_axis_gb)
        self.results.value = _results_table(report.rows)
        lines = "<br>".join(html.escape(note) for note in report.notes)
        self.assumptions.value = f'<div style="font-size:14px;color:#333;line-height:1.3">{lines}</div>'
        self.caption.value = caption_html(report.caption)


def inference_calculator(model: str = "Llama 3.1 8B", gpu: str = "H100 SXM") -> InferenceCalculator:
    """The inference calculator (see :class:`InferenceCalculator`)."""
    return InferenceCalculator(model, gpu)


# --- 3. Small vs big -----------------------------------------------------------

SMALL_SAYS = "Small: less general · easy to tune to \u201cgood enough\u201d · much lower cost and carbon"
BIG_SAYS = "Big: more general · highest benchmark scores · much higher cost and carbon"
SCALES = ("log", "linear", "log", "log", "log")  # one y axis per figure of model_costs.COMPARED


class SmallVsBig(CostView):
    """A small and a big model side by side: memory, GPUs, decode ceiling, training GPU-hours and CO2.

    State: ``comparison`` (:class:`aiopen.domain.model_costs.Comparison`). Parts: ``small``,
    ``big`` (Dropdowns), ``precision``, ``gpu``, ``figure``, ``caption``, ``status``.
    """

    comparison = Instance(mc.Comparison, allow_none=True, help="both models' figures, from the domain layer")
    small = Instance(widgets.Dropdown)
    big = Instance(widgets.Dropdown)
    precision = Instance(widgets.ToggleButtons)
    gpu = Instance(widgets.Dropdown)
    figure = Instance(go.FigureWidget)

    def __init__(self, small: str = "SmolLM2-135M", big: str = "Llama 3.1 405B", gpu: str = "H100 SXM") -> None:
        names = [m.name for m in data.models() if m.params]
        parts = dict(
            small=widgets.Dropdown(options=names, value=data.model(small).name, description="Small:", style=LABEL, layout=widgets.Layout(width="260px")),
            big=widgets.Dropdown(options=names, value=data.model(big).name, description="Big:", style=LABEL, layout=widgets.Layout(width="250px")),
            precision=widgets.ToggleButtons(options=list(costs.PRECISIONS), value="bf16", description="Precision:", style=dict(button_width="54px", **LABEL)),
            gpu=widgets.Dropdown(options=[g.name for g in data.gpus()], value=data.gpu(gpu).name, description="GPU:", style=LABEL, layout=widgets.Layout(width="220px")),
            figure=self._bars(),
            status=status_line(),
            caption=caption(),
        )
        says = widgets.HTML(
            f'<div style="font-size:16px;line-height:1.35"><div style="color:{OKABE_ITO["bluish_green"]}"><b>{html.escape(SMALL_SAYS)}</b></div>'
            f'<div style="color:{OKABE_ITO["vermillion"]}"><b>{html.escape(BIG_SAYS)}</b>'
            '<span style="font-size:14px;color:#444;font-weight:normal"> &nbsp;(the talk\'s trade-off, in words; the bars are published figures and arithmetic)</span></div></div>'
        )
        p = parts
        super().__init__([says, widgets.HBox([p["small"], p["big"], p["gpu"], p["precision"]]), p["figure"], p["status"], p["caption"]], **parts)
        self._titles = list(self.figure.layout.annotations)
        self.watch(self._recompute, self.small, self.big, self.precision, self.gpu)
        self.watch(self._recompute)()

    @staticmethod
    def _bars() -> go.FigureWidget:
        fig = figure_widget(height=360, width=WIDE, showlegend=False, margin=dict(l=60, r=10, t=50, b=90))
        fig.set_subplots(rows=1, cols=len(mc.COMPARED), subplot_titles=mc.COMPARED, horizontal_spacing=0.06)
        for column, scale in enumerate(SCALES, start=1):
            fig.add_bar(
                x=["small", "big"],
                y=[None, None],
                marker=dict(color=[OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"]]),
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{x}: %{y:,.4g}<extra></extra>",
                row=1,
                col=column,
            )
            fig.update_yaxes(type=scale, row=1, col=column, showticklabels=False, showgrid=False)
            fig.update_xaxes(tickangle=-30, row=1, col=column)
        for annotation in fig.layout.annotations:
            annotation.font.size = 15
        return fig

    def _recompute(self, _change: object = None) -> None:
        self.comparison = mc.compare(self.small.value, self.big.value, self.precision.value, self.gpu.value)
        show_message(self.status, self.comparison.message, "info")

    @observe("comparison")
    def _draw(self, _change: object = None) -> None:
        c = self.comparison
        axes = [trace.xaxis for trace in self.figure.data]  # "x", "x2", ... one per figure
        gaps = [
            dict(xref=axis, yref="paper", x=label, y=0.02, text="not<br>published", showarrow=False, font=dict(size=14, color="#444"))
            for axis, pair in zip(axes, zip(c.small, c.big))
            for label, value in zip(c.labels, pair)
            if value is None
        ]
        with self.figure.batch_update():
            for trace, pair in zip(self.figure.data, zip(c.small, c.big)):
                trace.x, trace.y, trace.text = c.labels, pair, [short(v) if v else "" for v in pair]
            self.figure.layout.annotations = [*self._titles, *gaps]
        self.caption.value = caption_html(c.caption)


def small_vs_big(small: str = "SmolLM2-135M", big: str = "Llama 3.1 405B", gpu: str = "H100 SXM") -> SmallVsBig:
    """The small-vs-big comparison (see :class:`SmallVsBig`)."""
    return SmallVsBig(small, big, gpu)
