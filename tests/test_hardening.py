"""Security headers and caching rules on every kind of response (server/api/hardening.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from litestar.testing import TestClient

from conftest import login
from server.api.hardening import CSP

PWA = Path(__file__).resolve().parent.parent / "pwa"
BASELINE = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def assert_baseline(response, what: str) -> None:
    for name, value in BASELINE.items():
        assert response.headers.get(name) == value, f"{what}: {name}"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/js/app.js", 200),
        ("GET", "/sw.js", 200),
        ("GET", "/no-such-file.txt", 404),
        ("GET", "/api/health", 200),
        ("GET", "/api/no-such-route", 404),
        ("DELETE", "/api/health", 405),
        ("GET", "/api/audits", 401),
        ("GET", "/api/schema", 200),
    ],
)
def test_every_kind_of_response_carries_the_baseline(client, method, path, status):
    response = client.request(method, path)
    assert response.status_code == status
    assert_baseline(response, path)
    assert "strict-transport-security" not in response.headers  # plain HTTP: no HSTS
    if path.startswith("/api/") and path != "/api/schema":
        assert response.headers["cache-control"] == "no-store", path


def test_personal_answers_and_exports_are_not_stored(client, officer, admin):
    signed_in = client.post("/api/login", json={"username": "officer", "password": "demo"})
    refused = client.post("/api/login", json={"username": "officer", "password": "wrong"})
    answers = {
        "sign-in": signed_in,
        "refused sign-in": refused,
        "bootstrap": client.get("/api/bootstrap", headers=officer),
        "audit list": client.get("/api/audits", headers=officer),
        "appraisal xlsx": client.get("/api/appraisal?month=2026-01&format=xlsx", headers=admin),
        "appraisal pdf": client.get("/api/appraisal?month=2026-01&format=pdf", headers=admin),
        "users": client.get("/api/users", headers=admin),
    }
    for what, response in answers.items():
        assert response.status_code in (200, 401), (what, response.text[:200])
        assert response.headers["cache-control"] == "no-store", what
        assert_baseline(response, what)


def test_bootstrap_is_not_stored_but_still_answers_its_etag(client, officer):
    first = client.get("/api/bootstrap", headers=officer)
    again = client.get(
        "/api/bootstrap", headers={**officer, "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["cache-control"] == "no-store"


def test_a_published_checklist_version_may_still_be_kept(client, officer):
    summary = client.get("/api/checklists", headers=officer).json()[0]
    response = client.get(f"/api/checklists/{summary['id']}/{summary['version']}", headers=officer)
    assert "immutable" in response.headers["cache-control"]  # not personal, never changes
    assert_baseline(response, "checklist version")


def test_hsts_only_over_tls(app):
    with TestClient(app=app, base_url="https://genba.shop.lan") as tls:
        for path in ("/", "/api/health", "/api/no-such-route"):
            response = tls.get(path)
            assert response.headers["strict-transport-security"] == "max-age=31536000", path
            assert_baseline(response, path)


def test_schema_page_loads_nothing_from_another_origin(client):
    page = client.get("/api/schema")
    assert page.status_code == 200
    html = page.text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, html
    assert all(url.startswith("/api/schema/") for url in urls), urls
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script on the schema page"
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 50, url
        # Nothing personal and over a megabyte: revalidated, not fetched again on every visit.
        assert asset.headers["cache-control"] == "no-cache", url
    spec = client.get("/api/schema/openapi.json")
    assert spec.json()["info"]["title"] == "Genba API"


def test_the_pwa_has_no_inline_script_or_style_for_the_csp_to_block():
    """Static half of the CSP check (the browser tests fail on any violation Chromium reports):
    no inline <script>, no style="" attributes, no event-handler attributes, no eval."""
    for path in [*PWA.rglob("*.html"), *PWA.rglob("*.js")]:
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(PWA)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline script in {where}"
        assert not re.search(r"\bstyle=[\"'$]", text), f"style attribute in {where}"
        assert not re.search(r"\son[a-z]+=[\"']", text), f"event-handler attribute in {where}"
        assert not re.search(r"\beval\(|new Function\(", text), f"eval in {where}"


def test_sign_in_answer_is_not_cached_even_when_refused(client):
    login(client, "admin")  # a real sign-in first, so the refusal below is not the first call
    refused = client.post("/api/login", json={"username": "admin", "password": "nope"})
    assert refused.status_code == 401
    assert refused.headers["cache-control"] == "no-store"
