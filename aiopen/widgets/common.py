"""What every live view in the kit shares: the :class:`View` base class, palette, sizes,
control styles, the figure factory, captions and callbacks that never raise.

A view is an ipywidgets box around plotly ``FigureWidget`` figures; it renders in
classic-notebook RISE, in JupyterLab and in Voila alike because it only uses the
standard widget manager. ``docs/architecture.md`` follows a slider move from the browser
through a view to the domain layer and back.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import math
import os
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import ipywidgets as widgets
import plotly.graph_objects as go
import plotly.io as pio
from traitlets import Instance

from aiopen.paths import PLOTLY_ESM_ENV

log = logging.getLogger(__name__)

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common
# form of colour-vision deficiency.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion", "sky_blue", "reddish_purple", "yellow", "black")]
GREY = "#9A9A9A"

FONT_SIZE = 16  # readable from the back of a room on a 1280x720 projector
TEMPLATE_NAME = "aiopen"

pio.templates[TEMPLATE_NAME] = go.layout.Template(
    layout=go.Layout(
        font=dict(family="Source Sans Pro, DejaVu Sans, Arial, sans-serif", size=FONT_SIZE, color="#222222"),
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=60, r=20, t=50, b=50),
        xaxis=dict(gridcolor="#E5E5E5", zeroline=False),
        yaxis=dict(gridcolor="#E5E5E5", zeroline=False),
        hoverlabel=dict(font_size=FONT_SIZE),
    )
)

T = TypeVar("T", bound=Callable[..., Any])


# Every plotly FigureWidget carries plotly's whole widget code (about 5 MB of ESM) in its
# synced state, and anywidget parses it again for each figure on a page: nine figures,
# 45 MB and nine parses, enough on two cores for anywidget's 2 s start-up watchdog to
# fire. The kit's servers (aiopen.serving.present, aiopen.serving.publish, aiopen.serving.hub) serve
# that file themselves and name its path in PLOTLY_ESM_ENV, relative to the server's base URL
# ("/" alone, "/user/<name>/" under a JupyterHub); a figure then ships a small module that reads the
# page's base URL (JupyterLab's and Voila's page config, else the classic notebook's
# <body data-base-url>: Voila's body names its own /voila/ folder there) and imports the file
# from there, once per page. Elsewhere (Binder, nbval)
# figures stay self-contained.


def _figure_class() -> type[go.FigureWidget]:
    path = os.environ.get(PLOTLY_ESM_ENV, "").lstrip("/")
    if not path:
        return go.FigureWidget
    shim = (
        'const config = document.getElementById("jupyter-config-data");\n'
        'const base = (config && JSON.parse(config.textContent).baseUrl) || document.body.dataset.baseUrl || "/";\n'
        f"const bundle = await import(new URL(base + {json.dumps(path)}, window.location.origin).href);\n"
        "export default bundle.default;\n"
    )
    return type("ServedFigureWidget", (go.FigureWidget,), {"_esm": shim, "__doc__": "A FigureWidget whose code comes from the server."})


FIGURE_CLASS = _figure_class()


def figure_widget(height: int = 420, width: int | None = None, **layout: Any) -> go.FigureWidget:
    """An empty plotly ``FigureWidget`` in the kit's theme, sized for a 1280x720 slide."""
    fig = FIGURE_CLASS()
    fig.update_layout(template=TEMPLATE_NAME, height=height, width=width, **layout)
    return fig


