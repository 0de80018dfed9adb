""""One size does not fit all": live charts of what model size costs, from published figures.

* :func:`training_cost_chart` - parameters vs training GPU-hours or reported CO2, log-log.
* :func:`inference_calculator` - memory, GPUs needed, decode ceiling, $ and kWh per million tokens.
* :func:`small_vs_big` - a small and a big model side by side.

Every number comes from ``aiopen/domain/data/*.csv`` (with source and verification) or from
the arithmetic in :mod:`aiopen.domain.costs`. Controls are attributes of the returned
container (``w.figure``, ``w.model``, ``w.precision`` ...) so tests can drive them.
"""

from __future__ import annotations

import datetime
import html
import math
import re

import ipywidgets as widgets

from aiopen.domain import costs
from aiopen.domain import data
from aiopen.domain import openness as o
from aiopen.widgets.common import GREY, OKABE_ITO, caption, figure_widget, guarded, panel, show_message, status_line

FIGURE_WIDTH = 1000
WIDE = 1200  # the calculator and the side-by-side use the slide's full width
LABEL = {"description_width": "initial"}  # labels as wide as their text, never squeezed or cut
GIB = 2**30
MIB = 2**20
CUSTOM = "(custom size)"
KV_PRECISION = "bf16"
CONTROL_CSS = (
    ".aiopen-costs .widget-label, .aiopen-costs select, .aiopen-costs input, .aiopen-costs button,"
    " .aiopen-costs .widget-readout {font-size:15px !important}"
    " .aiopen-costs .aiopen-results {border-collapse:collapse}"
    " .aiopen-costs .aiopen-results td {padding:1px 10px 1px 0;font-size:15px;line-height:1.3;border:none;"
    "border-bottom:1px solid #E5E5E5;text-align:left;vertical-align:top}"
)
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
ACCELERATOR = re.compile(r"[A-Z]+\d{2,}[A-Z]*")  # e.g. "A100" in "A100-80GB"
Y_CHOICES = {
    "Training GPU-hours": ("gpu_hours", "Training GPU-hours (log)", "{:,.0f} GPU-h"),
    "Reported CO2 (t)": ("co2_t", "Reported training CO2eq, tonnes (log)", "{:,.1f} t CO2eq"),
}


def _container(children: list[widgets.Widget], width: int = FIGURE_WIDTH + 20, **parts: widgets.Widget) -> widgets.VBox:
    return panel("aiopen-costs", children, width, CONTROL_CSS, **parts)


def _short(value: float) -> str:
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def _bytes(value: float) -> str:
    return f"{value / 1e9:,.2f} GB ({value / GIB:,.2f} GiB)" if value >= 1e8 else f"{value / MIB:,.1f} MiB"


def _per_s(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.2g}"


# --- 1. Training cost chart ---------------------------------------------------


def _hover(model: data.Model, figure: str, template: str) -> str:
    value = getattr(model, figure)
    basis = f" ({model.co2_basis})" if figure == "co2_t" and model.co2_basis else ""
    gpu = f"<br>on {html.escape(model.gpu_type)}" if figure == "gpu_hours" and model.gpu_type else ""
    return (
        f"<b>{html.escape(model.name)}</b> - {html.escape(o.CATEGORY_LABELS[o.category_of(model.release)])}"
        f"<br>{_short(model.params)} parameters ({model.verification_of('params')})"
        f"<br>{template.format(value)}{html.escape(basis)}{gpu} ({model.verification_of(figure)})"
        f"<br>Source: {html.escape(model.provenance.source[:90])} (published {model.provenance.published}, read {model.provenance.accessed})"
    )


