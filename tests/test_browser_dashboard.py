"""The Voila dashboard in headless Chromium: every view renders, a control of each
changes what it shows, nothing leaves the machine, no code is on screen."""

from __future__ import annotations

import time

import pytest

from aiopen.widgets.dashboard import css_class, sections
from browser_support import Watch, drag_slider, figure_signature, screenshot, wait_for_change
from deck_support import draws_a_figure, read_deck, view_calls

pytestmark = pytest.mark.browser

VIEWS = [(tab, view) for tab, views in sections().items() for view in views]
STATIC_VIEWS = {"Lifecycle"}  # a sourced table: nothing to move
# Its controls only matter for a live run of the model (tens of seconds); the cached
# result is what the view shows until then.
RENDER_ONLY = {"Probe battery"}


@pytest.fixture(scope="module")
def dashboard(browser, voila_server):
    """The dashboard page, opened once for the module; the Watch is checked at the end.
    What a new viewer first sees is recorded here, before any test moves the page on."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    page.goto(voila_server["dashboard"])
    page.locator(".aiopen-dashboard").wait_for(state="visible", timeout=120_000)
    page.locator(f".{css_class('Release checklist')}").wait_for(state="visible", timeout=60_000)
    screenshot(page, "dashboard", "00-first-view.png")
    first = {
        "views": [name for name in (css_class(view) for _, view in VIEWS) if page.locator(f".{name}:visible").count()],
        "code": page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor, pre.highlight").count(),
        "text": page.inner_text("body"),
    }
    yield page, watch, first
    context.close()


def open_view(page, tab: str, view: str):
    page.locator(".aiopen-dashboard .lm-TabBar-tab", has_text=tab).click()
    picker = page.locator(".aiopen-view-picker:visible")
    if picker.count():
        picker.locator(".widget-toggle-button", has_text=view).click()
    scope = page.locator(f".{css_class(view)}")
    scope.wait_for(state="visible", timeout=90_000)
    return scope


PLOTTED_DATA = """plot => JSON.stringify((plot.data || []).map(t => [t.x, t.y, t.z, t.text]))"""


def signature(scope) -> str:
    """What the view shows: its figure's marks and data (a heatmap's marks are one image
    whose encoded prefix never changes), or its text when it has no figure."""
    plots = scope.locator(".js-plotly-plot")
    if not plots.count():
        return scope.inner_text()
    return figure_signature(scope) + plots.first.evaluate(PLOTTED_DATA)


def change_something(page, scope) -> None:
    """Move the view's first dropdown (trying up to three other options: one may give the
    same picture), else its first toggle button, else its first slider; fail if the view
    never changes."""
    before = signature(scope)
    select = scope.locator("select").first
    if scope.locator("select").count():
        options = select.locator("option").count()
        current = select.evaluate("s => s.selectedIndex")
        for index in [i for i in range(options) if i != current][:3]:
            select.select_option(index=index)
            try:
                wait_for_change(lambda: signature(scope), before, timeout_s=20)
                return
            except AssertionError:
                continue
        raise AssertionError("no dropdown option changed the view")
    toggles = scope.locator(".widget-toggle-button:not(.mod-active)")
    if toggles.count():
        toggles.first.click()
    else:
        drag_slider(page, scope.locator(".widget-slider").first, 0.8)
    wait_for_change(lambda: signature(scope), before, timeout_s=60)


def test_first_view_is_the_release_checklist_without_code(dashboard):
    _, _, first = dashboard
    assert first["views"] == [css_class("Release checklist")]  # one view on screen, the first
    assert first["code"] == 0 and "dashboard()" not in first["text"]


@pytest.mark.parametrize(("tab", "view"), VIEWS, ids=[view for _, view in VIEWS])
def test_view_renders_and_its_control_redraws_it(dashboard, tab, view):
    page, watch, _ = dashboard
    scope = open_view(page, tab, view)
    if scope.locator(".js-plotly-plot").count():
        scope.locator(".js-plotly-plot .main-svg").first.wait_for(state="visible", timeout=90_000)
    time.sleep(0.5)  # let the first draw settle before taking the signature
    screenshot(page, "dashboard", f"{VIEWS.index((tab, view)) + 1:02d}-{css_class(view)}.png")
    if view in STATIC_VIEWS | RENDER_ONLY:
        assert scope.inner_text().strip()
    else:
        change_something(page, scope)
    watch.assert_clean()


def test_an_uploaded_file_is_scanned_and_its_verdict_replaces_the_last_one(dashboard, tmp_path):
    """The artifact scanner's upload, through the page's file input: the kernel scans the
    bytes in a background thread and the verdict arrives; the next upload's verdict
    replaces it (an empty file: suspicious, nothing left of the DANGEROUS one). A view shown
    again after others (as it is when the view tests ran first) must still update cleanly."""
    from aiopen.domain.safety import make_examples

    page, watch, _ = dashboard
    scope = open_view(page, "Safety", "Artifact scanner")
    scope.locator(".js-plotly-plot .main-svg").first.wait_for(state="visible", timeout=90_000)
    time.sleep(0.5)  # let the first draw settle, as a viewer would before choosing a file
    evasive = make_examples(tmp_path)["evasive pickle (memoized STACK_GLOBAL)"]

    def upload(path) -> None:  # the widget's file input is never in the page: its button opens the chooser
        with page.expect_file_chooser() as chooser:
            scope.locator(".widget-upload").click()
        chooser.value.set_files(str(path))

    upload(evasive)
    report = scope.locator(".widget-html", has_text="Imports (globals)")
    report.filter(has_text="evasive.pkl").wait_for(timeout=60_000)
    assert "DANGEROUS" in report.inner_text() and "builtins.exec" in report.inner_text()
    assert "Scanned your upload evasive.pkl" in scope.inner_text()
    assert not scope.locator("button", has_text="Cancel").is_visible()
    assert scope.locator(".annotation-text", has_text="no file scanned").count() == 0  # the waiting note is gone
    screenshot(page, "dashboard", "upload-verdict.png")
    empty = tmp_path / "empty.pt"
    empty.write_bytes(b"")
    upload(empty)
    report.filter(has_text="empty.pt").wait_for(timeout=30_000)
    assert "SUSPICIOUS" in report.inner_text() and "DANGEROUS" not in scope.inner_text()
    watch.assert_clean()


def test_no_request_left_the_machine_and_no_console_error(dashboard):
    _, watch, _ = dashboard
    watch.assert_clean()


def test_the_deck_as_voila_slides_loads_offline(browser, voila_server):
    """The deck through the kit's reveal template: slides, theme and widgets, all local."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    page.goto(voila_server["deck"])
    page.locator(".reveal .slides section.present").first.wait_for(state="visible", timeout=180_000)
    leaves = page.evaluate("() => Array.from(document.querySelectorAll('.reveal .slides section')).filter(s => !s.querySelector('section')).length")
    assert leaves > 15
    assert page.locator(".reveal h1").first.evaluate("h => getComputedStyle(h).color") == "rgb(0, 114, 178)"  # the deck's theme
    # Widgets are drawn once the kernel has run the deck: wait for the first one (the
    # release checklist's boxes), then every slide in turn, as a viewer pressing Space
    # would, with a screenshot of each.
    page.locator(".widget-checkbox").first.wait_for(state="attached", timeout=60_000)
    for number in range(1, leaves + 1):
        screenshot(page, "voila-deck", f"{number:02d}.png")
        page.keyboard.press("Space")
        page.wait_for_timeout(300)
    # Every figure of the deck drew its data, not an empty frame: Voila draws from widget
    # state, which plotly fills only when a figure is displayed (see common.View).
    figures = sum(map(draws_a_figure, view_calls(read_deck())))
    drawn = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).filter(plot =>
        plot.querySelector('.bars path, .scatterlayer .points path, .scatterlayer .js-line, .heatmaplayer image, .hm image')).length"""
    page.wait_for_function(f"() => ({drawn})() >= {figures}", timeout=60_000)
    context.close()
    assert not watch.off_machine(), watch.off_machine()
    assert not watch.errors, watch.errors[:5]
    # every figure, and plotly's widget code fetched once (see aiopen.widgets.common)
    assert len([url for url in watch.requests if "plotly-widgetbundle.js" in url]) == 1
