"""Reading the deck and the talk's outline for the static deck tests: the deck's
slides with their metadata, visible text and notes, and one way to compare text."""

from __future__ import annotations

import ast
import html
import importlib
import typing
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

REPO = Path(__file__).resolve().parent.parent
DECK = REPO / "slides" / "ai_in_the_open.ipynb"
OUTLINE = REPO / "slides" / "talk_outline.yml"
KIT_BADGE = 'class="kit-badge"'
TIME_LINE = re.compile(r"^Time: (\d+(?:\.\d+)?) min( · optional: skip it when short of time)?$")


@dataclass
class Slide:
    """One slide of the deck (a slide or subslide cell and the cells up to the next)."""

    number: int
    cells: list

    @property
    def meta(self) -> dict:
        return self.cells[0].metadata.get("aiopen", {})

    @property
    def talk(self) -> list[int]:
        return list(self.meta.get("talk", []))

    @property
    def minutes(self) -> float:
        return float(self.meta["minutes"])

    @property
    def optional(self) -> bool:
        return bool(self.meta.get("optional"))

    @property
    def markdown(self) -> str:
        return "\n".join(c.source for c in self.cells if c.cell_type == "markdown" and kind(c) != "notes")

    @property
    def notes(self) -> str:
        return "\n".join(c.source for c in self.cells if kind(c) == "notes")

    @property
    def headings(self) -> list[str]:
        return [normalise(line.lstrip("#")) for line in self.markdown.splitlines() if re.match(r"#{1,2} ", line)]

    @property
    def text(self) -> str:
        return normalise(self.markdown)


def kind(cell) -> str:
    return cell.metadata["slideshow"]["slide_type"]


def read_deck():
    return nbformat.read(DECK, as_version=4)


def read_outline() -> dict:
    return yaml.safe_load(OUTLINE.read_text(encoding="utf-8"))


def slides(deck) -> list[Slide]:
    """The deck's slides in order, numbered from 1 as RISE counts them (cells before
    the first slide, such as the hidden setup, belong to no slide)."""
    found: list[Slide] = []
    for cell in deck.cells:
        if kind(cell) in ("slide", "subslide"):
            found.append(Slide(len(found) + 1, []))
        if found:
            found[-1].cells.append(cell)
    return found


TYPOGRAPHY = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\u00a0": " "})


def normalise(text: str) -> str:
    """Text as a reader sees it, for comparing words: no HTML tags or entities, no
    Markdown emphasis or code marks, plain quotes and dashes, "..." for an ellipsis,
    single spaces."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text).translate(TYPOGRAPHY).replace("…", "...")
    text = re.sub(r"[*_`]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def view_calls(deck) -> list[str]:
    """The live views the deck shows, in order: ``"module.function"`` of each code cell that
    calls a view factory of ``aiopen.widgets`` (the setup cell only imports)."""
    calls = []
    for cell in deck.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                calls.append(f"{node.func.value.id}.{node.func.attr}")
    return calls


def draws_a_figure(call: str) -> bool:
    """Whether the view ``call`` (``"module.function"``) builds returns a view with a plotly figure."""
    module, function = call.split(".")
    factory = getattr(importlib.import_module(f"aiopen.widgets.{module}"), function)
    return "figure" in typing.get_type_hints(factory)["return"].class_trait_names()
