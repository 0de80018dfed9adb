"""`make export`: reveal.js slides and a PDF that open from disk with the network off."""

from __future__ import annotations

import re

import pytest

from aiopen.serving import export
from browser_support import Watch, screenshot

pytestmark = pytest.mark.browser

SLIDES = """() => Array.from(document.querySelectorAll('.reveal .slides section'))
    .filter(s => !s.querySelector('section')).length"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory, browser):
    out = tmp_path_factory.mktemp("export")
    page = export.write_html(export.executed_deck(), out)
    return {"page": page, "pdf": export.write_pdf(page, browser=browser)}


def test_the_page_and_its_assets_are_local(exported):
    text = exported["page"].read_text()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', text)
    remote = [s for s in sources if re.match(r"(https?:)?//", s)]
    assert not remote, remote
    for source in sources:
        if not source.startswith("data:"):
            assert (exported["page"].parent / source).is_file(), source
    assert "release_checklist()" not in text  # code is hidden, outputs are kept


def test_slides_open_from_disk_offline_with_live_figures(browser, exported):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, offline=True)
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    page.goto(exported["page"].resolve().as_uri())
    page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
    assert page.evaluate(SLIDES) > 15
    screenshot(page, "export", "00-title.png")
    # The heatmap slide: its figure is drawn by the local plotly.js, with hover data.
    slide = page.evaluate("""() => { const s = Array.from(document.querySelectorAll('.reveal .slides section section'))
        .find(s => /Real releases/.test(s.textContent)); return Reveal.getIndices(s); }""")
    page.evaluate(f"Reveal.slide({slide['h']}, {slide['v']})")
    plot = page.locator("section.present .js-plotly-plot").first
    plot.locator(".main-svg").first.wait_for(state="visible", timeout=20_000)
    assert page.evaluate("() => document.querySelector('section.present .js-plotly-plot').data[0].z.length") >= 10
    screenshot(page, "export", "01-heatmap.png")
    context.close()
    watch.assert_clean()


def test_the_pdf_has_one_page_per_slide(exported):
    data = exported["pdf"].read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    leaves = len(re.findall(r"<section(?![^>]*>\s*<section)", exported["page"].read_text()))
    assert pages == leaves, f"{pages} PDF pages for {leaves} slides: a slide was split or lost"


def test_printing_scales_a_tall_slide_to_fit_its_page(browser, exported):
    """Reveal's print mode cuts a slide off at one page (pdfMaxPagesPerSlide: 1); the
    template scales a taller slide down so that nothing is lost."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, offline=True)
    page = context.new_page()
    page.goto(exported["page"].resolve().as_uri() + "?print-pdf")
    page.wait_for_function("() => document.body.dataset.aiopenPrinted === 'fitted'", timeout=60_000)
    fits = page.evaluate("""() => Array.from(document.querySelectorAll('.pdf-page > section')).map(s => {
        const page = s.parentElement.getBoundingClientRect();
        const bottom = Math.max(...Array.from(s.children).map(c => c.getBoundingClientRect().bottom));
        return {title: (s.querySelector('h1, h2') || {}).textContent, scale: s.dataset.aiopenScale || '1',
                overflow: Math.round(bottom - page.bottom)}; })""")
    context.close()
    cut = [f for f in fits if f["overflow"] > 0]
    assert not cut, f"content runs past the page bottom: {cut}"
    scaled = [f for f in fits if f["scale"] != "1"]
    assert scaled, "no slide needed scaling: the widget snapshots are expected to be taller than a page"
    assert all(float(f["scale"]) >= 0.5 for f in scaled), f"a slide shrank below half size: {scaled}"
