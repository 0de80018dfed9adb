"""What every live widget in the kit shares: palette, figure factory, captions, safe callbacks.

The widgets are ipywidgets containers around a plotly ``FigureWidget``. They render
in classic-notebook RISE, in JupyterLab and in Voila alike because they only use
the standard widget manager (see README, "Why classic RISE").
"""

from __future__ import annotations

import functools
import html
import json
import logging
import os
from collections.abc import Callable
from typing import Any, TypeVar

import ipywidgets as widgets
import plotly.graph_objects as go
import plotly.io as pio

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


def scoped_css(scope: str, extra: str = "") -> widgets.HTML:
    """A ``<style>`` block for one widget family (``scope`` is the container's CSS class).

    Labels keep the width each control asks for (``style.description_width``), whatever
    a slide theme's minimum label width says, so number inputs are never squeezed to nothing;
    a ToggleButtons' description sits on the same line as its buttons.
    """
    return widgets.HTML(
        f"<style>.{scope} .widget-label {{min-width:0 !important}}"
        f" .{scope} .widget-text input, .{scope} .widget-dropdown select {{min-width:3em}}"
        # ToggleButtons: description and buttons on one line (classic notebook stacks them)
        f" .{scope} .widget-toggle-buttons {{display:flex;flex-direction:row;align-items:baseline}}"
        f" .{scope} .widget-toggle-buttons > .widget-label {{flex-shrink:0}} {extra}</style>",
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


class LiveBox(widgets.VBox):
    """A VBox whose nested plotly figures are up to date in its widget state whenever
    it is displayed (see :func:`sync_figures`)."""

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        sync_figures(self)
        return super()._repr_mimebundle_(**kwargs)


def panel(scope: str, children: list[widgets.Widget], width: int, css: str = "", **parts: widgets.Widget) -> LiveBox:
    """A widget family's outer box: its scoped CSS, a fixed width, and its controls and
    figure as attributes (``panel(..., figure=fig).figure``) for tests and callers."""
    box = LiveBox([scoped_css(scope, css), *children], layout=widgets.Layout(width=f"{width}px"))
    box.add_class(scope)
    for name, part in parts.items():
        setattr(box, name, part)
    return box


def caption(text: str) -> widgets.HTML:
    """A visible text alternative for a figure (alt text that sighted viewers can read too)."""
    return widgets.HTML(
        f'<p class="aiopen-caption" role="note" style="font-size:14px;color:#444;margin:2px 0">{html.escape(text)}</p>'
    )


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
    """Hold sliders and bounded number boxes to the range the kit gave them, in the kernel.

    A browser can send any synced trait in a comm update, ``max=1_000_000`` included;
    the slider's own limits live in the page. Here ``min`` and ``max`` keep the values
    they have now whatever an update says, and ``value`` is clamped to them, before any
    callback sees it (ipywidgets' own clamp trusts ``max``, which the update may have set).
    """
    for control in controls:
        low, high = control.min, control.max
        control._register_validator(lambda _owner, _proposal, low=low: low, ["min"])
        control._register_validator(lambda _owner, _proposal, high=high: high, ["max"])
        control._register_validator(lambda _owner, proposal, low=low, high=high: min(max(proposal.value, low), high), ["value"])
