"""The real server for end-to-end tests: `genba serve` in its own process on a free port."""

from __future__ import annotations

import os
import re
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx

# Debian's Chromium, as the browser tests and bench/pwa.py launch it: Playwright cannot
# download its own browsers here, and without the background-networking flags Chromium
# keeps trying hosts this machine cannot reach.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`genba serve` on a free port; over HTTPS with tls=(cert, key), checked against `ca`."""

    def __init__(
        self,
        data: Path,
        port: int | None = None,
        demo: bool = True,
        extra: list[str] = (),
        tls: tuple[Path, Path] | None = None,
        ca: Path | None = None,
    ):
        self.data, self.port, self.demo = data, port or free_port(), demo
        self.extra = list(extra)  # more `genba serve` options
        if tls and not ca:
            raise ValueError("an HTTPS LiveServer needs the CA that signed its certificate")
        self.tls = tls
        # What httpx checks the server's certificate against (True: the system's CAs).
        self.verify: ssl.SSLContext | bool = trusting(ca) if ca else True
        self.base = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.health: httpx.Response | None = None  # its last /api/health answer, at start
        # The server's log goes to a file beside the data dir: a pipe nobody reads fills up
        # (64 KiB) and then blocks the server on its next log line.
        self.log = data.parent / f"{data.name}-server-{self.port}.log"

    def start(self, healthy: bool = True) -> LiveServer:
        """Start it and wait for /api/health to answer 200; with healthy=False, for any answer
        (kept in `self.health`), for a server that starts unhealthy on purpose."""
        command = [sys.executable, "-m", "server", "serve", "--data", str(self.data)]
        command += ["--port", str(self.port)]
        command += ["--demo", "--no-demo-audits"] if self.demo else []
        if self.tls:
            command += ["--tls-cert", str(self.tls[0]), "--tls-key", str(self.tls[1])]
        command += self.extra
        self.data.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Cheap password hashing: a test server signs users in dozens of times.
                env={**os.environ, "GENBA_DATA": "", "GENBA_PASSWORD_COST": "test"},
            )
        deadline = time.monotonic() + 90  # a loaded 2-core CI machine is slow to start one
        while time.monotonic() < deadline:
            if self.process.poll() is not None:  # it stopped (a refused checklist): say why now
                raise RuntimeError("server did not start: " + self.output())
            try:
                self.health = httpx.get(f"{self.base}/api/health", timeout=1, verify=self.verify)
                if self.health.status_code == 200 or not healthy:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError("server did not start: " + self.output())

    def output(self) -> str:
        """What the server printed so far (its log file's tail)."""
        if not self.log.is_file():
            return ""
        return self.log.read_bytes()[-20_000:].decode(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing; what a power cut or OOM-kill does."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)

    def login(self, username: str, password: str = "demo") -> dict:
        response = httpx.post(
            f"{self.base}/api/login",
            json={"username": username, "password": password},
            verify=self.verify,
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['token']}"}


DEPLOY = Path(__file__).resolve().parent.parent / "docs" / "deploy.md"
# The deploy guide's certificate commands: the blocks it marks `<!-- test: certs -->`.
CERT_BLOCKS = re.compile(r"<!-- test: certs\b[^>]*-->\s*```sh\n(.*?)```", re.S)


def make_certs(folder: Path, name: str = "localhost", ip: str = "127.0.0.1") -> dict[str, Path]:
    """A local CA and a server certificate for `name` and `ip`, made in `folder` by running
    docs/deploy.md's own commands as written: {"ca", "cert", "key"} paths."""
    blocks = CERT_BLOCKS.findall(DEPLOY.read_text(encoding="utf-8"))
    if len(blocks) < 2:
        raise RuntimeError("docs/deploy.md lost its certificate commands")
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["sh", "-eu", "-c", "\n".join(blocks)],
        cwd=folder,
        env={**os.environ, "NAME": name, "IP": ip},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0 or "genba.crt: OK" not in done.stdout:
        raise RuntimeError(f"the guide's certificate commands failed: {done.stderr}")
    names = {"ca": "genba-ca.crt", "cert": "genba.crt", "key": "genba.key"}
    return {what: folder / name for what, name in names.items()}


def trusting(ca: Path) -> ssl.SSLContext:
    """What httpx checks a server's certificate against: this CA alone."""
    return ssl.create_default_context(cafile=ca)
