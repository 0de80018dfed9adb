"""The instructor's deck under the workshop hub, in Chromium: log in with the admin password,
open the deck under /user/instructor/, RISE runs it with live widgets (plotly's code from the
learner server's own /user/instructor/nbextensions/), a slider redraws the real distribution,
nothing leaves the machine; then Ctrl-C."""

from __future__ import annotations

import pytest

from aiopen.paths import DECK
from browser_support import Watch, drag_slider, figure_signature, wait_for_change
from hub_support import start_launcher, stop_launcher

pytestmark = [pytest.mark.browser, pytest.mark.hub]


def test_the_instructors_deck_is_live_under_the_hubs_prefix(browser, tmp_path):
    launcher, url, settings = start_launcher(tmp_path, "room-pass-42", 8750)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        watch = Watch()
        watch.attach(page)
        page.goto(f"{url}/hub/login")
        page.fill("#username_input", settings["instructor"])
        page.fill("#password_input", settings["admin_password"])
        page.click("#login_submit")
        page.goto(f"{url}/hub/user-redirect/nbclassic/notebooks/{DECK}", timeout=180_000)
        page.wait_for_selector("body[data-aiopen-autorun=done]", state="attached", timeout=300_000)
        assert page.url.startswith(f"{url}/user/{settings['instructor']}/nbclassic/notebooks/")
        page.evaluate("""() => {
            const slide = Array.from(document.querySelectorAll('.reveal .slides section')).find(s => !s.querySelector('section')
                && ((s.querySelector('h1, h2') || {}).textContent || '').trim().startsWith('Outputs are probabilistic'));
            const at = Reveal.getIndices(slide);
            Reveal.slide(at.h, at.v || 0);
        }""")
        page.wait_for_timeout(400)
        present = page.locator(".reveal .slides section.present:not(.stack)")
        before = figure_signature(present)
        drag_slider(page, present.locator(".widget-slider", has_text="emperature").first, 0.95)
        assert wait_for_change(lambda: figure_signature(present), before) != before
        bundles = [u for u in watch.requests if "aiopen_plotly/widgetbundle.js" in u]
        assert len(bundles) == 1 and bundles[0].startswith(f"{url}/user/{settings['instructor']}/nbextensions/"), bundles
        watch.assert_clean()
    finally:
        context.close()
        assert stop_launcher(launcher) == 0
