"""The presenter's experience, for real: the kit's Jupyter server, classic RISE and
every live widget in headless Chromium. One page load, several checks, because the
deck takes a while to run its cells on two cores."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from browser_support import drag_slider, figure_signature, screenshot, wait_for_change
from deck_support import draws_a_figure, read_deck, view_calls
from deck_support import slides as deck_slides

from aiopen.serving.present import deck_url

pytestmark = pytest.mark.browser

LEAF_SLIDES = """() => Array.from(document.querySelectorAll('.reveal .slides section'))
    .filter(s => !s.querySelector('section'))
    .map(s => { const i = Reveal.getIndices(s);
                return {h: i.h, v: i.v || 0,
                        title: ((s.querySelector('h1, h2') || {}).textContent || '').trim(),
                        widgets: s.querySelectorAll('.widget-container, .jupyter-widgets').length,
                        plots: s.querySelectorAll('.js-plotly-plot').length}; })"""
DECK_STATE = """() => ({autorun: document.body.getAttribute('data-aiopen-autorun'),
    reruns: document.body.getAttribute('data-aiopen-reruns'),
    cells: Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code').map(c => ({
        prompt: c.input_prompt_number,
        views: c.output_area.element[0].querySelectorAll('.jupyter-widgets').length}))})"""


def wait_until_live(page) -> dict:
    """Wait for the autorun extension to say every cell ran and every widget view is
    up (``data-aiopen-autorun=done``); fail with what the page shows if it never does."""
    try:
        page.wait_for_selector("body[data-aiopen-autorun=done]", state="attached", timeout=300_000)
    except Exception as error:  # noqa: BLE001
        raise AssertionError(f"the deck never became live: {page.evaluate(DECK_STATE)}") from error
    return page.evaluate(DECK_STATE)


@pytest.fixture(scope="module")
def deck(browser, jupyter_server):
    """The deck opened once from the URL `make present` prints, all cells run."""
    from browser_support import Watch

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    started = time.monotonic()
    page.goto(jupyter_server["deck_url"])
    page.wait_for_selector(".reveal", state="attached", timeout=60_000)
    state = wait_until_live(page)
    ready_s = time.monotonic() - started
    print(f"deck live after {ready_s:.1f} s, cells re-run to restore lost views: {state['reruns']} round(s)")
    yield page, watch, ready_s
    context.close()


def go_to(page, slide: dict) -> None:
    page.evaluate("([h, v]) => Reveal.slide(h, v)", [slide["h"], slide["v"]])
    page.wait_for_timeout(400)


def slides(page) -> list[dict]:
    return page.evaluate(LEAF_SLIDES)


def test_rise_opens_in_presentation_mode_with_code_hidden(deck):
    page, _, ready_s = deck
    print(f"deck ready (all cells run) after {ready_s:.1f} s")
    assert page.evaluate("() => document.body.classList.contains('rise-enabled')")
    visible_code = page.evaluate(
        "() => Array.from(document.querySelectorAll('.reveal .code_cell .input')).filter(e => e.offsetParent !== null).length"
    )
    assert visible_code == 0, "code inputs are visible on slides"


def test_steps_through_every_slide_and_saves_screenshots(deck):
    page, _, _ = deck
    leaves = slides(page)
    assert len(leaves) == len(deck_slides(read_deck())), [s["title"] for s in leaves]
    for number, slide in enumerate(leaves, start=1):
        go_to(page, slide)
        indices = page.evaluate("() => Reveal.getIndices()")
        assert (indices["h"], indices.get("v") or 0) == (slide["h"], slide["v"])
        screenshot(page, "deck", f"{number:02d}.png")
    titles = [s["title"] for s in leaves]
    assert titles[0].startswith("AI in the Open") and titles[-1].startswith("Questions")


def test_every_widget_slide_renders_its_widget(deck):
    page, _, _ = deck
    widget_slides = [s for s in slides(page) if s["widgets"]]
    views = view_calls(read_deck())
    assert len(widget_slides) == len(views), [s["title"] for s in widget_slides]
    for slide in widget_slides:
        go_to(page, slide)
        present = page.locator(".reveal .slides section.present:not(.stack)")
        box = present.locator(".jupyter-widgets").first.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100, f"widget not visible on {slide['title']!r}"
    plotted = [s["title"] for s in widget_slides if s["plots"]]
    assert len(plotted) == sum(map(draws_a_figure, views)), plotted


# How far the present slide's visible content reaches, in page pixels. An element
# clipped by a scrolling or hidden-overflow ancestor counts only up to that ancestor's
# edge (a panel that scrolls inside the slide fits); an SVG counts as one box.
SLIDE_EXTENT = """() => {
    const slide = document.querySelector('.reveal .slides section.present:not(.stack)');
    let bottom = 0, right = 0, culprit = '';
    for (const element of slide.querySelectorAll('*')) {
        if (element.closest('svg') && element.tagName.toLowerCase() !== 'svg') continue;
        const box = element.getBoundingClientRect();
        if (!box.width || !box.height || getComputedStyle(element).visibility === 'hidden') continue;
        let b = box.bottom, r = box.right;
        for (let a = element.parentElement; a && a !== slide; a = a.parentElement) {
            const style = getComputedStyle(a), edge = a.getBoundingClientRect();
            if (style.overflowY !== 'visible') b = Math.min(b, edge.bottom);
            if (style.overflowX !== 'visible') r = Math.min(r, edge.right);
        }
        if (b > bottom) { bottom = b; culprit = element.className.baseVal ?? element.className; }
        right = Math.max(right, r);
    }
    return {bottom: Math.round(bottom), right: Math.round(right), culprit: String(culprit).slice(0, 80),
            width: innerWidth, height: innerHeight, scrolls: slide.style.overflowY === 'scroll'};
}"""


def test_every_slide_fits_the_1280x720_screen(deck):
    """Nothing on any slide runs past the projector's 1280x720 frame, and no slide is
    tall enough for RISE to turn it into a scrolling box (over 95 % of the height),
    which a presenter cannot scroll while talking."""
    page, _, _ = deck
    overflowing = []
    for number, slide in enumerate(slides(page), start=1):
        go_to(page, slide)
        extent = page.evaluate(SLIDE_EXTENT)
        if extent["bottom"] > extent["height"] or extent["right"] > extent["width"] or extent["scrolls"]:
            overflowing.append(f"{number:02d} {slide['title']!r}: content to {extent['right']}x{extent['bottom']} px"
                               f"{', scrolls' if extent['scrolls'] else ''} ({extent['culprit']})")
    assert not overflowing, "slides larger than the screen:\n" + "\n".join(overflowing)


def test_temperature_slider_redraws_the_real_distribution(deck):
    page, _, _ = deck
    slide = next(s for s in slides(page) if s["title"].startswith("Outputs are probabilistic"))
    go_to(page, slide)
    present = page.locator(".reveal .slides section.present:not(.stack)")
    temperature = present.locator(".widget-slider", has_text="emperature").first
    before = figure_signature(present)
    drag_slider(page, temperature, 0.95)
    after = wait_for_change(lambda: figure_signature(present), before)
    assert after != before
    screenshot(page, "deck", "sampling-after-slider.png")


def test_nothing_left_the_machine_and_no_console_errors(deck):
    _, watch, _ = deck
    assert watch.requests, "no requests were recorded at all"
    watch.assert_clean()
    # plotly's 5 MB widget code comes from the server once, not inside every figure
    bundles = [url for url in watch.requests if "aiopen_plotly/widgetbundle.js" in url]
    assert len(bundles) == 1, bundles


def widget_state(present) -> str:
    """The visible state of the widget on the current slide: its figure's marks and
    its text, so a change in either counts."""
    text = present.locator(".jupyter-widgets").first.inner_text()
    plots = present.locator(".js-plotly-plot").count()
    return (figure_signature(present) if plots else "") + "\n" + text


def click_toggle(present, label: str) -> None:
    present.locator(".widget-toggle-button", has_text=label).first.click()


def choose(present, label: str, option_index: int) -> None:
    select = present.locator(".widget-dropdown", has_text=label).locator("select").first
    select.select_option(index=option_index)


def tick(present, label: str) -> None:
    present.locator(".widget-checkbox", has_text=label).locator("input").first.click()


# Slide title -> how a presenter would move its main control. Each must change what
# the widget shows (figure marks or text); the static lifecycle table has no control.
CONTROLS = {
    "A model release": lambda page, present: tick(present, "Params (final)"),
    "Real releases against the MOF": lambda page, present: choose(present, "Sort by", 0),
    "Transparency of the developers": lambda page, present: choose(present, "Sort by", 3),
    "Training cost grows with size": lambda page, present: click_toggle(present, "CO2"),
    "Serving cost": lambda page, present: click_toggle(present, "int4"),
    "What a bigger model buys": lambda page, present: choose(present, "Scores of", 1),
    "Tuning is cheaper": lambda page, present: click_toggle(present, "Linear axis"),
    "Small vs big": lambda page, present: choose(present, "Big", 1),
    "A model file is a program": lambda page, present: choose(present, "Example", 2),
    "Open data can be scanned": lambda page, present: drag_slider(page, present.locator(".widget-slider", has_text="Records").first, 0.1),
    "Black-box red-teaming": lambda page, present: present.locator("button", has_text="Run live").first.click(),
}


@pytest.mark.parametrize("title", list(CONTROLS))
def test_moving_each_widget_control_changes_what_it_shows(deck, title):
    page, watch, _ = deck
    slide = next(s for s in slides(page) if s["title"].startswith(title))
    go_to(page, slide)
    present = page.locator(".reveal .slides section.present:not(.stack)")
    before = widget_state(present)
    CONTROLS[title](page, present)
    if "red-teaming" in title:
        # The live run samples the real model 48 times (allow it time on 2 cores); it is
        # done when the summary says so and the figure shows the new run.
        # The run is sampled in a thread of the kernel, with a Cancel button while it runs.
        present.locator(".jupyter-widgets b", has_text="Live run").first.wait_for(state="visible", timeout=180_000)
        assert "Sampled 48 replies" in present.inner_text()
    wait_for_change(lambda: widget_state(present), before)
    screenshot(page, "deck", f"moved-{title.split()[0].lower()}-{slide['h']}-{slide['v']}.png")
    assert not watch.errors, watch.errors


def test_a_live_run_can_be_cancelled_from_the_slide(deck):
    """Run live shows Cancel while the model samples; Cancel stops it, says so, and the chart
    keeps what it showed (the kernel answered the click while the run was going)."""
    page, watch, _ = deck
    go_to(page, next(s for s in slides(page) if s["title"].startswith("Black-box red-teaming")))
    present = page.locator(".reveal .slides section.present:not(.stack)")
    summary = present.locator(".jupyter-widgets b", has_text="result from").or_(present.locator(".jupyter-widgets b", has_text="Live run")).first
    shown = summary.inner_text()
    present.locator("button", has_text="Run live").first.click()
    cancel = present.locator("button", has_text="Cancel").first
    cancel.wait_for(state="visible", timeout=30_000)
    screenshot(page, "deck", "red-teaming-running.png")
    cancel.click()
    present.get_by_text("Cancelled: the run stopped before it finished").wait_for(state="visible", timeout=30_000)
    cancel.wait_for(state="hidden", timeout=10_000)
    assert summary.inner_text() == shown and present.locator("button", has_text="Run live").first.is_enabled()
    assert not watch.errors, watch.errors


# What ipywidgets' classic manager does when the kernel's list of widgets arrives
# late: it renders again every output that holds a widget (see the autorun extension).
RERENDER_WIDGET_OUTPUTS = """() => {
    const cells = Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code' &&
        c.output_area.outputs.some(o => o.data && o.data['application/vnd.jupyter.widget-view+json']));
    cells.forEach(c => Jupyter.notebook.render_cell_output(c));
    return cells.length;
}"""


def test_a_late_widget_manager_restore_keeps_the_live_views(deck):
    """On a slow machine the widget manager's restore re-rendered the outputs of cells
    the autorun had already run, which removed every live view. The extension leaves
    those outputs alone: views and model ids survive the re-render."""
    page, watch, _ = deck
    rerendered = page.evaluate(RERENDER_WIDGET_OUTPUTS)
    page.wait_for_timeout(500)
    state = page.evaluate(DECK_STATE)
    assert rerendered == len(state["cells"]) - 1  # every cell but the setup holds a widget
    assert all(cell["views"] for cell in state["cells"][1:]), state
    blanked = page.evaluate("""() => Jupyter.notebook.get_cells().flatMap(c => (c.output_area || {outputs: []}).outputs)
        .map(o => o.data && o.data['application/vnd.jupyter.widget-view+json'])
        .filter(view => view && view.model_id === '').length""")
    assert blanked == 0
    watch.assert_clean()


def own_deck(jupyter_server: dict, name: str, **metadata) -> str:
    """The URL of a copy of the deck called ``name`` (its ``aiopen`` metadata updated with
    ``metadata``). Pages of one notebook share its session and kernel: a test that reloads or
    breaks its page uses its own copy, so the module's page keeps its kernel whatever runs first."""
    slides = jupyter_server["root"] / "slides"
    deck = json.loads((slides / "ai_in_the_open.ipynb").read_text(encoding="utf-8"))
    deck["metadata"]["aiopen"].update(metadata)
    (slides / f"{name}.ipynb").write_text(json.dumps(deck), encoding="utf-8")
    shutil.copyfile(slides / "ai_in_the_open.css", slides / f"{name}.css")  # RISE asks for <notebook>.css
    return deck_url(jupyter_server["port"], jupyter_server["token"], deck=f"slides/{name}.ipynb")


