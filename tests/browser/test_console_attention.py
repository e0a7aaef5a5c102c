"""The console's 需关注 Needs attention screen (#/needs-attention) against the real server on a copy
of the demo company with its two months of audits, plus an audit whose photo never came and a
refused photo upload made here.

An admin opens it from the console's nav: each count says what GET /api/attention says, the
lists hold the same audits in the same order (waiting for review oldest first, each opening the
review screen; the queue one link away), the refused upload shows who and why, the server's
facts are there. Screenshots at 1024x768 and 768x1024, axe clean, in both languages, and no
Content-Security-Policy violation (no inline styles or scripts). An officer is told it is for
supervisors.
"""

from __future__ import annotations

import hashlib

import httpx
import pytest

from .conftest import Server, app_ready, demo_server, go, poll, shots, sign_in
from .test_console import put_audit

ROWS_JS = "(els) => els.map((e) => e.dataset.attentionAudit)"


@pytest.fixture(scope="module")
def demo(demo_data, tmp_path_factory):
    with demo_server(demo_data, tmp_path_factory, "console-attention") as server:
        yield server


def attention(server: Server, user: str = "admin") -> dict:
    response = server.api("GET", "/api/attention", user=user)
    assert response.status_code == 200, response.text
    return response.json()


def stuck_audit(server: Server) -> tuple[str, str]:
    """A submitted audit naming a photo the device never sent: (audit id, photo sha256)."""
    sha = hashlib.sha256(b"a photo still on the tablet").hexdigest()

    def name_photo(answers, items):
        first = next(iter(answers))
        answers[first] = {**answers[first], "photos": [sha]}

    return put_audit(server, "hq-parts", 5, name_photo), sha


def refuse_upload(server: Server) -> None:
    """A photo whose bytes are not its id: the server refuses it (400) and keeps the refusal."""
    response = httpx.put(
        f"{server.base}/api/photos/{'f' * 64}",
        content=b"not the photo named",
        headers={**server.headers("officer"), "Content-Type": "image/jpeg"},
        timeout=15,
    )
    assert response.status_code == 400


def admin_in(page, origin: str) -> None:
    """An admin starts on #/admin; its nav leads to 需关注 (and so does the console's)."""
    page.goto(origin + "/#/login")
    app_ready(page)
    page.fill("#username", "admin")
    page.fill("#password", "demo")
    page.click("[data-login]")
    page.click("[data-admin-nav] [data-nav-attention]")
    page.wait_for_url("**/#/needs-attention")
    page.wait_for_selector("[data-console-nav] [data-nav-attention][aria-current]")
    loaded(page)


def loaded(page) -> None:
    page.wait_for_selector("[data-attention][aria-busy='false']")


def count(page, key: str) -> int:
    return int(page.text_content(f'[data-count="{key}"]'))


def test_the_screen_shows_what_the_api_says(demo, pages):
    audit_id, sha = stuck_audit(demo)
    refuse_upload(demo)
    api = poll("the refusal recorded", lambda: (a := attention(demo))["refusals"]["count"] and a)
    assert api["photos"]["count"] >= 1 and api["review"]["count"] > 1
    assert api["actions_overdue"] > 0  # the demo leaves some actions undone past their due

    page = pages.new()
    admin_in(page, demo.origin)
    assert page.get_attribute("[data-nav-attention]", "aria-current") == "page"
    assert page.text_content("h1").strip() == "需关注"
    api = attention(demo)
    assert count(page, "review") == api["review"]["count"]
    assert count(page, "photos") == api["photos"]["count"]
    assert count(page, "refused") == api["refusals"]["count"]
    assert count(page, "overdue") == api["actions_overdue"]

    review = page.eval_on_selector_all("[data-section='review'] [data-attention-audit]", ROWS_JS)
    assert review == [a["id"] for a in api["review"]["audits"]]
    ages = page.eval_on_selector_all(
        "[data-section='review'] [data-age-days]", "(els) => els.map((e) => +e.dataset.ageDays)"
    )
    assert ages == [a["age_days"] for a in api["review"]["audits"]]
    assert ages == sorted(ages, reverse=True) and ages[0] > 0  # the oldest first
    photos = page.eval_on_selector_all("[data-section='photos'] [data-attention-audit]", ROWS_JS)
    assert audit_id in photos and photos == [a["id"] for a in api["photos"]["audits"]]
    refusal = page.locator("[data-section='refused'] [data-refusal]").first
    assert "officer" in refusal.text_content() and "sha256" in refusal.text_content()
    assert page.text_content("[data-fact='version']").strip() == api["server"]["version"]
    assert page.locator("[data-tile='disk']").count() == 1

    shots(page, "console-attention")
    page.click("[data-lang-toggle]")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    loaded(page)
    assert page.text_content("h1").strip() == "Needs attention"
    assert "Waiting for review" in page.text_content("[data-section='review'] h2")
    shots(page, "console-attention-en", axe=False)
    page.click("[data-lang-toggle]")
    page.wait_for_function("() => document.documentElement.lang !== 'en'")

    # The oldest waiting audit opens in the review screen; the queue is one link away.
    loaded(page)
    page.click(f"[data-section='review'] [data-attention-audit='{review[0]}']")
    page.wait_for_url(f"**/#/review/{review[0]}")
    go(page, "#/needs-attention")
    loaded(page)
    page.click("[data-open-queue]")
    page.wait_for_selector("[data-review-queue]")
    assert not [m for m in pages.console if "Content Security Policy" in m]


def test_officers_are_told_it_is_for_supervisors(demo, pages):
    page = pages.new()
    sign_in(page, demo.origin, "officer")
    go(page, "#/needs-attention")
    page.wait_for_selector("[data-supervisors-only]")
