"""Sign-in limits that slow down guessing without letting anyone lock others out.

- Failures count per (username, address) pair. A stranger guessing from their own address
  slows only that pair: the real user on their own tablet, and every other user behind the
  same address, sign in as usual.
- Growing delays, never a block: after `free` failures the pair waits `first_delay` seconds,
  doubling with each further failure up to `max_delay`. A success clears the pair.
- Atomic: a try is reserved (counted as a failure) before the password is checked and given
  back on success, so concurrent requests cannot get more checks than the rule allows.
- Bounded: at most `max_pairs` pairs are remembered, the least recently failed forgotten
  first, and a pair is forgotten once `max_delay` has passed since its last failure.

Which address a request comes from is the connection's peer, or the address a reverse proxy
passes on when that proxy is listed in `--forwarded-allow-ips` (server/cli.py).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from server.core.errors import RateLimited


class LoginLimiter:
    def __init__(
        self,
        free: int = 5,
        first_delay: float = 30,
        max_delay: float = 900,
        max_pairs: int = 10_000,
        clock=time.monotonic,
    ):
        self.free = free
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.max_pairs = max_pairs
        self.clock = clock
        # (name, address) -> [failures, time of the last failure]
        self._pairs: OrderedDict[tuple[str, str], list] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pairs)

    def _delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.max_delay, self.first_delay * 2 ** (failures - self.free))

    def _forget_old(self, now: float) -> None:
        # Oldest failures first: stop at the first pair still within its delay window.
        while self._pairs:
            key, (failures, last) = next(iter(self._pairs.items()))
            if now - last < self.max_delay and len(self._pairs) <= self.max_pairs:
                break
            del self._pairs[key]

    def reserve(self, username: str, address: str) -> tuple[str, str]:
        """Take one try for the pair, or raise RateLimited saying how long to wait."""
        key = (username.strip().lower()[:64], address[:64])
        with self._lock:
            now = self.clock()
            self._forget_old(now)
            failures, last = self._pairs.get(key, (0, now))
            wait = last + self._delay(failures) - now
            if wait > 0:
                seconds = int(wait + 0.999)
                raise RateLimited(f"too many failed sign-ins: try again in {seconds} s", seconds)
            self._pairs[key] = [failures + 1, now]
            self._pairs.move_to_end(key)
            if len(self._pairs) > self.max_pairs:
                self._pairs.popitem(last=False)
        return key

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._pairs.pop(key, None)
