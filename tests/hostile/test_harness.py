"""The harness measures the child, not the test process that started it."""

from __future__ import annotations

from tests.hostile.harness import MEGABYTES, assert_clean, run_limited


def test_a_large_test_process_does_not_inflate_the_childs_peak() -> None:
    ballast = b"x" * (MEGABYTES + 100) * 1024 * 1024  # written, so resident in this process
    outcome = run_limited(["--version"])
    assert len(ballast) > MEGABYTES * 1024 * 1024
    assert_clean(outcome)
    assert 5 < outcome.megabytes < MEGABYTES / 2, outcome.describe()

