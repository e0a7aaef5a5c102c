"""The Content-Security-Policy in a real browser (server/api/hardening.py).

Every browser test fails on a CSP violation Chromium reports (tests/browser/conftest.py); this
module checks that the detector itself works, and that the API schema page renders under the
same policy from this server's own files, asking nothing of any other origin.
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

from PIL import Image

from .conftest import Server, app_ready, poll, shot


def test_a_blocked_inline_style_and_script_are_reported(server: Server, pages):
    page = pages.new()
    page.goto(server.base)
    app_ready(page)
    page.evaluate(
        """() => {
          const box = document.createElement('div');
          box.innerHTML = '<p style="color: red">x</p>';
          document.body.append(box);
          const s = document.createElement('script');
          s.textContent = 'window.__inlineRan = true';
          document.body.append(s);
        }"""
    )
    poll("two CSP reports", lambda: len(pages.errors) >= 2, page=page)
    assert all(e.startswith("CSP violation") for e in pages.errors), pages.errors
    assert page.evaluate("() => window.__inlineRan") is None  # the script did not run
    pages.errors.clear()  # expected here: the other tests must see none


def test_schema_page_renders_from_this_server_only(server: Server, pages):
    page = pages.new()
    origins: set[str] = set()
    page.on("request", lambda r: origins.add(urlsplit(r.url).netloc))
    page.goto(f"{server.base}/api/schema")
    page.wait_for_selector(".opblock", timeout=30_000)
    operations = page.locator(".opblock").count()
    assert operations > 30, operations
    assert page.locator(".opblock-summary-path", has_text="/api/audits/{audit_id}").count() >= 1
    assert origins == {urlsplit(server.base).netloc}, origins
    shot(page, "api-schema")


def test_a_pdf_opened_from_the_console_still_shows_under_the_csp(server: Server, pages):
    """The console opens PDFs as blob: URLs in a new tab, which inherit the app's CSP
    (`object-src 'none'` included): Chromium's PDF viewer must still draw the pages."""
    page = pages.new()
    page.goto(server.base)
    app_ready(page)
    token = server.headers("admin")["Authorization"].split()[1]
    url = page.evaluate(
        """async (token) => {
          const headers = {Authorization: 'Bearer ' + token};
          const r = await fetch('/api/sites/hq/labels.pdf', {headers});
          if (!r.ok) throw new Error('labels: ' + r.status);
          return URL.createObjectURL(await r.blob());
        }""",
        token,
    )
    viewer = page.context.new_page()
    viewer.goto(url)

    def white_share() -> float:
        image = Image.open(io.BytesIO(viewer.screenshot())).convert("L")
        histogram = image.histogram()  # 256 grey levels
        return sum(histogram[241:]) / (image.width * image.height)

    # The viewer's own background is dark grey: white means a page was drawn.
    poll("the PDF's pages drawn", lambda: white_share() > 0.2, page=viewer)
