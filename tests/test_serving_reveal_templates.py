"""The deck's two reveal.js pages outside RISE, the static export (nbconvert) and the Voila deck,
share one stylesheet, served beside reveal.js by both."""

from __future__ import annotations

from aiopen.paths import JUPYTER_ASSETS
from aiopen.serving.publish import asset_sources

TEMPLATES = JUPYTER_ASSETS / "data"
PAGES = [TEMPLATES / "nbconvert" / "templates" / "aiopen-reveal" / "index.html.j2", TEMPLATES / "voila" / "templates" / "aiopen-reveal" / "index.html.j2"]
SHARED = JUPYTER_ASSETS / "reveal" / "aiopen-reveal.css"


def test_both_reveal_pages_link_the_shared_stylesheet_and_repeat_none_of_it():
    rules = [line.split("{")[0].strip() for line in SHARED.read_text(encoding="utf-8").splitlines() if "{" in line]
    assert rules
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert '<link rel="stylesheet" href="{{ resources.reveal.url_prefix }}/aiopen-reveal.css">' in text, page
        assert not [rule for rule in rules if rule in text], page


def test_the_shared_stylesheet_is_an_asset_of_both_pages():
    assert asset_sources()["reveal/aiopen-reveal.css"] == [SHARED]
