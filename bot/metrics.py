"""Prometheus metrics of one bot process, served at /metrics in webhook mode.

Each process gets its own registry (not prometheus-client's global one), so tests and several apps in one
process never see each other's counts; Prometheus adds the replicas up.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.models import OutboxKind

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter("five_teams_updates", "Telegram updates handled, by update type",
                               ["update_type"], registry=self.registry)
        self.latency = Histogram("five_teams_update_seconds",
                                 "Time to handle one update, from taking the member's lock to the database commit",
                                 registry=self.registry)
        self.outbox_pending = Gauge("five_teams_outbox_pending", "Outbox messages waiting to be sent (on scrape)",
                                    registry=self.registry)
        self.sent = Counter("five_teams_outbox_sent", "Outbox messages delivered, by kind", ["kind"],
                            registry=self.registry)
        self.failed = Counter("five_teams_outbox_failed", "Outbox messages given up on, by kind", ["kind"],
                              registry=self.registry)
        self.job_runs = Counter("five_teams_job_runs",
                                "Scheduled job runs, by job and outcome (ran; skipped: the period was done "
                                "already, by another replica or before; failed)",
                                ["job", "outcome"], registry=self.registry)

    def handled(self, update_type: str, seconds: float) -> None:
        self.updates.labels(update_type).inc()
        self.latency.observe(seconds)

    def delivered(self, kind: OutboxKind, sent: bool) -> None:
        """The sender's hook: one outbox row sent, or failed for good."""
        (self.sent if sent else self.failed).labels(kind.value).inc()

    def job_ran(self, job: str, outcome: str) -> None:
        """The scheduler's hook."""
        self.job_runs.labels(job, outcome).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
