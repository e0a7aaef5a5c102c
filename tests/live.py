"""The real server for end-to-end tests: `genba serve` in its own process on a free port."""

from __future__ import annotations

import os
import socket
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
    def __init__(
        self, data: Path, port: int | None = None, demo: bool = True, extra: list[str] = ()
    ):
        self.data, self.port, self.demo = data, port or free_port(), demo
        self.extra = list(extra)  # more `genba serve` options
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        # The server's log goes to a file beside the data dir: a pipe nobody reads fills up
        # (64 KiB) and then blocks the server on its next log line.
        self.log = data.parent / f"{data.name}-server-{self.port}.log"

    def start(self) -> LiveServer:
        command = [sys.executable, "-m", "server", "serve", "--data", str(self.data)]
        command += ["--port", str(self.port)]
        command += ["--demo", "--no-demo-audits"] if self.demo else []
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
                if httpx.get(f"{self.base}/api/health", timeout=1).status_code == 200:
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
            f"{self.base}/api/login", json={"username": username, "password": password}
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['token']}"}