def _training_series(figure: str, template: str) -> tuple[dict, list[str]]:
    """Per openness category: x, y, hover text, label, label position; plus the models with no published value."""
    series: dict = {category: ([], [], [], [], []) for category in OPENNESS_STYLE}
    missing = []
    for model in data.models():
        value = getattr(model, figure)
        if model.params is None or not value:  # None = not published; 0 cannot sit on a log axis
            missing.append(model.name)
            continue
        category = o.category_of(model.release)
        xs, ys, texts, labels, positions = series[category]
        xs.append(model.params)
        ys.append(value)
        texts.append(_hover(model, figure, template))
        labels.append(model.name if model.name in LABELLED else "")
        positions.append(LABELLED.get(model.name, "top center"))
    return series, missing


def _accelerators() -> list[str]:
    """Accelerator names (A100, H100 ...) of the models with published GPU-hours, in the order of their names."""
    found = {m.group() for model in data.models() if model.gpu_hours and model.params for m in [ACCELERATOR.search(model.gpu_type or "")] if m}
    return sorted(found)


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _legend() -> str:
    return "; ".join(f"{symbol} = {o.CATEGORY_LABELS[category]}" for category, (_, symbol) in OPENNESS_STYLE.items())


def _training_caption(choice: str, series: dict, missing: list[str]) -> str:
    figure, _, template = Y_CHOICES[choice]
    points = [(x, y) for xs, ys, *_ in series.values() for x, y in zip(xs, ys)]
    low, high = min(points, key=lambda p: p[0]), max(points, key=lambda p: p[0])
    note = f" GPU-hours mix {_names(_accelerators())} generations, so equal hours are not equal work." if figure == "gpu_hours" else (
        " CO2 is as each source reports it (location-based, dynamic-power-only or estimated), so compare orders of magnitude, not digits."
    )
    return (
        f"Log-log scatter of {len(points)} published models: parameters (x) against {choice} (y), "
        f"from {_short(low[0])} parameters at {template.format(low[1])} to {_short(high[0])} at {template.format(high[1])}. "
        f"Colour and marker show openness, derived from the openness tables: {_legend()}.{note} "
        f"Not shown (no published value): {', '.join(missing) or 'none'}."
    )


def training_cost_chart() -> widgets.VBox:
    """Log-log chart of parameters vs training GPU-hours or reported CO2 for the models in the kit.

    Attributes: ``figure``, ``y_axis`` (ToggleButtons), ``caption``, ``status``.
    """
    y_axis = widgets.ToggleButtons(options=list(Y_CHOICES), value="Training GPU-hours", description="Y axis:", style={"button_width": "170px", **LABEL})
    status = status_line()
    fig = figure_widget(
        height=400,
        width=FIGURE_WIDTH,
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
            marker=dict(color=colour, symbol=symbol, size=13, line=dict(width=1, color="#222222")),
            hovertemplate="%{hovertext}<extra></extra>",
        )
    text = caption("")
    precomputed = {choice: _training_series(figure, template) for choice, (figure, _, template) in Y_CHOICES.items()}

    @guarded(status)
    def redraw(_change: object = None) -> None:
        series, missing = precomputed[y_axis.value]
        with fig.batch_update():
            for trace, (xs, ys, texts, labels, positions) in zip(fig.data, series.values()):
                trace.update(x=xs, y=ys, hovertext=texts, text=labels, textposition=positions)
            fig.layout.yaxis.title.text = Y_CHOICES[y_axis.value][1]
        text.value = caption(_training_caption(y_axis.value, series, missing)).value
        show_message(status, "")

    y_axis.observe(redraw, names="value")
    redraw()
    return _container([y_axis, fig, text, status], figure=fig, y_axis=y_axis, caption=text, status=status, redraw=redraw)


# --- 2. Inference calculator ---------------------------------------------------


def _nearest_architecture(params: float) -> data.Model:
    """The model with a published architecture whose size is closest (on a log scale) to ``params``."""
    candidates = [m for m in data.models() if m.architecture and m.params]
    return min(candidates, key=lambda m: abs(math.log(m.params / params)))


def _kv_bytes(architecture: data.Architecture, context: int, batch: int) -> float:
    return costs.kv_cache_bytes(architecture.layers, architecture.kv_heads, architecture.head_dim, context, batch, KV_PRECISION)


