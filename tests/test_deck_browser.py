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
    page.wait_for_timeout(1500)  # let the last widget views attach
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
    """A presenter who reloads gets the same live deck: the kernel that already ran
    the deck is restarted before the cells run again (see the autorun extension)."""
    page, watch, _ = deck
    page.reload()
    page.wait_for_selector("body[data-aiopen-autorun=started]", state="attached", timeout=120_000)
    page.wait_for_function(ALL_CELLS_RAN, timeout=240_000, polling=500)
    page.wait_for_timeout(1500)
    slide = next(s for s in slides(page) if s["title"].startswith("Outputs are probabilistic"))
    go_to(page, slide)
    present = page.locator(".reveal .slides section.present:not(.stack)")
    assert present.locator(".js-plotly-plot .bars path").count() > 0
    watch.assert_clean()