@pytest.fixture
def page_and_watch(browser):
    """A fresh 1280x720 page whose requests and console errors are recorded."""
    from browser_support import Watch

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    yield page, watch
    context.close()


def test_reloading_the_page_restarts_cleanly(jupyter_server, page_and_watch):
    """A presenter who reloads gets the same live deck: the extension sees a kernel
    that already ran the deck, deletes that session and loads the page again with a
    fresh kernel (see the autorun extension)."""
    page, watch = page_and_watch
    page.goto(own_deck(jupyter_server, "reloaded"))
    wait_until_live(page)
    page.reload()
    state = wait_until_live(page)
    assert all(cell["views"] for cell in state["cells"][1:]), state  # every cell but the setup shows a widget
    slide = next(s for s in slides(page) if s["title"].startswith("Outputs are probabilistic"))
    go_to(page, slide)
    present = page.locator(".reveal .slides section.present:not(.stack)")
    assert present.locator(".js-plotly-plot .bars path").count() > 0
    watch.assert_clean()


# Drops every widget view once, as soon as the first view shows while the deck is
# still running: the extension's second line of defence must bring them back.
DROP_VIEWS_ONCE = """(() => {
    const timer = setInterval(() => {
        const manager = window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.widget_manager;
        if (manager && document.body.getAttribute('data-aiopen-autorun') === 'started'
                && document.querySelector('.output .jupyter-widgets')) {
            clearInterval(timer);
            manager.clear_state();
        }
    }, 50);
})()"""


