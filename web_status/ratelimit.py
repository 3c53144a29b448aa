"""Login attempts per client address: a small sliding window kept in the page's process.

The account lockout protects one account; this protects the server. Every failed login costs
an argon2 hash (about 170 ms and 64 MiB, the same for an unknown name, so timing does not tell
names), so an address that keeps failing is refused before any hash is computed.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 10
WINDOW_S = 300.0
# Forget addresses not seen for a window; bounds memory whatever addresses an attacker uses.
MAX_ADDRESSES = 10_000


class LoginLimiter:
    """At most ``max_failures`` failed logins per address in any ``window_s`` seconds."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._failures.setdefault(address, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def allowed(self, address: str) -> bool:
        with self._lock:
            return len(self._recent(address, self._clock())) < self.max_failures

    def failed(self, address: str) -> None:
        with self._lock:
            now = self._clock()
            if len(self._failures) >= MAX_ADDRESSES:
                self._forget_idle(now)
            self._recent(address, now).append(now)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)

    def _forget_idle(self, now: float) -> None:
        cutoff = now - self.window_s
        idle = [a for a, times in self._failures.items() if not times or times[-1] <= cutoff]
        for address in idle:
            del self._failures[address]
        if len(self._failures) >= MAX_ADDRESSES:  # all busy: drop the oldest half
            oldest = sorted(self._failures, key=lambda a: self._failures[a][-1])
            for address in oldest[: MAX_ADDRESSES // 2]:
                del self._failures[address]
