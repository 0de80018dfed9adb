"""The deck presents the talk: every slide of the talk's outline (slides/talk_outline.yml)
is in the deck, in order, with its title and its claims in the talk's words; what the
kit adds carries the kit's marker; every slide has a suggested time, and the times fit
a 45-minute slot with the optional slides skipped and about an hour with all of them."""

from __future__ import annotations

import re

import pytest

from deck_support import KIT_BADGE, TIME_LINE, normalise, read_deck, read_outline, slides

REQUIRED_MINUTES, ALL_MINUTES = 45, 60


@pytest.fixture(scope="module")
def outline():
    return read_outline()


@pytest.fixture(scope="module")
def deck_slides():
    return slides(read_deck())


def by_talk_slide(deck_slides) -> dict[int, object]:
    return {number: slide for slide in deck_slides for number in slide.talk}


def test_the_outline_is_the_talk_in_order(outline):
    numbers = [s["number"] for s in outline["slides"]]
    assert numbers == list(range(1, len(numbers) + 1))
    assert [n for section in outline["sections"] for n in section["slides"]] == numbers
    assert outline["talk"]["speaker"] == "Dean Wampler" and outline["talk"]["title"].startswith("AI in the Open")
    assert all(s["title"] and isinstance(s["claims"], list) for s in outline["slides"])


def test_every_talk_slide_is_in_the_deck_once_and_in_order(outline, deck_slides):
    covered = [number for slide in deck_slides for number in slide.talk]
    assert covered == [s["number"] for s in outline["slides"]], "the deck's talk slides, in deck order"


@pytest.mark.parametrize("number", range(1, 18))
def test_each_talk_slide_has_its_title_and_claims_in_order(outline, deck_slides, number):
    talk = next(s for s in outline["slides"] if s["number"] == number)
    slide = by_talk_slide(deck_slides)[number]
    assert normalise(talk["title"]) in slide.headings, f"deck slide {slide.number} has headings {slide.headings}"
    position = 0
    for claim in talk["claims"]:
        found = slide.text.find(normalise(claim), position)
        assert found >= 0, f"talk slide {number}: {claim!r} is not on deck slide {slide.number} after what precedes it"
        position = found + len(normalise(claim))


def test_claims_are_found_by_their_words_not_their_typography():
    assert normalise("<b>But</b> “black box” — models…") == 'But "black box" - models...'
    assert normalise("&gt;&#36;80B and **Startups &amp; Enterprises**") == ">$80B and Startups & Enterprises"
    assert normalise("AI adds new attack vectors") != normalise('AI adds new "attack vectors".')


def test_the_agenda_is_the_talks_three_questions(outline, deck_slides):
    agenda = by_talk_slide(deck_slides)[2]
    listed = [normalise(item) for item in re.findall(r"^\s*(?:\d+\.|-) (.+)$", agenda.markdown, flags=re.M)]
    questions = [normalise(section["title"]) for section in outline["sections"][1:4]]
    assert listed == [*questions, "How the AI Alliance helps."]


def test_kit_additions_carry_the_marker_on_the_slide_and_in_the_notes(deck_slides):
    for slide in deck_slides:
        marked = KIT_BADGE in slide.markdown
        noted = bool(re.search(r"^Kit addition: \S", slide.notes, flags=re.M))
        if slide.talk:
            assert not slide.meta.get("kit"), f"slide {slide.number} is both the talk's and the kit's"
            if 'class="kit"' in slide.markdown:  # the kit's part of a talk slide is framed and badged
                assert marked, f"slide {slide.number}: a kit frame without the badge"
        else:
            assert slide.meta.get("kit") is True, f"slide {slide.number} is neither the talk's nor marked as the kit's"
            assert re.search(r'<div class="kit-corner"><span class="kit-badge">', slide.markdown), f"slide {slide.number}: no badge in its corner"
        assert marked == noted, f"slide {slide.number}: badge on the slide {marked}, 'Kit addition:' in the notes {noted}"


def test_every_slide_states_its_time_in_the_notes_and_the_metadata(deck_slides):
    for slide in deck_slides:
        first_line = slide.notes.strip().splitlines()[0]
        match = TIME_LINE.match(first_line)
        assert match, f"slide {slide.number}: the notes start with {first_line!r}, not 'Time: N min'"
        assert float(match.group(1)) == slide.minutes > 0
        assert bool(match.group(2)) == slide.optional, f"slide {slide.number}: optional mark and metadata differ"


def test_only_the_kits_slides_are_optional(deck_slides):
    skippable = [s.number for s in deck_slides if s.optional and s.talk]
    assert not skippable, f"talk slides marked optional: {skippable}"


def test_times_fit_a_45_minute_slot_and_an_hour(deck_slides):
    required = sum(s.minutes for s in deck_slides if not s.optional)
    everything = sum(s.minutes for s in deck_slides)
    assert abs(required - REQUIRED_MINUTES) <= 2, f"{required} min with the optional slides skipped"
    assert abs(everything - ALL_MINUTES) <= 3, f"{everything} min with every slide"
