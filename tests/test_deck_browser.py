"""The presenter's experience, for real: the kit's Jupyter server, classic RISE and
every live widget in headless Chromium. One page load, several checks, because the
deck takes a while to run its cells on two cores."""

from __future__ import annotations

import time

import pytest

from browser_support import drag_slider, figure_signature, screenshot, wait_for_change

pytestmark = pytest.mark.browser

LEAF_SLIDES = """() => Array.from(document.querySelectorAll('.reveal .slides section'))
    .filter(s => !s.querySelector('section'))
    .map(s => { const i = Reveal.getIndices(s);
                return {h: i.h, v: i.v || 0,
                        title: ((s.querySelector('h1, h2') || {}).textContent || '').trim(),
                        widgets: s.querySelectorAll('.widget-container, .jupyter-widgets').length,
                        plots: s.querySelectorAll('.js-plotly-plot').length}; })"""
PLOTS_STABLE = """() => {
    const n = document.querySelectorAll('.js-plotly-plot').length;
    const stable = window.__aiopenPlots === n && n > 0;
    window.__aiopenPlots = n;
    return stable;
}"""
ALL_CELLS_RAN = """() => Jupyter.notebook.get_cells()
    .filter(c => c.cell_type === 'code')
    .every(c => typeof c.input_prompt_number === 'number')"""


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
    page.wait_for_selector("body[data-aiopen-autorun=started]", state="attached", timeout=120_000)
    page.wait_for_function(ALL_CELLS_RAN, timeout=240_000, polling=500)
    page.wait_for_function(PLOTS_STABLE, timeout=60_000, polling=2000)  # the last figures draw
    ready_s = time.monotonic() - started
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
    assert len(leaves) >= 20, f"the deck should have its ~20 slides, found {len(leaves)}"
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
    assert len(widget_slides) >= 10, [s["title"] for s in widget_slides]
    for slide in widget_slides:
        go_to(page, slide)
        present = page.locator(".reveal .slides section.present:not(.stack)")
        box = present.locator(".jupyter-widgets").first.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100, f"widget not visible on {slide['title']!r}"
    plotted = [s["title"] for s in widget_slides if s["plots"]]
    assert len(plotted) >= 8, plotted


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


def test_reloading_the_page_restarts_cleanly(deck):
    """A presenter who reloads gets the same live deck: the extension sees a kernel
    that already ran the deck, deletes that session and loads the page again with a
    fresh kernel (see the autorun extension)."""
    page, watch, _ = deck
    page.reload()
    page.wait_for_selector("body[data-aiopen-autorun=started]", state="attached", timeout=120_000)
    page.wait_for_function(ALL_CELLS_RAN, timeout=240_000, polling=500)
    page.wait_for_function(PLOTS_STABLE, timeout=60_000, polling=2000)
    slide = next(s for s in slides(page) if s["title"].startswith("Outputs are probabilistic"))
    go_to(page, slide)
    present = page.locator(".reveal .slides section.present:not(.stack)")
    assert present.locator(".js-plotly-plot .bars path").count() > 0
    watch.assert_clean()


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
        present.locator(".jupyter-widgets b", has_text="Live run").first.wait_for(state="visible", timeout=180_000)
    wait_for_change(lambda: widget_state(present), before)
    screenshot(page, "deck", f"moved-{title.split()[0].lower()}-{slide['h']}-{slide['v']}.png")
    assert not watch.errors, watch.errors
