"""Static checks on the deck: agenda order, slide types, speaker notes, no stored
outputs, no code that fetches a URL, and a source on every slide that shows a figure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

DECK = Path(__file__).resolve().parent.parent / "slides" / "ai_in_the_open.ipynb"
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}
AGENDA = [
    'What does "open" mean?',
    "Is AI like other software?",
    "Why does AI in the open matter?",
    "How do we build AI in the open?",
    "Recap",
    "Questions",
]


@pytest.fixture(scope="module")
def deck():
    return nbformat.read(DECK, as_version=4)


def slide_groups(deck) -> list[list]:
    """Cells grouped by slide: each group starts at a slide or subslide cell."""
    groups: list[list] = []
    for cell in deck.cells:
        kind = cell.metadata["slideshow"]["slide_type"]
        if kind in ("slide", "subslide") or not groups:
            groups.append([])
        groups[-1].append(cell)
    return groups


def headings(deck) -> list[str]:
    return [
        line.lstrip("#").strip()
        for cell in deck.cells
        if cell.cell_type == "markdown" and cell.metadata["slideshow"]["slide_type"] != "notes"
        for line in cell.source.splitlines()
        if line.startswith("## ")
    ]


def test_deck_is_valid_nbformat(deck):
    nbformat.validate(deck)


def test_every_cell_has_a_slide_type(deck):
    missing = [i for i, c in enumerate(deck.cells) if c.metadata.get("slideshow", {}).get("slide_type") not in SLIDE_TYPES]
    assert not missing, f"cells without a valid slideshow.slide_type: {missing}"


def test_agenda_order(deck):
    titles = headings(deck)
    positions = []
    for item in AGENDA:
        found = [i for i, t in enumerate(titles) if t.startswith(item) and i > (positions[-1] if positions else -1)]
        assert found, f"no slide titled {item!r} after the previous agenda item; titles: {titles}"
        positions.append(found[0])
    agenda_slide = next(c for c in deck.cells if c.cell_type == "markdown" and c.source.startswith("## Agenda"))
    listed = re.findall(r"^\d+\. (.+)$", agenda_slide.source, flags=re.M)
    assert listed == AGENDA


def test_title_slide_credits_the_original_talk(deck):
    first_slide = next(c for c in deck.cells if c.metadata["slideshow"]["slide_type"] == "slide")
    assert "AI in the Open" in first_slide.source and "Why It Matters. How to Achieve It." in first_slide.source
    assert "Dean Wampler" in first_slide.source and "IBM Research" in first_slide.source and "AI Alliance" in first_slide.source


def test_every_slide_has_speaker_notes(deck):
    for group in slide_groups(deck):
        if group[0].metadata["slideshow"]["slide_type"] not in ("slide", "subslide"):
            continue
        notes = [c for c in group if c.metadata["slideshow"]["slide_type"] == "notes" and c.source.strip()]
        assert notes, f"slide without speaker notes: {group[0].source[:60]!r}"


def test_no_stored_outputs(deck):
    stored = [i for i, c in enumerate(deck.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not stored, f"cells with stored outputs or counts (clear them before committing): {stored}"


def test_code_is_thin_and_fetches_nothing(deck):
    for cell in (c for c in deck.cells if c.cell_type == "code"):
        assert not re.search(r"https?://|urllib|requests|socket|pip install", cell.source), cell.source
        lines = [line for line in cell.source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        assert len(lines) <= 3, f"notebooks stay thin (import, call, show); move logic into aiopen/: {cell.source!r}"


def figures_in(text: str) -> list[str]:
    """Numbers that state a fact ("$80B", "400,000", "5 December 2023"), after
    dropping words that start with a letter (SmolLM2-135M), list markers and the
    slide's source line."""
    text = re.sub(r'<p class="source">.*?</p>', "", text, flags=re.S)
    text = re.sub(r"^\s*\d+\.\s", "", text, flags=re.M)
    text = re.sub(r"\b[A-Za-z][\w.-]*\d[\w.-]*", "", text)
    return re.findall(r"\d+(?:[,.]\d+)*", text)


def test_figure_detector_sees_money_counts_and_dates():
    assert figures_in("> $80B annual R&D, 5 December 2023, SmolLM2-135M") == ["80", "5", "2023"]
    assert figures_in("1. Agenda item\n2. Another") == []


def test_every_figure_on_a_slide_has_a_source(deck):
    for group in slide_groups(deck):
        shown = "\n".join(c.source for c in group if c.cell_type == "markdown" and c.metadata["slideshow"]["slide_type"] != "notes")
        if figures_in(shown):
            assert 'class="source"' in shown, f"slide shows {figures_in(shown)} without a source line: {shown[:80]!r}"


def test_rise_settings_for_the_projector(deck):
    rise = deck.metadata["rise"]
    # The same settings reach RISE from the server's nbconfig (see the autorun
    # extension for why); only autolaunch differs, the extension launches instead.
    served = json.loads((DECK.parents[1] / "aiopen/jupyter/config/nbconfig/rise.json").read_text())
    assert {k: v for k, v in rise.items() if k != "autolaunch"} == {k: v for k, v in served.items() if k != "autolaunch"}
    assert rise["autolaunch"] is True and rise["theme"] == "white"  # white: no web fonts
    assert (rise["width"], rise["height"]) == (1280, 720)
    assert deck.metadata["aiopen"]["autorun"] is True
    for css in ("rise.css", f"{DECK.stem}.css"):  # RISE requests both; a 404 is a console error
        assert (DECK.parent / css).exists()