def test_a_deck_whose_widget_views_are_dropped_heals_itself(jupyter_server, page_and_watch):
    """Fault injection: the widget manager drops every view mid-run; the autorun
    extension runs the affected cells again and the deck ends fully live."""
    page, watch = page_and_watch
    page.context.add_init_script(DROP_VIEWS_ONCE)
    page.goto(own_deck(jupyter_server, "healed"))
    state = wait_until_live(page)
    assert int(state["reruns"]) >= 1, state
    assert all(cell["views"] for cell in state["cells"][1:]), state
    # Models that were being built when the state was cleared fail to find their
    # children (logged directly, or wrapped by the notebook's kernel-message handler),
    # or (plotly's) never finish starting: the injected fault's own trace.
    # Anything else is a real error.
    traces = ("widget model not found", "Couldn't process kernel message WrappedError",
              "[anywidget] Failed to initialize model")
    others = [e for e in watch.errors if not any(trace in e for trace in traces)]
    assert not others, others


NOTEBOOK_STATE = """() => ({autorun: document.body.getAttribute('data-aiopen-autorun'),
    waited: document.body.getAttribute('data-aiopen-waited'),
    notice: (document.getElementById('aiopen-notice') || {}).textContent || null,
    rise: document.querySelector('#maintoolbar').classList.contains('reveal_tagging'),
    prompts: Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code').map(c => c.input_prompt_number),
    autosave: Jupyter.notebook.autosave_interval,
    render: Object.getPrototypeOf(Jupyter.notebook).render_cell_output.toString().includes('fromJSON')})"""


