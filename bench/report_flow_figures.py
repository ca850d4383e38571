"""The report flow benchmark's figures: one measured run's result, the fastest of several, the machine it ran
on and the table it prints."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass

import aiogram
import sqlalchemy


@dataclass
class Result:
    name: str
    updates: int
    seconds: float  # wall time of the whole measured run (harness bookkeeping included)
    cpu: float  # CPU time the process used in that run, all threads (aiosqlite runs SQLite in one of its own)
    latencies: list[float]  # per update: dispatcher.feed_update's call to its return

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    @property
    def cpu_per_update(self) -> float:
        return self.cpu / self.updates

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    def as_dict(self) -> dict[str, float | int | str]:
        return {"name": self.name, "updates": self.updates, "seconds": round(self.seconds, 4),
                "updates_per_second": round(self.rate, 1), "p50_ms": round(self.percentile(0.5) * 1e3, 3),
                "p99_ms": round(self.percentile(0.99) * 1e3, 3),
                "cpu_ms_per_update": round(self.cpu_per_update * 1e3, 3),
                "dispatch_seconds": round(sum(self.latencies), 4)}


def best(results: Sequence[Result]) -> Result:
    """With --repeat, the fastest run: other load on the machine only ever slows a run down."""
    return max(results, key=lambda result: result.rate)


def machine() -> str:
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (f"Python {platform.python_version()}, aiogram {aiogram.__version__}, SQLAlchemy {sqlalchemy.__version__}, "
            f"{os.cpu_count()} CPUs, load average {load}")


def table(results: Sequence[Result]) -> str:
    header = (f"{'benchmark':<12} {'updates':>8} {'seconds':>8} {'updates/s':>10} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'CPU ms/update':>14}")
    rows = [f"{r.name:<12} {r.updates:>8} {r.seconds:>8.2f} {r.rate:>10.1f} {r.percentile(0.5) * 1e3:>8.2f} "
            f"{r.percentile(0.99) * 1e3:>8.2f} {r.cpu_per_update * 1e3:>14.2f}" for r in results]
    return "\n".join([header, "-" * len(header), *rows])
