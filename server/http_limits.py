"""Limits on slow and oversized requests that uvicorn leaves out, for `genba serve`.

uvicorn's HTTP protocol (httptools) accepts request heads of any size and waits for ever for
a client that opened a connection and sends its head, or its body, a byte at a time: a few
hundred such connections (a broken tablet, a scanner on the shop network) would hold the
server's sockets and memory. This subclass adds three limits:

- the request line and headers together at most MAX_HEAD_BYTES: else 431, connection closed;
- the head must arrive within `head_seconds` of the connection opening (or of the previous
  response on a kept-alive connection): else 408, connection closed;
- a body may pause at most `body_idle_seconds` between two reads: else the connection is
  closed, and the handler sees an interrupted upload (server/api/photos.py says so, 400).
  A slow tablet on poor Wi-Fi keeps sending; only a stalled one is cut.

It relies on uvicorn's protocol callbacks (`on_url`, `on_header`, `on_headers_complete`, ...),
which is why uvicorn is pinned in requirements.lock; tests/test_http_limits.py exercises every
limit against the real server.
"""

from __future__ import annotations

import asyncio
import logging

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("genba")

# nginx's default for a request head is 8 KiB per header line and 32 KiB in all.
MAX_HEAD_BYTES = 32 * 1024


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop reading a head past MAX_HEAD_BYTES."""


def _reply(status: bytes, message: str) -> bytes:
    body = message.encode()
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: text/plain; charset=utf-8\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body
    )


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with the head size, head time and body idle limits above; the times
    come from Settings through guarded_protocol()."""

    head_seconds: float
    body_idle_seconds: float

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._phase = "head"  # head -> body (when one comes) -> app -> idle -> head ...
        self._head_bytes = 0
        self._head_too_large = False
        self._timer: asyncio.TimerHandle | None = None
        self._arm(self.head_seconds, self._head_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self, seconds: float, handler) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, handler)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # -- the head ---------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._phase == "body":
            self._arm(self.body_idle_seconds, self._body_stalled)
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        if self._phase != "head":  # a kept-alive connection's next request starts its clock
            self._phase = "head"
            self._arm(self.head_seconds, self._head_too_slow)

    def _count(self, *parts: bytes) -> None:
        self._head_bytes += sum(len(part) for part in parts) + 4  # ": " and CRLF
        if self._head_bytes > MAX_HEAD_BYTES:
            self._head_too_large = True
            raise _HeadTooLarge  # httptools stops parsing; uvicorn calls send_400_response

    def on_url(self, url: bytes) -> None:
        self._count(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(name, value)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm()
        names = {name for name, _ in self.headers}
        length = dict(self.headers).get(b"content-length", b"0")
        has_body = b"transfer-encoding" in names or length.strip() not in (b"", b"0")
        self._phase = "body" if has_body else "app"
        if has_body:
            self._arm(self.body_idle_seconds, self._body_stalled)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        if self._phase == "body":
            self._disarm()
            self._phase = "app"
        super().on_message_complete()

    def on_response_complete(self) -> None:
        if self._phase == "app":
            self._phase = "idle"  # uvicorn's keep-alive timeout runs until the next request
        super().on_response_complete()

    def send_400_response(self, msg: str) -> None:
        if not self._head_too_large:
            super().send_400_response(msg)
            return
        log.warning("request head from %s over %d bytes: refused", self.client, MAX_HEAD_BYTES)
        self.transport.write(
            _reply(
                b"431 Request Header Fields Too Large", f"request head over {MAX_HEAD_BYTES} bytes"
            )
        )
        self.transport.close()

    # -- the timers -------------------------------------------------------------------------

    def _head_too_slow(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        log.info("request head from %s not complete in %ss: closed", self.client, self.head_seconds)
        self.transport.write(_reply(b"408 Request Timeout", "request head took too long"))
        self.transport.close()

    def _body_stalled(self) -> None:
        self._timer = None
        if not self.transport.is_closing():
            log.info(
                "request body from %s stalled %ss: closed", self.client, self.body_idle_seconds
            )
            self.transport.close()


def guarded_protocol(head_seconds: float, body_idle_seconds: float) -> type[HttpToolsProtocol]:
    """The protocol class for uvicorn's `http=` option, with these timeouts."""
    return type(
        "GenbaHttpProtocol",
        (GuardedHttpToolsProtocol,),
        {"head_seconds": head_seconds, "body_idle_seconds": body_idle_seconds},
    )
