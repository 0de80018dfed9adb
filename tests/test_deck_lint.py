"""Static checks on the deck: slide types, speaker notes, no stored outputs, no code
that fetches a URL, and a source on every slide that shows a figure. The talk's order
and words are checked against its outline in test_deck_outline.py."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from deck_support import DECK, read_deck, slides

SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}


@pytest.fixture(scope="module")
def deck():
    return read_deck()


def test_deck_is_valid_nbformat(deck):
    nbformat.validate(deck)


def test_every_cell_has_a_slide_type(deck):
    missing = [i for i, c in enumerate(deck.cells) if c.metadata.get("slideshow", {}).get("slide_type") not in SLIDE_TYPES]
    assert not missing, f"cells without a valid slideshow.slide_type: {missing}"


def test_title_slide_credits_the_original_talk(deck):
    first_slide = next(c for c in deck.cells if c.metadata["slideshow"]["slide_type"] == "slide")
    assert "AI in the Open" in first_slide.source and "Why It Matters. How to Achieve It." in first_slide.source
    assert "Dean Wampler" in first_slide.source and "IBM Research" in first_slide.source and "AI Alliance" in first_slide.source


def test_every_slide_has_speaker_notes(deck):
    for slide in slides(deck):
        # beyond the first line, which states the slide's time (test_deck_outline.py)
        assert len(slide.notes.strip().splitlines()) > 1, f"slide {slide.number} has no speaker notes: {slide.markdown[:60]!r}"


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
    for slide in slides(deck):
        shown = slide.markdown
        if figures_in(shown):
            assert 'class="source"' in shown, f"slide shows {figures_in(shown)} without a source line: {shown[:80]!r}"


def test_rise_settings_for_the_projector(deck):
    rise = deck.metadata["rise"]
    # The same settings reach RISE from the server's nbconfig (see the autorun
    # extension for why); only autolaunch differs, the extension launches instead.
    served = json.loads((DECK.parents[1] / "aiopen/serving/jupyter/config/nbconfig/rise.json").read_text())
    assert {k: v for k, v in rise.items() if k != "autolaunch"} == {k: v for k, v in served.items() if k != "autolaunch"}
    assert rise["autolaunch"] is True and rise["theme"] == "white"  # white: no web fonts
    assert (rise["width"], rise["height"]) == (1280, 720)
    assert deck.metadata["aiopen"]["autorun"] is True
    for css in ("rise.css", f"{DECK.stem}.css"):  # RISE requests both; a 404 is a console error
        assert (DECK.parent / css).exists()
