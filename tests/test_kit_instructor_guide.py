"""The instructor guide's agendas match the deck: each agenda gives every slide, in
order, once; a talk row's time is its slides' suggested times (optional ones skipped
where the row says so), and only the questions may run two minutes longer; rows follow
each other from 0 to the end of the slot."""

from __future__ import annotations

import re

import pytest

from deck_support import REPO, read_deck, slides

GUIDE = REPO / "docs" / "instructor_guide.md"
SLOTS = {"60-minute talk": 60, "45-minute talk": 45, "2-hour workshop": 120, "Half day": 240}
SPARE_MINUTES = 2  # questions may take a little longer than their slide
ROW = re.compile(r"^\| (\d+)-(\d+) \| (.+) \|$")
SLIDES = re.compile(r"\(slides? (\d+)(?:-(\d+))?")


def agendas() -> dict[str, list[tuple[int, int, str]]]:
    """Agenda title -> its rows (start, end, what), from the guide's "Agendas" section."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("\n## Agendas\n", 1)[1].split("\n## ", 1)[0]
    found: dict[str, list[tuple[int, int, str]]] = {}
    for block in section.split("\n### ")[1:]:
        title, _, body = block.partition("\n")
        found[title.strip()] = [(int(m[1]), int(m[2]), m[3]) for m in map(ROW.match, body.splitlines()) if m]
    return found


def slot_of(title: str) -> int:
    return next(minutes for name, minutes in SLOTS.items() if title.startswith(name))


@pytest.fixture(scope="module")
def deck_slides():
    return slides(read_deck())


def test_the_guide_has_every_agenda():
    assert sorted(slot_of(title) for title in agendas()) == sorted(SLOTS.values())


@pytest.mark.parametrize("title", list(agendas()))
def test_agenda_rows_follow_each_other_to_the_end_of_the_slot(title):
    rows = agendas()[title]
    assert rows[0][0] == 0 and rows[-1][1] == slot_of(title), rows
    for (_, end, _), (start, _, what) in zip(rows, rows[1:]):
        assert start == end, f"{title}: {what!r} starts at {start}, the row before ends at {end}"


@pytest.mark.parametrize("title", list(agendas()))
def test_agenda_gives_the_whole_talk_in_the_decks_order_and_times(title, deck_slides):
    covered: list[int] = []
    for start, end, what in agendas()[title]:
        match = SLIDES.search(what)
        if not match:
            continue
        first, last = int(match[1]), int(match[2] or match[1])
        shown = [s for s in deck_slides[first - 1:last] if not (s.optional and "optional slides skipped" in what)]
        expected = sum(s.minutes for s in shown)
        spare = SPARE_MINUTES if "Questions" in what else 0
        assert expected <= end - start <= expected + spare, f"{title}: {what!r} takes {end - start} min, its slides {expected}"
        covered.extend(range(first, last + 1))
    assert covered == list(range(1, len(deck_slides) + 1)), f"{title}: slides given {covered}"