# Shared by every view: how labels size themselves, the controls' type size, panel widths.
LABEL = {"description_width": "initial"}  # labels as wide as their text, never squeezed or cut
PANEL_WIDTH = 1220  # the widest a view gets on a 1280x720 slide
FIGURE_WIDTH = 1180  # a figure across the slide, in a 1200-pixel view
CONTROL_CSS = (  # ``{scope}`` is a view family's CSS class
    # labels keep the width each control asks for (style.description_width), whatever a
    # slide theme's minimum label width says, so number inputs are never squeezed to nothing
    ".{scope} .widget-label {{min-width:0 !important}}"
    " .{scope} .widget-text input, .{scope} .widget-dropdown select {{min-width:3em}}"
    # ToggleButtons: description and buttons on one line (classic notebook stacks them)
    " .{scope} .widget-toggle-buttons {{display:flex;flex-direction:row;align-items:baseline}}"
    " .{scope} .widget-toggle-buttons > .widget-label {{flex-shrink:0}}"
    # one type size for every control, readable on a projector
    " .{scope} .widget-label, .{scope} select, .{scope} input, .{scope} textarea, .{scope} button,"
    " .{scope} .widget-readout, .{scope} .widget-checkbox label {{font-size:15px !important}}"
    " .{scope} ul {{display:block;margin:2px 0;padding-left:22px}}"  # not reveal.js's inline-block lists
)


def discrete_colorscale(colours: list[str]) -> dict[str, Any]:
    """A heatmap's ``colorscale``, ``zmin`` and ``zmax`` that draw the codes 0 .. n-1 in ``colours``,
    one flat band each (layout arithmetic: where each band starts and ends on plotly's 0..1 scale)."""
    scale: list[list] = []
    for code, colour in enumerate(colours):
        scale += [[code / len(colours), colour], [(code + 1) / len(colours), colour]]
    return dict(colorscale=scale, zmin=-0.5, zmax=len(colours) - 0.5)


def padded_range(longest: float, scale: str = "linear", room: float = 1.08) -> list[float]:
    """An axis range from 0 to ``room`` times ``longest`` as plotly measures the axis (powers of ten
    on a log axis, which then starts at 1), so bar labels and lines clear the edge (layout arithmetic)."""
    return [0, math.log10(longest) * room] if scale == "log" else [0, longest * room]


def scoped_css(scope: str, extra: str = "") -> widgets.HTML:
    """The ``<style>`` block of one view family (``scope`` is its CSS class): :data:`CONTROL_CSS`
    and the family's own ``extra`` rules."""
    return widgets.HTML(
        f"<style>{CONTROL_CSS.format(scope=scope)} {extra}</style>",
        layout=widgets.Layout(margin="0", height="0px", overflow="hidden"),
    )


def sync_figures(box: widgets.Box) -> None:
    """Copy the current data and layout of every FigureWidget inside ``box`` into its
    synced widget state. plotly does this only when a figure is displayed itself; a
    figure inside a box never is, and Voila (which draws from the state once the page
    connects, after the notebook ran) would show it empty."""
    for child in box.children:
        if isinstance(child, go.FigureWidget):
            child._repr_mimebundle_()
        elif isinstance(child, widgets.Box):
            sync_figures(child)


class View(widgets.VBox):
    """A live view: the one way the kit builds a panel.

    Written the way ipywidgets' own widgets are: a class whose parts (controls, figure,
    texts, ``status`` and ``caption`` included) are declared as traits, built in ``__init__``
and handed to ``View.__init__`` with the children that lay them out;
    whose state is a trait computed by a domain function from its controls' values; and
    whose drawing observes that trait (``@observe``). :meth:`watch` connects controls to
    a callback guarded by the status line. A change that moves several controls at once
    runs inside ``with self.hold_trait_notifications():``, so the state's notifications
    are held and the view draws once, with the final state.

    A subclass sets ``scope`` (its family's CSS class), ``width`` (pixels) and ``css``
    (the family's own rules beside :data:`CONTROL_CSS`). When displayed, a view brings its
    nested plotly figures' widget state up to date (see :func:`sync_figures`).
    """

    scope: ClassVar[str] = "aiopen-view"
    width: ClassVar[int] = PANEL_WIDTH
    css: ClassVar[str] = ""

    status = Instance(widgets.HTML, help="where the view says, in plain words, what went wrong or what it is doing")
    caption = Instance(widgets.HTML, allow_none=True, help="the figure's visible text alternative")

    def __init__(self, children: list[widgets.Widget], **parts: Any) -> None:
        super().__init__([scoped_css(self.scope, self.css), *children], layout=widgets.Layout(width=f"{self.width}px"), **parts)
        self.add_class(self.scope)

    def watch(self, callback: Callable[..., Any], *controls: widgets.Widget, names: str = "value") -> Callable[..., Any]:
        """Call ``callback`` (guarded by the status line) when any of ``controls`` changes ``names``."""
        handler = guarded(self.status)(callback)
        for control in controls:
            control.observe(handler, names=names)
        return handler

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        sync_figures(self)
        return super()._repr_mimebundle_(**kwargs)


