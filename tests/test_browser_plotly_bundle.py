"""Under a JupyterHub every page lives under /user/<name>/: the module a served figure ships must
import plotly's widget code from the page's own server, whatever its base URL. Run in Chromium on
pages that carry the base URL the way each front end does (no server: the requests are answered
by the test, and nothing leaves localhost)."""

from __future__ import annotations

import json

import pytest

from aiopen.paths import PLOTLY_ESM_ENV

pytestmark = pytest.mark.browser

ORIGIN = "http://127.0.0.1:9"
BUNDLE = "nbextensions/aiopen_plotly/widgetbundle.js?v=1"
PAGES = {
    "classic notebook under a hub": ('<body data-base-url="/user/alice/">', "/user/alice/"),
    "JupyterLab under a hub": ('<body><script id="jupyter-config-data" type="application/json">{"baseUrl": "/user/bob/"}</script>', "/user/bob/"),
    # Voila's body names its own folder; its page config names the server's base URL
    "Voila under a hub": ('<body data-base-url="/user/eve/voila/"><script id="jupyter-config-data" type="application/json">{"baseUrl": "/user/eve/"}</script>', "/user/eve/"),
    "a server at the root": ("<body>", "/"),
}


@pytest.mark.parametrize("body, base", PAGES.values(), ids=PAGES.keys())
def test_the_figure_module_imports_the_bundle_from_the_pages_server(browser, monkeypatch, body, base):
    from aiopen.widgets.common import _figure_class

    monkeypatch.setenv(PLOTLY_ESM_ENV, BUNDLE)
    shim = _figure_class()()._esm  # the module a served figure ships
    page_html = (
        f"<html>{body}<script type='module'>\n"
        f"const url = URL.createObjectURL(new Blob([{json.dumps(shim)}], {{type: 'text/javascript'}}));\n"
        "import(url).then(m => { document.title = m.default; }, e => { document.title = 'failed: ' + e; });\n"
        "</script></body></html>"
    )
    fetched = []

    def answer(route):
        url = route.request.url
        fetched.append(url)
        if url.startswith(f"{ORIGIN}{base}{BUNDLE.split('?')[0]}"):
            route.fulfill(status=200, content_type="text/javascript", body=f"export default 'bundle under {base}';")
        elif url == f"{ORIGIN}{base}page":
            route.fulfill(status=200, content_type="text/html", body=page_html)
        else:
            route.fulfill(status=404, body="")

    context = browser.new_context()
    try:
        page = context.new_page()
        page.route("**/*", answer)
        page.goto(f"{ORIGIN}{base}page")
        page.wait_for_function("document.title !== ''", timeout=10_000)
        assert page.title() == f"bundle under {base}", fetched
    finally:
        context.close()
