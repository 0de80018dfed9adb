"""Static exports of the deck that open from disk with the network off.

``python -m aiopen.serving.export`` (what ``make export`` runs) executes the deck in a fresh
kernel and writes into ``build/export/``:

* ``ai_in_the_open.html``: reveal.js slides, code hidden, every asset in ``assets/``;
  each live widget becomes a snapshot of its state: its plotly figure stays
  interactive (hover, zoom) through a local plotly.js, its text and tables are kept,
  and its controls show their values (moving them needs a kernel: ``make present``);
* ``ai_in_the_open.pdf``: the same slides printed by headless Chromium (reveal's
  ``?print-pdf`` mode), one 1280x720 page per slide; a slide taller than the page
  (a widget snapshot under its title) is scaled down to fit.
"""

from __future__ import annotations

import argparse
import copy
import html
import sys
from pathlib import Path

import nbformat

from aiopen.paths import BUILD_DIR, DECK, JUPYTER_ASSETS, REPO_DIR
from aiopen.serving.chromium import launch as launch_chromium
from aiopen.serving.publish import DECK_TEMPLATE, copy_assets, reveal_settings
from aiopen.widgets.common import FIGURE_WIDTH  # what a figure that sizes itself to its container gets

OUT_DIR = BUILD_DIR / "export"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SNAPSHOT_NOTE = "Snapshot: hover and zoom work here; moving the controls needs the live deck (make present)."
CELL_TIMEOUT_S = 300


# ---------------------------------------------------------------------- in the deck's kernel


def widget_html(widget) -> str:
    """A static HTML rendering of an ipywidgets tree (run inside the kernel that built it)."""
    import ipywidgets as widgets
    import plotly.graph_objects as go

    if getattr(widget.layout, "display", None) == "none" or getattr(widget.layout, "visibility", None) == "hidden":
        return ""
    if isinstance(widget, go.FigureWidget):
        figure = go.Figure(widget)
        if figure.layout.width is None:
            figure.update_layout(width=FIGURE_WIDTH)
        return figure.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
    if isinstance(widget, (widgets.HTML, widgets.HTMLMath)):
        return widget.value
    if isinstance(widget, widgets.Label):
        return html.escape(widget.value)
    if isinstance(widget, (widgets.Tab, widgets.Accordion, widgets.Stack)):
        shown = widget.children[widget.selected_index or 0:][:1]
        return "".join(widget_html(child) for child in shown)
    if isinstance(widget, widgets.Box):
        direction = "row" if isinstance(widget, widgets.HBox) else "column"
        inner = "".join(widget_html(child) for child in widget.children)
        width = f"width:{widget.layout.width};" if widget.layout.width else ""
        return f'<div style="display:flex;flex-direction:{direction};gap:4px 10px;align-items:flex-start;{width}">{inner}</div>'
    if isinstance(widget, widgets.Button):
        return f'<button disabled style="font-size:15px">{html.escape(widget.description)}</button>'
    if isinstance(widget, widgets.FileUpload):
        return ""
    if isinstance(widget, widgets.Checkbox):
        mark = "\u2611" if widget.value else "\u2610"  # a ticked or an empty ballot box
        return f'<span class="aiopen-static-control">{mark} {html.escape(widget.description)}</span>'
    if isinstance(widget, widgets.ValueWidget):
        value = getattr(widget, "label", None) or widget.value
        return f'<span class="aiopen-static-control">{html.escape(widget.description)} <b>{html.escape(str(value))}</b></span>'
    return ""


def show_snapshots(model_ids: list[str]) -> None:
    """Display ``{model_id: static HTML}`` as JSON for the exporter to read back."""
    from IPython.display import display
    from ipywidgets.widgets.widget import _instances

    snapshots = {model_id: widget_html(_instances[model_id]) for model_id in model_ids if model_id in _instances}
    display({"application/json": snapshots}, raw=True)


# ---------------------------------------------------------------------- in the exporter


def executed_deck(deck: Path = REPO_DIR / DECK) -> nbformat.NotebookNode:
    """The deck, executed, with every widget output replaced by its static snapshot."""
    from nbclient import NotebookClient

    nb = nbformat.read(deck, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(deck.parent)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        widget_outputs = [output for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs
                          if WIDGET_VIEW in output.get("data", {})]
        model_ids = [output["data"][WIDGET_VIEW]["model_id"] for output in widget_outputs]
        probe = nbformat.v4.new_code_cell(f"from aiopen.serving.export import show_snapshots\nshow_snapshots({model_ids!r})")
        nb.cells.append(probe)  # nbclient stores results by cell index
        client.execute_cell(probe, len(nb.cells) - 1)
        nb.cells.pop()
    snapshots = next(o["data"]["application/json"] for o in probe.outputs if "application/json" in o.get("data", {}))
    for output in widget_outputs:
        snapshot = snapshots.get(output["data"][WIDGET_VIEW]["model_id"], "")
        output["data"] = {"text/html": f'{snapshot}<p class="aiopen-static-note">{SNAPSHOT_NOTE}</p>'}
    return nb


def write_html(nb: nbformat.NotebookNode, out_dir: Path = OUT_DIR, name: str = Path(DECK).stem) -> Path:
    """Write the reveal.js page and its ``assets/`` folder; return the page's path."""
    from nbconvert import SlidesExporter

    reveal = reveal_settings(nb)
    exporter = SlidesExporter(
        template_name=DECK_TEMPLATE,
        extra_template_basedirs=[str(JUPYTER_ASSETS / "data" / "nbconvert" / "templates")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        reveal_url_prefix="assets/reveal",
        reveal_theme=reveal["theme"],
        reveal_transition=reveal["transition"],
        reveal_number=reveal["number"],
        reveal_width=str(reveal["width"]),
        reveal_height=str(reveal["height"]),
        reveal_scroll=reveal["scroll"],
    )
    body, _ = exporter.from_notebook_node(copy.deepcopy(nb), resources={"metadata": {"name": "AI in the Open"}})
    out_dir.mkdir(parents=True, exist_ok=True)
    copy_assets(out_dir / "assets")
    page = out_dir / f"{name}.html"
    page.write_text(body, encoding="utf-8")
    return page


def write_pdf(page: Path, pdf: Path | None = None, browser=None) -> Path:
    """Print ``page`` with headless Chromium in reveal's print mode on 1280x720 pages.

    ``browser``: a Playwright browser to use (tests pass theirs); by default one is started."""
    pdf = pdf or page.with_suffix(".pdf")
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            chromium = launch_chromium(playwright)
            try:
                return write_pdf(page, pdf, chromium)
            finally:
                chromium.close()
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        tab = context.new_page()
        tab.goto(page.resolve().as_uri() + "?print-pdf")
        tab.wait_for_function("() => document.body.dataset.aiopenPrinted === 'fitted'", timeout=60_000)
        tab.wait_for_timeout(1500)  # plotly finishes drawing in the printed layout
        tab.pdf(path=str(pdf), width="1280px", height="720px", print_background=True, prefer_css_page_size=True)
    finally:
        context.close()
    return pdf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiopen.serving.export", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder to write into (default build/export)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF")
    args = parser.parse_args(argv)
    print("Executing the deck in a fresh kernel ...", flush=True)
    page = write_html(executed_deck(), args.out)
    print(f"Slides: {page}", flush=True)
    if not args.no_pdf:
        print(f"PDF:    {write_pdf(page)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
