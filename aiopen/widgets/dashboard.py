"""Every live widget of the kit on one page, in the talk's agenda order.

One tab per topic (openness, sampling, one size, safety); inside a tab, buttons pick
one widget at a time, so a 1280x720 screen shows a single uncluttered view. Views
are built the first time they are shown: a viewer's kernel pays only for what that
viewer opens, and the SmolLM2 model loads only when the Sampling tab is opened.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import ipywidgets as widgets
from traitlets import Instance, Unicode, observe

from aiopen.widgets.common import guarded, show_message, status_line

Factory = Callable[[], widgets.Widget]


def sections() -> dict[str, dict[str, Factory]]:
    """Tab title -> view title -> the function that builds that view."""
    from aiopen.widgets import costs, openness, safety, sampling, tradeoffs

    return {
        "Openness": {
            "Release checklist": openness.release_checklist,
            "Openness heatmap": openness.openness_heatmap,
            "Transparency (FMTI)": openness.fmti_chart,
            "Lifecycle": openness.lifecycle_comparison,
        },
        "Sampling": {"Sampling explorer": sampling.sampling_explorer},
        "One size": {
            "Benchmarks": tradeoffs.benchmark_chart,
            "Training cost": costs.training_cost_chart,
            "Tuning vs training": tradeoffs.tuning_chart,
            "Inference calculator": costs.inference_calculator,
            "Small vs big": costs.small_vs_big,
        },
        "Safety": {
            "Artifact scanner": safety.artifact_scanner,
            "Probe battery": safety.probe_battery,
            "Data scanner": safety.data_scanner,
        },
    }


def css_class(title: str) -> str:
    """``"Small vs big"`` -> ``"aiopen-view-small-vs-big"``: how tests and styles find a view."""
    return "aiopen-view-" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


class Section(widgets.VBox):
    """One tab: a row of buttons (when there is more than one view) above the chosen view.

    State: ``shown`` (the title of the view on screen; views are built the first time they
    are shown). Parts: ``picker``, ``status``, ``area``; ``built`` (title -> view).
    """

    shown = Unicode(None, allow_none=True, help="the title of the view on screen")
    picker = Instance(widgets.ToggleButtons)
    status = Instance(widgets.HTML)
    area = Instance(widgets.Box)

    def __init__(self, views: dict[str, Factory]):
        self.factories = views
        self.built: dict[str, widgets.Widget] = {}
        parts = dict(
            picker=widgets.ToggleButtons(options=list(views), value=None),
            status=status_line(),
            area=widgets.Box(layout=widgets.Layout(min_height="420px")),
        )
        parts["picker"].add_class("aiopen-view-picker")
        p = parts
        super().__init__([p["picker"], p["status"], p["area"]] if len(views) > 1 else [p["status"], p["area"]], **parts)
        self.picker.observe(guarded(self.status)(self._on_pick), "value")

    def show(self, title: str | None = None) -> None:
        """Show ``title`` (the current or first view by default), building it on first use."""
        self.shown = title or self.shown or next(iter(self.factories))

    def _on_pick(self, change: dict) -> None:
        if change["new"] is not None:
            self.show(change["new"])

    @observe("shown")
    def _draw(self, _change: object = None) -> None:
        self.picker.value = self.shown
        if self.shown not in self.built:
            show_message(self.status, f"Loading {self.shown} …")
            view = self.factories[self.shown]()
            view.add_class(css_class(self.shown))
            self.built[self.shown] = view
            self.area.children = (*self.area.children, view)
            show_message(self.status, "")
        # Hide the others rather than take them out: a plotly figure taken out of the page and
        # shown again keeps its first, detached view, and every later update of the figure
        # failed there ("Error setting state" in the console).
        for name, view in self.built.items():
            view.layout.display = None if name == self.shown else "none"


class Dashboard(widgets.VBox):
    """The dashboard: one :class:`Section` per topic in ``tabs``; the selected tab's section shows its view.

    Parts: ``tabs``; ``sections`` (tab title -> Section).
    """

    tabs = Instance(widgets.Tab)

    def __init__(self, layout: dict[str, dict[str, Factory]] | None = None):
        self.sections = {title: Section(views) for title, views in (layout or sections()).items()}
        tabs = widgets.Tab(children=list(self.sections.values()), titles=list(self.sections), selected_index=0)
        super().__init__([tabs], tabs=tabs)
        self.add_class("aiopen-dashboard")
        self.tabs.observe(self._on_tab, "selected_index")
        self._on_tab()

    def _on_tab(self, _change: object = None) -> None:
        section = self.tabs.children[self.tabs.selected_index or 0]
        guarded(section.status)(section.show)()


def dashboard() -> Dashboard:
    """Build the dashboard (the first view of the first tab at once, the rest on demand)."""
    return Dashboard()
