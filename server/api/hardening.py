"""Security headers on every response, and no-store on everything personal.

One place for the browser-facing rules of "Running it for real":
- a Content-Security-Policy the PWA passes with no inline script or style, that lets nothing
  frame the app and sends forms and fetches only to this origin;
- `nosniff`, no referrer, a permissions policy that keeps the camera for this origin only;
- HSTS when the request came over TLS (directly, or from a trusted proxy's
  X-Forwarded-Proto, which uvicorn puts in the scope's scheme);
- `Cache-Control: no-store` on every /api answer that did not choose its own caching: audits,
  reviews, reports, PDFs, exports and sign-in answers carry names and scores, and a shared
  tablet's HTTP cache must not keep them past a sign-out.

It touches only each response's start message, so streamed files and compressed bodies pass
through untouched.
"""

from __future__ import annotations

from litestar.types import Message, Scope

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Photos and charts the PWA shows from IndexedDB are blob: URLs; data: for tiny icons.
        "img-src 'self' blob: data:",
        # blob: for the photos and PDFs the PWA fetches back from its own object URLs.
        "connect-src 'self' blob:",
        "font-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# A year: tablets that once reached the app over HTTPS never fall back to plain HTTP.
HSTS = "max-age=31536000"

BASELINE: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=(), payment=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
NO_STORE = (b"cache-control", b"no-store")


def security_headers(
    scope: Scope, existing: list[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    """The headers to add to a response to `scope` that already carries `existing`."""
    present = {name.lower() for name, _ in existing}
    added = [(name, value) for name, value in BASELINE if name not in present]
    if scope.get("scheme") == "https" and b"strict-transport-security" not in present:
        added.append((b"strict-transport-security", HSTS.encode()))
    if scope.get("path", "").startswith("/api/") and b"cache-control" not in present:
        added.append(NO_STORE)
    return added


def add_security_headers(message: Message, scope: Scope) -> None:
    """A `before_send` hook: Litestar calls it for every message of every response, the
    router's own 404s and 405s included, which route middleware would not see."""
    if message["type"] == "http.response.start":
        headers = list(message.get("headers", ()))
        message["headers"] = headers + security_headers(scope, headers)