def notebook(jupyter_server: dict, name: str, metadata: dict, *sources: str) -> str:
    """The URL of a small notebook beside the deck: a slide, then one code cell per source."""
    import nbformat

    slides = jupyter_server["root"] / "slides"
    cells = [nbformat.v4.new_markdown_cell("# A notebook", metadata={"slideshow": {"slide_type": "slide"}})]
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}, **metadata})
    nbformat.write(nb, slides / f"{name}.ipynb")
    shutil.copyfile(slides / "ai_in_the_open.css", slides / f"{name}.css")  # RISE asks for <notebook>.css
    return deck_url(jupyter_server["port"], jupyter_server["token"], deck=f"slides/{name}.ipynb")


def test_a_notebook_that_does_not_ask_is_left_alone(jupyter_server, page_and_watch):
    """The extension is on for every notebook of the server; it touches only a deck whose
    metadata asks for it: here no cell runs, RISE stays off, autosave stays on and
    nbclassic's own output rendering is untouched."""
    page, watch = page_and_watch
    page.goto(notebook(jupyter_server, "plain", {}, "answer = 42"))
    page.wait_for_function("() => Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()", timeout=120_000)
    page.wait_for_timeout(3000)  # time for an autorun to have started, if one were coming
    state = page.evaluate(NOTEBOOK_STATE)
    assert state["autorun"] is None and state["notice"] is None and not state["rise"], state
    assert state["prompts"] == [None] and state["autosave"] > 0 and state["render"], state
    watch.assert_clean()


def test_a_deadline_that_runs_out_is_said_on_the_page(jupyter_server, page_and_watch):
    """A deck whose cell outlasts the run's deadline (3 s here, set in its metadata): the page
    says so in a notice, and data-aiopen-autorun says which wait ran out."""
    page, watch = page_and_watch
    page.goto(notebook(jupyter_server, "stuck", {"aiopen": {"autorun": True, "deadlines_s": {"run": 3}}, "rise": {"theme": "white"}},
                       "import time\ntime.sleep(30)"))
    try:
        page.wait_for_selector("body[data-aiopen-autorun=timed-out]", state="attached", timeout=120_000)
        state = page.evaluate(NOTEBOOK_STATE)
        assert state["waited"] == "run" and state["rise"], state
        assert "did not finish running within 3 s" in state["notice"] and "restart the kernel" in state["notice"], state
        assert page.locator("#aiopen-notice").is_visible()
        assert watch.errors == [f"console: aiopen: {state['notice']}"] and not watch.off_machine(), watch.errors
    finally:
        page.evaluate("() => Jupyter.notebook.kernel.interrupt()")
