"""HTTPS served by Genba itself (`genba serve --tls-cert --tls-key`), with a certificate made
by docs/deploy.md's own commands: the blocks marked `<!-- test: certs -->` run here as they
are written, so the guide's local CA keeps working."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from live import LiveServer, free_port, make_certs, trusting

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> dict[str, Path]:
    return make_certs(tmp_path_factory.mktemp("tls") / "ca")


@pytest.fixture(scope="module")
def servers(tmp_path_factory, certs):
    """(the server over HTTPS, the same app over plain HTTP)."""
    folder = tmp_path_factory.mktemp("tls-servers")
    secure = LiveServer(folder / "tls", tls=(certs["cert"], certs["key"]), ca=certs["ca"])
    plain = LiveServer(folder / "plain", demo=False)
    with ThreadPoolExecutor(2) as starting:  # side by side: each start is mostly waiting
        started = [starting.submit(server.start) for server in (secure, plain)]
    try:
        for start in started:
            start.result()
        yield secure, plain
    finally:
        secure.stop()
        plain.stop()


def _x509(path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["openssl", "x509", "-in", str(path), "-noout", *args], capture_output=True, text=True
    )


def test_the_guides_certificate_is_for_the_name_and_address_and_825_days(certs):
    text = _x509(certs["cert"], "-text").stdout
    assert "DNS:localhost" in text and "IP Address:127.0.0.1" in text
    assert "TLS Web Server Authentication" in text and "CA:FALSE" in text
    days = _x509(certs["cert"], "-checkend", str(825 * 86400))
    assert days.returncode == 1, "valid for more than 825 days: iPadOS would refuse it"
    ca = _x509(certs["ca"], "-text").stdout
    assert "CA:TRUE" in ca and "Certificate Sign" in ca


def test_https_works_with_the_ca_by_address_and_by_name(servers, certs):
    secure, _ = servers
    assert secure.base.startswith("https://127.0.0.1:")
    for base in (secure.base, f"https://localhost:{secure.port}"):
        health = httpx.get(f"{base}/api/health", verify=trusting(certs["ca"]))
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert health.url.scheme == "https"


def test_the_certificate_is_refused_without_the_ca(servers):
    secure, _ = servers
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(f"{secure.base}/api/health")


def test_plain_http_to_the_https_port_gets_no_app(servers):
    secure, _ = servers
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{secure.port}/api/health", timeout=5)


def test_sign_in_and_bootstrap_over_https(servers):
    secure, _ = servers
    headers = secure.login("officer")
    body = httpx.get(f"{secure.base}/api/bootstrap", headers=headers, verify=secure.verify)
    assert body.status_code == 200
    assert {c["id"] for c in body.json()["checklists"]} >= {"6s-zone"}
    wrong = httpx.post(
        f"{secure.base}/api/login",
        json={"username": "officer", "password": "not it"},
        verify=secure.verify,
    )
    assert wrong.status_code == 401


def test_hsts_over_tls_only(servers):
    secure, plain = servers
    over_tls = httpx.get(f"{secure.base}/", verify=secure.verify)
    assert over_tls.status_code == 200
    hsts = over_tls.headers.get("strict-transport-security", "")
    assert re.fullmatch(r"max-age=(\d+).*", hsts), f"no HSTS over TLS: {over_tls.headers}"
    assert int(re.match(r"max-age=(\d+)", hsts)[1]) >= 31_536_000
    over_http = httpx.get(f"{plain.base}/")
    assert over_http.status_code == 200
    assert "strict-transport-security" not in over_http.headers
    # Nor does a client get it over plain HTTP by claiming HTTPS (no proxy is trusted).
    claimed = httpx.get(f"{plain.base}/api/health", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in claimed.headers


def test_a_certificate_without_its_key_stops_with_a_message(tmp_path, certs):
    result = subprocess.run(
        [sys.executable, "-m", "server", "serve", "--data", str(tmp_path / "data")]
        + ["--port", str(free_port()), "--tls-cert", str(certs["cert"])],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "GENBA_DATA": "", "GENBA_PASSWORD_COST": "test"},
    )
    assert result.returncode == 2
    assert "--tls-cert and --tls-key go together" in result.stderr
    assert "Genba serving" not in result.stdout