def _stale_warning(price: data.Price, today: datetime.date) -> str:
    """A sentence flagging a price past its stated validity, or "" while it is valid."""
    if not price.is_stale(today):
        return ""
    return f"STALE PRICE: the default price for {price.gpu} ({price.offer}) was {price.valid}; today is {today.isoformat()}. Enter a current price."


def _price_note(gpu: data.Gpu, price: float, today: datetime.date) -> str:
    default = data.default_price(gpu.name)
    if default is None:
        return f"Price ${price:,.3g}/GPU-hour is your input: the kit has no sourced price for {gpu.name}."
    stale = " It is past that date: stale, shown only as a dated example." if default.is_stale(today) else ""
    if math.isclose(price, default.price_per_gpu_hour):
        return (
            f"Price ${price:,.3g}/GPU-hour: {default.offer}, {default.valid} "
            f"({default.provenance.source}; {default.provenance.verification}).{stale} Edit it to try your own."
        )
    return f"Price ${price:,.3g}/GPU-hour is your input (dated default for {gpu.name}: ${default.price_per_gpu_hour:,.3g}, {default.valid}{', stale' if stale else ''})."


SIZE_STEP = 0.0001  # log10 step of the size slider: fine enough that its readout matches the model


def _same_size(value: float, params: float) -> bool:
    """True when ``value`` is ``params`` rounded to the size slider's step (as a browser slider does)."""
    return value > 0 and abs(math.log10(value / params)) <= SIZE_STEP


def _results_table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><td>{html.escape(k)}</td><td><b>{html.escape(v)}</b></td></tr>" for k, v in rows)
    return f'<table class="aiopen-results">{cells}</table>'