def caption_html(text: str) -> str:
    """The markup of a visible text alternative for a figure (alt text that sighted viewers can read too)."""
    return f'<p class="aiopen-caption" role="note" style="font-size:14px;color:#444;margin:2px 0">{html.escape(text)}</p>'


def caption(text: str = "") -> widgets.HTML:
    """A caption widget showing ``text`` (see :func:`caption_html`)."""
    return widgets.HTML(caption_html(text))


def status_line() -> widgets.HTML:
    """A one-line area where a widget tells the user, in plain words, what went wrong."""
    return widgets.HTML(value="", layout=widgets.Layout(min_height="1.6em"))


def show_message(status: widgets.HTML, message: str, kind: str = "info") -> None:
    """Write a plain-language message into ``status``; ``kind`` is info, warning or error."""
    colour = {"info": "#222222", "warning": OKABE_ITO["orange"], "error": OKABE_ITO["vermillion"]}[kind]
    status.value = f'<span class="aiopen-{kind}" style="color:{colour};font-size:15px">{html.escape(message)}</span>' if message else ""


def guarded(status: widgets.HTML) -> Callable[[T], T]:
    """Decorate a widget callback so that no exception escapes into the notebook.

    ``ValueError`` carries a sentence written for people (the library raises it for
    bad input) and is shown as is; anything else is logged and summarised, so the
    kernel and the other widgets keep working. The message stays until the same
    callback succeeds (the input was fixed) or something else is written there.
    """

    def decorate(callback: T) -> T:
        @functools.wraps(callback)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                result = callback(*args, **kwargs)
            except ValueError as error:
                show_message(status, str(error), "warning")
            except Exception as error:  # noqa: BLE001 - the point is to catch everything
                log.exception("widget callback failed")
                show_message(status, f"Something went wrong ({type(error).__name__}: {error}). The other controls still work.", "error")
            else:
                if getattr(status, "_aiopen_error", None) == (callback, status.value):
                    show_message(status, "")  # this callback's own error, now fixed
                return result
            status._aiopen_error = (callback, status.value)
            return None

        return wrapper  # type: ignore[return-value]

    return decorate


def enforce_bounds(*controls: widgets.Widget) -> None:
    """Hold sliders (log sliders too) and bounded number boxes to the range the kit gave them, in the kernel.

    A browser can send any synced trait in a comm update, ``max=1_000_000`` included;
    the slider's own limits live in the page. Here ``min`` and ``max`` keep the values
    they have now whatever an update says, and ``value`` is clamped to them, before any
    callback sees it (ipywidgets' own clamp trusts ``max``, which the update may have set).
    """
    for control in controls:
        low, high = control.min, control.max
        control._register_validator(lambda _owner, _proposal, low=low: low, ["min"])
        control._register_validator(lambda _owner, _proposal, high=high: high, ["max"])
        if isinstance(control, widgets.FloatLogSlider):
            low, high = log_slider_range(control)
            control._register_validator(lambda _owner, _proposal, base=control.base: base, ["base"])
        control._register_validator(lambda _owner, proposal, low=low, high=high: _clamped(proposal.value, low, high), ["value"])


def log_slider_range(control: widgets.FloatLogSlider) -> tuple[float, float]:
    """The values a log slider reaches: its ``min`` and ``max`` are exponents of its ``base``."""
    return control.base**control.min, control.base**control.max


def _clamped(value: float, low: float, high: float) -> float:
    return low if value < low else high if value > high else value
