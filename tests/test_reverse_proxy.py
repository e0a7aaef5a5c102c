"""Genba behind a real nginx (Debian's), configured by docs/examples/nginx.conf itself: only
its ports, certificate paths, log paths and upstream are swapped for the test's, so the file
the guide ships is the file tested.

Tablets are played by clients bound to other loopback addresses (127.0.0.2, ...): nginx sees
each one's own address and forwards it, while Genba's peer is always nginx at 127.0.0.1.
What Genba believes is observed twice: the sign-in limits count per address, and the request
log (`--log-file`) records the client address of each request by its X-Request-ID.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

import images
from conftest import ROOT
from live import LiveServer, free_port, make_certs, trusting

pytestmark = pytest.mark.e2e

EXAMPLE = ROOT / "docs" / "examples" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

# The outside of the shipped file: what Debian's /etc/nginx/nginx.conf gives it, cut down to
# one worker, and every file nginx writes kept in the test's folder.
MAIN = """\
worker_processes 1;
{user}
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/genba-site.conf;
}}
"""


def site_config(tmp: Path, https_port: int, http_port: int, genba_port: int, certs) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    swaps = {
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "/etc/genba/tls/genba.crt": str(certs["cert"]),
        "/etc/genba/tls/genba.key": str(certs["key"]),
        "proxy_pass http://127.0.0.1:8000;": f"proxy_pass http://127.0.0.1:{genba_port};",
        "/var/log/nginx/genba.access.log": str(tmp / "access.log"),
        "/var/log/nginx/genba.error.log": str(tmp / "error.log"),
    }
    for old, new in swaps.items():
        assert text.count(old) == 1, f"{old!r} is not once in docs/examples/nginx.conf"
        text = text.replace(old, new)
    return text


class Nginx:
    """nginx in the foreground, as its own process, on the test's ports."""

    def __init__(self, tmp: Path, genba_port: int, certs):
        self.tmp, self.https_port, self.http_port = tmp, free_port(), free_port()
        tmp.mkdir(parents=True, exist_ok=True)
        site = site_config(tmp, self.https_port, self.http_port, genba_port, certs)
        (tmp / "genba-site.conf").write_text(site, encoding="utf-8")
        # As root nginx would hand its workers to `nobody`, who cannot enter pytest's folders.
        user = "user root root;" if os.geteuid() == 0 else ""
        (tmp / "nginx.conf").write_text(MAIN.format(tmp=tmp, user=user), encoding="utf-8")
        self.process: subprocess.Popen | None = None

    def start(self) -> Nginx:
        log = self.tmp / "error.log"
        command = [NGINX, "-p", str(self.tmp), "-e", str(log), "-c", str(self.tmp / "nginx.conf")]
        command += ["-g", f"daemon off; pid {self.tmp}/nginx.pid;"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("nginx did not start: " + log.read_text(errors="replace"))
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not listen: " + log.read_text(errors="replace"))

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(nginx, Genba behind it, the CA certificate, Genba's request log)."""
    tmp = tmp_path_factory.mktemp("proxy")
    certs = make_certs(tmp / "ca")
    requests_log = tmp / "requests.log"
    genba = LiveServer(
        tmp / "data",
        extra=["--forwarded-allow-ips", "127.0.0.1", "--log-file", str(requests_log)],
    )
    proxy = Nginx(tmp / "nginx", genba.port, certs)
    with ThreadPoolExecutor(2) as starting:
        started = [starting.submit(part.start) for part in (genba, proxy)]
    try:
        for start in started:
            start.result()
        yield proxy, genba, certs["ca"], requests_log
    finally:
        proxy.stop()
        genba.stop()


def via_nginx(site, source: str) -> httpx.Client:
    """A tablet at `source` speaking HTTPS to nginx."""
    proxy, _, ca, _ = site
    transport = httpx.HTTPTransport(local_address=source, verify=trusting(ca))
    return httpx.Client(
        base_url=f"https://127.0.0.1:{proxy.https_port}", transport=transport, timeout=30
    )


def straight_to_genba(site, source: str) -> httpx.Client:
    """A client at `source` that skips the proxy (Genba listening where it should not)."""
    _, genba, _, _ = site
    transport = httpx.HTTPTransport(local_address=source)
    return httpx.Client(base_url=genba.base, transport=transport, timeout=30)


def client_seen(site, response: httpx.Response) -> str:
    """The client address Genba logged for this response (its X-Request-ID)."""
    request_id = response.headers["x-request-id"]
    log = site[3]
    deadline = time.monotonic() + 5  # the line is written just after the answer goes out
    while time.monotonic() < deadline:
        if log.is_file():
            for line in log.read_text(encoding="utf-8").splitlines():
                entry = json.loads(line)
                if entry.get("request_id") == request_id:
                    return entry["client"]
        time.sleep(0.05)
    raise AssertionError(f"no request log line for {request_id}")


def sign_in(client: httpx.Client, username: str) -> dict:
    response = client.post("/api/login", json={"username": username, "password": "demo"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def wrong_sign_ins(client: httpx.Client, username: str, times: int, forged=None) -> list:
    answers = []
    for n in range(times):
        headers = {"X-Forwarded-For": forged.format(n=n)} if forged else {}
        answers.append(
            client.post(
                "/api/login", json={"username": username, "password": "wrong"}, headers=headers
            )
        )
    return answers


def test_sign_in_photo_and_pdf_through_nginx_over_tls(site):
    with via_nginx(site, "127.0.0.2") as tablet:
        officer = sign_in(tablet, "officer")
        assert client_seen(site, tablet.get("/api/health")) == "127.0.0.2"
        # Over nginx's default 1 MB body limit: the example's client_max_body_size is in use.
        data = images.noise_png(2_000_000)
        assert len(data) > 1_048_576
        put = tablet.put(
            f"/api/photos/{images.sha(data)}",
            content=data,
            headers={**officer, "Content-Type": "image/png"},
        )
        assert put.status_code == 201, put.text
        got = tablet.get(f"/api/photos/{images.sha(data)}?size=thumb", headers=officer)
        assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"

        admin = sign_in(tablet, "admin")
        pdf = tablet.get("/api/sites/hq/labels.pdf", headers=admin)
        assert pdf.status_code == 200, pdf.text
        assert pdf.headers["content-type"].startswith("application/pdf")
        assert pdf.content.startswith(b"%PDF")

        page = tablet.get("/")
        assert page.status_code == 200 and 'lang="zh-CN"' in page.text
        # Genba knows the request came over HTTPS (X-Forwarded-Proto from the trusted proxy).
        for response in (put, pdf, page):
            assert response.headers["strict-transport-security"].startswith("max-age=")
        assert "nginx/" not in page.headers.get("server", ""), "server_tokens off"


def test_a_body_over_genbas_limit_gets_genbas_answer_through_nginx(site):
    with via_nginx(site, "127.0.0.2") as tablet:
        too_big = tablet.post("/api/login", content=b"x" * 11_000_000)
    assert too_big.status_code == 413
    assert too_big.headers["content-type"].startswith("application/json"), "Genba's, not nginx's"


def test_plain_http_is_sent_to_https(site):
    proxy = site[0]
    answer = httpx.get(f"http://127.0.0.1:{proxy.http_port}/api/health")
    assert answer.status_code == 301
    assert answer.headers["location"].startswith("https://")


def test_genba_counts_sign_ins_by_the_address_nginx_forwards(site):
    with via_nginx(site, "127.0.0.3") as guesser, via_nginx(site, "127.0.0.4") as other:
        answers = wrong_sign_ins(guesser, "ghost-a", 6)
        assert [a.status_code for a in answers] == [401] * 5 + [429]
        assert {client_seen(site, a) for a in answers} == {"127.0.0.3"}
        # Another tablet is not held up, even when it claims to be the guesser: nginx sets
        # X-Forwarded-For to the address it saw, whatever the client sent.
        [posing] = wrong_sign_ins(other, "ghost-a", 1, forged="127.0.0.3")
        assert posing.status_code == 401
        assert client_seen(site, posing) == "127.0.0.4"
        # And the guesser cannot pose as a fresh address either.
        [again] = wrong_sign_ins(guesser, "ghost-a", 1, forged="198.51.100.7")
        assert again.status_code == 429


def test_a_forged_header_sent_straight_to_genba_is_not_believed(site):
    with straight_to_genba(site, "127.0.0.5") as direct:
        # A new address claimed with every try: believed, none would ever wait.
        answers = wrong_sign_ins(direct, "ghost-b", 6, forged="203.0.113.{n}")
        assert [a.status_code for a in answers] == [401] * 5 + [429]
        assert {client_seen(site, a) for a in answers} == {"127.0.0.5"}
        claimed = direct.get("/", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" not in claimed.headers
