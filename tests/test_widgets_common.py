"""The shared widget helpers: plain messages instead of tracebacks, figures that
Voila can draw from widget state."""

from __future__ import annotations

import ipywidgets as widgets
import plotly.graph_objects as go
from traitlets import Instance

from aiopen.widgets.common import View, enforce_bounds, figure_widget, guarded, status_line


def test_guarded_shows_value_errors_as_plain_messages_and_swallows_the_rest():
    status = status_line()

    @guarded(status)
    def bad_input():
        raise ValueError("Temperature must be 0 or more.")

    @guarded(status)
    def bug():
        raise KeyError("oops")

    assert bad_input() is None and "Temperature must be 0 or more." in status.value
    assert bug() is None and "Something went wrong" in status.value and "KeyError" in status.value


class Sketch(View):
    """The smallest view: a figure, declared."""

    scope = "aiopen-test"
    width = 600
    figure = Instance(go.FigureWidget)

    def __init__(self):
        figure = figure_widget()
        super().__init__([widgets.HBox([figure])], figure=figure, status=status_line())


def test_displaying_a_view_puts_its_nested_figures_data_into_widget_state():
    box = Sketch()
    box.figure.add_bar(x=["a", "b"], y=[1, 2])  # drawn after the box was built, as widgets do
    assert box.figure.get_state()["_widget_data"] == []  # plotly syncs only when displayed itself
    box._repr_mimebundle_()
    traces = box.figure.get_state()["_widget_data"]
    assert len(traces) == 1 and list(traces[0]["y"]) == [1, 2]


def test_a_view_is_laid_out_by_its_class():
    box = Sketch()
    assert box.layout.width == "600px" and "aiopen-test" in box._dom_classes
    style = box.children[0].value
    assert style.startswith("<style>") and ".aiopen-test .widget-label" in style and "{scope}" not in style


def test_watched_controls_report_errors_in_the_views_status_line():
    box = Sketch()
    slider = widgets.IntSlider(value=1)

    def refuse(change):
        raise ValueError(f"{change['new']} is too many.")

    box.watch(refuse, slider)
    slider.value = 7
    assert "7 is too many." in box.status.value


def test_under_the_kits_servers_a_figure_ships_a_small_module_that_imports_plotly(monkeypatch):
    from aiopen.widgets.common import PLOTLY_ESM_ENV, _figure_class

    monkeypatch.delenv(PLOTLY_ESM_ENV, raising=False)
    assert _figure_class() is go.FigureWidget  # elsewhere (Binder, nbval): self-contained
    monkeypatch.setenv(PLOTLY_ESM_ENV, "nbextensions/aiopen_plotly/widgetbundle.js?v=1")
    served = _figure_class()()
    assert isinstance(served, go.FigureWidget)
    assert len(served._esm) < 1_000 < 1_000_000 < len(go.FigureWidget()._esm)
    # relative to the page's base URL ("/user/<name>/" under a JupyterHub), never to the site's root
    assert 'base + "nbextensions/aiopen_plotly/widgetbundle.js?v=1"' in served._esm and "export default" in served._esm


def test_an_error_goes_away_once_the_same_callback_succeeds():
    status = status_line()

    @guarded(status)
    def set_temperature(value):
        if value < 0:
            raise ValueError("Temperature must be 0 or more.")

    @guarded(status)
    def other_control():
        pass

    set_temperature(-1)
    other_control()  # another control working does not mean this input was fixed
    assert "Temperature must be 0 or more." in status.value
    set_temperature(1)
    assert status.value == ""


def test_enforced_bounds_hold_against_a_comm_update():
    """What a browser's comm message does (set_state through _handle_msg): it may send max too."""
    slider = widgets.IntSlider(value=120, min=50, max=200)
    seen = []
    slider.observe(lambda change: seen.append(change["new"]), "value")
    enforce_bounds(slider)
    update = {"method": "update", "state": {"max": 1_000_000, "value": 1_000_000}, "buffer_paths": []}
    slider._handle_msg({"content": {"data": update}, "buffers": []})
    assert (slider.min, slider.max, slider.value) == (50, 200, 200) and max(seen) == 200
    slider.set_state({"min": -5, "value": -5})
    assert (slider.min, slider.value) == (50, 50)
