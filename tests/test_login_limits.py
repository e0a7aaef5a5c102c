"""Sign-in limits: guessing slows down, strangers lock nobody out, memory stays bounded."""

import threading
import time
import tracemalloc

import httpx
import pytest

from live import LiveServer
from server.core.errors import RateLimited
from server.people.login_limiter import LoginLimiter


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _fail(limiter, name, address, times):
    for _ in range(times):
        limiter.reserve(name, address)


def test_delays_grow_and_a_success_clears_them():
    clock = Clock()
    limiter = LoginLimiter(free=5, first_delay=30, max_delay=900, clock=clock)
    _fail(limiter, "officer", "10.0.0.9", 5)
    with pytest.raises(RateLimited) as wait:
        limiter.reserve("officer", "10.0.0.9")
    assert wait.value.retry_after == 30
    clock.now += 30
    limiter.reserve("officer", "10.0.0.9")  # the sixth try, after the wait
    with pytest.raises(RateLimited) as wait:
        limiter.reserve("officer", "10.0.0.9")
    assert wait.value.retry_after == 60, "each further failure doubles the wait"
    clock.now += 60
    limiter.succeeded(limiter.reserve("officer", "10.0.0.9"))
    limiter.reserve("officer", "10.0.0.9")  # counting starts over


def test_a_stranger_locks_out_neither_the_user_nor_their_address():
    limiter = LoginLimiter(free=5)
    _fail(limiter, "officer", "10.0.0.66", 5)  # guessing the officer's password from afar
    for name in ("admin", "ghost1", "ghost2", "ghost3", "ghost4", "ghost5"):
        _fail(limiter, name, "10.0.0.5", 1)  # made-up names from the shop's own address
    limiter.reserve("officer", "10.0.0.5")  # the officer on the shop's tablet: not delayed
    limiter.reserve("supervisor", "10.0.0.5")
    with pytest.raises(RateLimited):
        limiter.reserve("officer", "10.0.0.66")


def test_memory_stays_bounded_under_made_up_names():
    limiter = LoginLimiter(max_pairs=10_000)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for n in range(40_000):
        limiter.reserve(f"made-up-{n}", "10.0.0.66")
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(limiter) == 10_000
    assert grown < 8_000_000, f"grew by {grown:,} bytes"


def test_old_pairs_are_forgotten():
    clock = Clock()
    limiter = LoginLimiter(max_delay=900, clock=clock)
    _fail(limiter, "someone", "10.0.0.66", 3)
    clock.now += 901
    limiter.reserve("other", "10.0.0.5")
    assert len(limiter) == 1


def test_concurrent_attempts_get_no_more_checks_than_allowed():
    limiter = LoginLimiter(free=5)
    allowed, refused = [], []
    start = threading.Barrier(20)

    def attempt():
        start.wait()
        try:
            limiter.reserve("admin", "10.0.0.66")
            allowed.append(1)
        except RateLimited:
            refused.append(1)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(allowed), len(refused)) == (5, 15)


def test_wrong_passwords_over_http_wait_then_the_right_one_works(client):
    statuses = [
        client.post("/api/login", json={"username": "admin", "password": f"guess{i}"}).status_code
        for i in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    for name in ("ghost", "officer2"):
        assert (
            client.post("/api/login", json={"username": name, "password": "x"}).status_code == 401
        )
    other = client.post("/api/login", json={"username": "officer", "password": "demo"})
    assert other.status_code == 200, "one user's guesses do not lock the others on the address"


def _fail_over_http(base, name, forwarded_for, times=6):
    statuses = []
    for _ in range(times):
        response = httpx.post(
            f"{base}/api/login",
            json={"username": name, "password": "wrong"},
            headers={"X-Forwarded-For": forwarded_for},
        )
        statuses.append(response.status_code)
    return statuses


@pytest.mark.e2e
def test_forwarded_addresses_are_believed_only_from_the_configured_proxy(tmp_path):
    plain = LiveServer(tmp_path / "plain").start()
    proxied = LiveServer(tmp_path / "proxied", extra=["--forwarded-allow-ips", "127.0.0.1"])
    proxied.start()
    try:
        # Without a configured proxy a forged header changes nothing: one address, one count.
        assert _fail_over_http(plain.base, "admin", "203.0.113.1", 5) == [401] * 5
        assert _fail_over_http(plain.base, "admin", "203.0.113.2", 1) == [429]
        # Behind the configured proxy each client address counts on its own.
        assert _fail_over_http(proxied.base, "admin", "203.0.113.1", 6)[-1] == 429
        assert _fail_over_http(proxied.base, "admin", "203.0.113.2", 1) == [401]
        started = time.monotonic()
        ok = httpx.post(
            f"{proxied.base}/api/login",
            json={"username": "admin", "password": "demo"},
            headers={"X-Forwarded-For": "203.0.113.3"},
        )
        assert ok.status_code == 200 and time.monotonic() - started < 5
    finally:
        plain.stop()
        proxied.stop()
