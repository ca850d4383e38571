"""Settings whose jobs are the ones the registry knows, for tests that run jobs by name."""

from __future__ import annotations

from bot.config import Settings
from bot.scheduler.jobs import job_registry


def registry_settings(settings: Settings) -> Settings:
    registry = job_registry()
    return settings.model_copy(update={"jobs": {k: v for k, v in settings.jobs.items() if k in registry}})