def inference_calculator(model: str = "Llama 3.1 8B", gpu: str = "H100 SXM") -> widgets.VBox:
    """Memory bar, GPUs needed, decode ceiling and $/kWh/CO2 per million tokens for one model on one GPU.

    Attributes: ``figure``, ``model`` (Dropdown), ``params`` (log slider), ``precision``,
    ``gpu``, ``context``, ``batch``, ``price``, ``carbon``, ``results``, ``assumptions``,
    ``caption``, ``status``.
    """
    chosen = data.model(model)
    chosen_gpu = data.gpu(gpu)
    with_params = [m for m in data.models() if m.params]
    # Options first, then the value, in one constructor call: the default model is what the first view shows.
    model_box = widgets.Dropdown(options=[CUSTOM, *(m.name for m in with_params)], value=chosen.name, description="Model:",
                                 style=LABEL, layout=widgets.Layout(width="290px"))
    params_box = widgets.FloatLogSlider(value=chosen.params, base=10, min=8, max=12, step=SIZE_STEP, description="Size:", readout_format=".3s",
                                        style=LABEL, layout=widgets.Layout(width="330px"))
    precision_box = widgets.ToggleButtons(options=list(costs.PRECISIONS), value="bf16", description="Precision:", style=dict(button_width="54px", **LABEL))
    gpu_box = widgets.Dropdown(options=[g.name for g in data.gpus()], value=chosen_gpu.name, description="GPU:",
                               style=LABEL, layout=widgets.Layout(width="250px"))
    context_box = widgets.IntText(value=costs.DEFAULT_CONTEXT_TOKENS, description="Context (tokens):", style=LABEL, layout=widgets.Layout(width="230px"))
    batch_box = widgets.IntText(value=1, description="Batch:", style=LABEL, layout=widgets.Layout(width="130px"))
    start_price = data.default_price(chosen_gpu.name)
    price_box = widgets.FloatText(
        value=start_price.price_per_gpu_hour if start_price else 0.0,
        description="$ per GPU-hour:",
        style=LABEL,
        layout=widgets.Layout(width="210px"),
    )
    carbon_box = widgets.Dropdown(
        options=[("(no carbon intensity)", None), *((c.name, c) for c in data.carbon_intensities())],
        index=0,  # value=None would select nothing and show an empty box; index 0 is the "(no carbon intensity)" entry
        description="CO2:",
        style=LABEL,
        layout=widgets.Layout(width="390px"),
    )
    status = status_line()
    results = widgets.HTML(layout=widgets.Layout(width="470px"))
    assumptions = widgets.HTML(layout=widgets.Layout(width="720px", margin="0 0 0 10px"))
    text = caption("")
    fig = figure_widget(height=200, width=WIDE, barmode="stack", margin=dict(l=20, r=20, t=36, b=50),
                        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0, traceorder="normal"))
    fig.add_bar(name="Weights", orientation="h", y=["memory"], x=[0], marker=dict(color=OKABE_ITO["blue"]), hovertemplate="Weights: %{x:,.1f} GB<extra></extra>")
    fig.add_bar(
        name="KV cache",
        orientation="h",
        y=["memory"],
        x=[0],
        marker=dict(color=OKABE_ITO["orange"], pattern=dict(shape="/")),
        hovertemplate="KV cache: %{x:,.1f} GB<extra></extra>",
    )
    fig.update_layout(
        xaxis=dict(title="Memory, GB (10^9 bytes); overheads not included", rangemode="tozero"),
        yaxis=dict(showticklabels=False),
        shapes=[dict(type="line", yref="paper", y0=0, y1=1, x0=0, x1=0, line=dict(color=OKABE_ITO["black"], width=3, dash="dash"))],
        annotations=[dict(yref="paper", y=1.02, x=0, text="", showarrow=False, xanchor="right", yanchor="bottom", font=dict(size=15))],
    )
    syncing = {"on": False}

    def kv_for(params: float) -> tuple[float, str]:
        selected = model_box.value
        context, batch = context_box.value, batch_box.value
        if context <= 0 or batch <= 0:
            raise ValueError("Context length and batch must be whole numbers of at least 1.")
        if selected != CUSTOM:
            m = data.model(selected)
            if m.architecture is None:
                return 0.0, f"KV cache not included: {m.name} has no published architecture (layers, KV heads, head size) in the kit."
            a = m.architecture
            return _kv_bytes(a, context, batch), (
                f"KV cache uses {m.name}'s {a.layers} layers x {a.kv_heads} KV heads x {a.head_dim} head size "
                f"({a.provenance.verification}), kept in {KV_PRECISION} whatever the weight precision (an assumption)."
            )
        near = _nearest_architecture(params)
        a = near.architecture
        return _kv_bytes(a, context, batch), (
            f"Custom size: no published architecture, so the KV cache borrows the shape of {near.name} "
            f"({a.layers} layers x {a.kv_heads} KV heads x {a.head_dim}), the nearest size with one. "
            f"That is an assumption about your model, not a property of it (derived)."
        )

    def size() -> float:
        """The chosen model's published size, or the slider's for a custom size (the slider may round it)."""
        return params_box.value if model_box.value == CUSTOM else data.model(model_box.value).params

    @guarded(status)
    def redraw(_change: object = None) -> None:
        today = datetime.date.today()
        params = size()
        gpu_row = data.gpu(gpu_box.value)
        kv, kv_note = kv_for(params)
        estimate = costs.serving_estimate(params, precision_box.value, gpu_row.memory_bytes, gpu_row.bandwidth_bytes_per_s, kv, batch_box.value)
        price = price_box.value
        if price is None or math.isnan(price) or price < 0:
            raise ValueError("The price per GPU-hour must be zero or more.")
        dollars = costs.cost_per_million_tokens(price, estimate.gpus, estimate.tokens_per_s)
        rows = [
            ("Weights", _bytes(estimate.weights_bytes)),
            ("KV cache", _bytes(estimate.kv_bytes) if kv else "not included"),
            (f"{gpu_row.name}s needed", f"{estimate.gpus:,} x {gpu_row.memory_gb:g} GB"),
            ("Decode ceiling, 1 sequence", f"{_per_s(estimate.batch1_tokens_per_s)} tokens/s"),
            (f"Ceiling, batch {batch_box.value:,}", f"{_per_s(estimate.tokens_per_s)} tokens/s"),
            ("Cost per million tokens", f"${dollars:,.4g}"),
        ]
        if gpu_row.power_w:
            energy = costs.energy_kwh_per_million_tokens(gpu_row.power_w, estimate.gpus, estimate.tokens_per_s)
            rows.append(("Energy per million tokens", f"{energy:,.3g} kWh at {gpu_row.power_w:g} W per GPU"))
        else:
            energy = None
            rows.append(("Energy per million tokens", f"no sourced power figure for {gpu_row.name}"))
        intensity = carbon_box.value
        if intensity is not None:
            if intensity.kg_co2_per_kwh is not None and energy is not None:
                rows.append(("CO2 per million tokens", f"{costs.co2_kg_from_energy(energy, intensity.kg_co2_per_kwh):,.3g} kg at {intensity.kg_co2_per_kwh:g} kg/kWh"))
            elif intensity.kg_co2_per_gpu_hour is not None:
                hours = costs.gpu_hours_per_million_tokens(estimate.gpus, estimate.tokens_per_s)
                rows.append(("CO2 per million tokens", f"{hours * intensity.kg_co2_per_gpu_hour:,.3g} kg at {intensity.kg_co2_per_gpu_hour:g} kg/GPU-hour"))
            else:
                rows.append(("CO2 per million tokens", "needs a power figure for this GPU"))
        memory = gpu_row.memory_bytes / 1e9
        with fig.batch_update():
            fig.data[0].x = [estimate.weights_bytes / 1e9]
            fig.data[1].x = [estimate.kv_bytes / 1e9]
            fig.layout.shapes[0].x0 = fig.layout.shapes[0].x1 = memory
            fig.layout.annotations[0].x = memory
            need = f"; {estimate.gpus:,} needed" if estimate.gpus > 1 else ""
            fig.layout.annotations[0].text = f"one {gpu_row.name}: {memory:g} GB{need}"
            fig.layout.xaxis.range = [0, 1.08 * max(memory, estimate.total_bytes / 1e9)]
        results.value = _results_table(rows)
        notes = [
            kv_note,
            "Ceilings are memory-bandwidth bounds with an ideal split over the GPUs; compute limits, activations and framework overheads are not included, so large batches are overstated.",
            f"{gpu_row.name}: {gpu_row.memory_gb:g} GB, {gpu_row.bandwidth_gb_s:,g} GB/s ({gpu_row.provenance.source}; {gpu_row.provenance.verification}).",
            _price_note(gpu_row, price, today),
        ]
        if intensity is not None:
            notes.append(f"CO2: {intensity.name} ({intensity.provenance.source}; {intensity.provenance.verification}).")
        lines = "<br>".join(html.escape(note) for note in notes)
        assumptions.value = f'<div style="font-size:14px;color:#333;line-height:1.3">{lines}</div>'
        text.value = caption(
            f"Horizontal bar: {_short(params)} parameters in {precision_box.value} need {_bytes(estimate.total_bytes)} "
            f"(weights plus KV cache for {context_box.value:,} tokens x batch {batch_box.value:,}); the dashed line is one "
            f"{gpu_row.name} with {memory:g} GB, so it needs {estimate.gpus:,} of them."
        ).value
        default = data.default_price(gpu_row.name)
        stale = _stale_warning(default, today) if default is not None and math.isclose(price, default.price_per_gpu_hour) else ""
        message = stale
        if estimate.gpus > 8:
            message = (message + (
                f" This needs {estimate.gpus:,} {gpu_row.name}s: more than one 8-GPU server. "
                "Links between GPUs are not modelled, so the speeds shown are optimistic."
            )).strip()
        if price == 0:
            message = (message + " A price of $0 gives $0 per million tokens.").strip()
        show_message(status, message, "warning" if stale else "info")

    @guarded(status)
    def on_model(_change: object) -> None:
        if model_box.value == CUSTOM:
            redraw()
            return
        syncing["on"] = True
        try:
            params_box.value = data.model(model_box.value).params
        finally:
            syncing["on"] = False
        redraw()

    @guarded(status)
    def on_params(change: dict) -> None:
        if not syncing["on"] and model_box.value != CUSTOM and _same_size(change["new"], data.model(model_box.value).params):
            return  # the browser's slider rounded the model's size to its step: still the same model
        if not syncing["on"] and model_box.value != CUSTOM:
            syncing["on"] = True
            try:
                model_box.value = CUSTOM
            finally:
                syncing["on"] = False
        redraw()

    @guarded(status)
    def on_gpu(_change: object) -> None:
        default = data.default_price(gpu_box.value)
        if default is not None:
            price_box.unobserve(redraw, names="value")
            price_box.value = default.price_per_gpu_hour
            price_box.observe(redraw, names="value")
        redraw()

    model_box.observe(on_model, names="value")
    params_box.observe(on_params, names="value")
    gpu_box.observe(on_gpu, names="value")
    for box in (precision_box, context_box, batch_box, price_box, carbon_box):
        box.observe(redraw, names="value")
    redraw()
    controls = [
        widgets.HBox([model_box, params_box, gpu_box, price_box]),
        widgets.HBox([precision_box, context_box, batch_box, carbon_box]),
    ]
    return _container(
        [*controls, fig, widgets.HBox([results, assumptions]), status, text],
        width=WIDE + 20,
        figure=fig,
        model=model_box,
        params=params_box,
        precision=precision_box,
        gpu=gpu_box,
        context=context_box,
        batch=batch_box,
        price=price_box,
        carbon=carbon_box,
        results=results,
        assumptions=assumptions,
        caption=text,
        status=status,
        redraw=redraw,
    )


