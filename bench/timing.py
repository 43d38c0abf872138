"""Latency measurement helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    """p50 and p95 of the samples, in milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def measure(action: Callable[[], object], repeat: int, warmup: int = 3) -> tuple[float, float]:
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def report(rows: list[tuple[str, float, float, float | None]]) -> None:
    """Print name, p50, p95 and target (ms) with a verdict per row."""
    print(f"{'measurement':<48} {'p50 ms':>8} {'p95 ms':>8} {'target':>8}  verdict")
    for name, p50, p95, target in rows:
        verdict = "" if target is None else ("ok" if p95 <= target else "SLOW")
        target_text = "" if target is None else f"{target:.0f}"
        print(f"{name:<48} {p50:8.1f} {p95:8.1f} {target_text:>8}  {verdict}")
