"""Every error the bot logs: its error handler logs and apologises instead of raising, so a test or a benchmark
that only watched for exceptions would take a failure for a success."""

from __future__ import annotations

import logging


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