# --- 3. Small vs big -----------------------------------------------------------

SMALL_SAYS = "Small: less general · easy to tune to \u201cgood enough\u201d · much lower cost and carbon"
BIG_SAYS = "Big: more general · highest benchmark scores · much higher cost and carbon"
PANELS = (
    ("Weights, GB", "log"),
    ("GPUs needed", "linear"),
    ("Decode ceiling, tokens/s", "log"),
    ("Training GPU-hours", "log"),
    ("Training CO2eq, t", "log"),
)


def _side(model: data.Model, precision: str, gpu: data.Gpu) -> tuple[list[float | None], costs.ServingEstimate]:
    estimate = costs.serving_estimate(model.params, precision, gpu.memory_bytes, gpu.bandwidth_bytes_per_s)
    values = [estimate.weights_bytes / 1e9, estimate.gpus, estimate.batch1_tokens_per_s, model.gpu_hours, model.co2_t or None]
    return values, estimate


def small_vs_big(small: str = "SmolLM2-135M", big: str = "Llama 3.1 405B", gpu: str = "H100 SXM") -> widgets.VBox:
    """A small and a big model side by side: memory, GPUs, decode ceiling, training GPU-hours and CO2.

    Attributes: ``figure``, ``small``, ``big`` (Dropdowns), ``precision``, ``gpu``, ``caption``, ``status``.
    """
    names = [m.name for m in data.models() if m.params]
    small_box = widgets.Dropdown(options=names, value=data.model(small).name, description="Small:", style=LABEL, layout=widgets.Layout(width="260px"))
    big_box = widgets.Dropdown(options=names, value=data.model(big).name, description="Big:", style=LABEL, layout=widgets.Layout(width="250px"))
    precision_box = widgets.ToggleButtons(options=list(costs.PRECISIONS), value="bf16", description="Precision:", style=dict(button_width="54px", **LABEL))
    gpu_box = widgets.Dropdown(options=[g.name for g in data.gpus()], value=data.gpu(gpu).name, description="GPU:", style=LABEL, layout=widgets.Layout(width="220px"))
    status = status_line()
    text = caption("")
    says = widgets.HTML(
        f'<div style="font-size:16px;line-height:1.35"><div style="color:{OKABE_ITO["bluish_green"]}"><b>{html.escape(SMALL_SAYS)}</b></div>'
        f'<div style="color:{OKABE_ITO["vermillion"]}"><b>{html.escape(BIG_SAYS)}</b>'
        '<span style="font-size:14px;color:#444;font-weight:normal"> &nbsp;(the talk\'s trade-off, in words; the bars are published figures and arithmetic)</span></div></div>'
    )
    fig = figure_widget(height=360, width=WIDE, showlegend=False, margin=dict(l=60, r=10, t=50, b=90))
    fig.set_subplots(rows=1, cols=len(PANELS), subplot_titles=[title for title, _ in PANELS], horizontal_spacing=0.06)
    for column, (_, scale) in enumerate(PANELS, start=1):
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
    titles = list(fig.layout.annotations)

    @guarded(status)
    def redraw(_change: object = None) -> None:
        small_model, big_model = data.model(small_box.value), data.model(big_box.value)
        gpu_row = data.gpu(gpu_box.value)
        small_values, small_est = _side(small_model, precision_box.value, gpu_row)
        big_values, big_est = _side(big_model, precision_box.value, gpu_row)
        labels = [small_model.name, big_model.name]
        if labels[0] == labels[1]:  # equal category names would draw both bars in one place
            labels = [f"{labels[0]} (small)", f"{labels[1]} (big)"]
        missing = [
            f"{PANELS[column][0]} of {name}"
            for column, pair in enumerate(zip(small_values, big_values))
            for name, value in zip(labels, pair)
            if value is None
        ]
        gaps = [
            dict(xref=f"x{c + 1 if c else ''}", yref="paper", x=side, y=0.02, text="not<br>published", showarrow=False, font=dict(size=14, color="#444"))
            for c, (a, b) in enumerate(zip(small_values, big_values))
            for side, value in ((labels[0], a), (labels[1], b))
            if value is None
        ]
        with fig.batch_update():
            for trace, a, b in zip(fig.data, small_values, big_values):
                trace.x, trace.y, trace.text = labels, [a, b], [_short(v) if v else "" for v in (a, b)]
            fig.layout.annotations = titles + gaps
        ratio = big_est.weights_bytes / small_est.weights_bytes
        text.value = caption(
            f"Five bar pairs comparing {labels[0]} (green, left) with {labels[1]} (red, right) in {precision_box.value} on {gpu_row.name}: "
            f"weights {small_values[0]:,.3g} vs {big_values[0]:,.3g} GB ({ratio:,.0f}x), GPUs needed {small_est.gpus:,} vs {big_est.gpus:,}, "
            f"batch-1 decode ceiling {small_est.batch1_tokens_per_s:,.0f} vs {big_est.batch1_tokens_per_s:,.0f} tokens/s (ideal split over the GPUs). "
            f"Training GPU-hours and CO2 are as published (see training_cost_chart for sources). "
            f"Not published: {'; '.join(missing) or 'nothing'}."
        ).value
        message = ""
        if small_model.name == big_model.name:
            message = "Pick two different models to compare."
        elif small_model.params > big_model.params:
            message = f"Note: the 'small' pick ({labels[0]}) is bigger than the 'big' one ({labels[1]})."
        show_message(status, message, "info")

    for box in (small_box, big_box, precision_box, gpu_box):
        box.observe(redraw, names="value")
    redraw()
    return _container(
        [says, widgets.HBox([small_box, big_box, gpu_box, precision_box]), fig, status, text],
        width=WIDE + 20,
        figure=fig,
        small=small_box,
        big=big_box,
        precision=precision_box,
        gpu=gpu_box,
        caption=text,
        status=status,
        redraw=redraw,
    )
