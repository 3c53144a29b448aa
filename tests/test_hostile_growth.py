"""No path through the reader is worse than linear in the size of a hostile input.

Each input the issue named (and the others of the hostile set that scale) is read by
:func:`parse_message` at sizes N, 2N and 4N. Linear work takes about 4 times as long at 4N as
at N, quadratic work 16 times; the test fails above 8. The best of two runs counts, and a floor
on the time at N keeps tiny, noisy times from deciding anything.
"""

from __future__ import annotations

import time

import pytest

from mailflow.mail.parse import parse_message
from tests.hostile.make_hostile import HOSTILE, Hostile

MAX_RATIO = 8.0
FLOOR = 0.05  # seconds: below this at N, the time at N counts as this much
TIMED = [hostile for hostile in HOSTILE if hostile.timing_n]


def best_time(raw: bytes, runs: int = 2) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        parse_message(raw)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("hostile", TIMED, ids=[hostile.name for hostile in TIMED])
def test_reading_grows_at_most_linearly_with_the_hostile_input(hostile: Hostile) -> None:
    n = hostile.timing_n
    times = [best_time(hostile.build(size)) for size in (n, 2 * n, 4 * n)]
    ratio = times[2] / max(times[0], FLOOR)
    assert ratio <= MAX_RATIO, (
        f"{hostile.name}: {times[0]:.3f} s at N={n}, {times[1]:.3f} s at 2N, "
        f"{times[2]:.3f} s at 4N: {ratio:.1f} times"
    )
