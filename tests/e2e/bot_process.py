"""The real bot as an operator runs it: `python main.py run` in a subprocess, its log kept for a failure to show,
stopped as a service manager stops it (SIGTERM, then SIGKILL)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.config import PROJECT_ROOT

# Importing aiogram alone takes seconds on a busy machine.
START_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0
LOG_TAIL_LINES = 30
# What the process must not inherit from the developer's shell: it would point the bot elsewhere.
BOT_VARIABLES = ("BOT_TOKEN", "TELEGRAM_API_URL", "DATABASE_URL", "REDIS_URL", "SANDBOX_PORT")


def clean_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name.upper() not in BOT_VARIABLES}


def log_tail(log: Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
    return "\n".join(lines[-LOG_TAIL_LINES:])


@dataclass
class BotProcess:
    """`python main.py run` in a subprocess: stdout piped for what it prints, logs (stderr) in a file."""

    process: asyncio.subprocess.Process
    log: Path
    exited: asyncio.Future[int]

    def failure(self, what: str) -> str:
        state = "running" if self.process.returncode is None else f"exited with {self.process.returncode}"
        return f"{what}\n--- bot process ({state}), last log lines:\n{log_tail(self.log)}"

    def cpu_seconds(self) -> float:
        """CPU time the running process has used so far (Linux: /proc), user and system."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_memory(self) -> int:
        """The running process's peak resident memory so far in bytes (Linux: VmHWM in /proc)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(kilobytes) * 1024

    async def printed(self, pattern: str, *, within: float = START_TIMEOUT) -> re.Match[str]:
        """The first line on stdout matching `pattern`."""
        assert self.process.stdout is not None
        seen: list[str] = []
        try:
            async with asyncio.timeout(within):
                while line := (await self.process.stdout.readline()).decode(errors="replace"):
                    seen.append(line.rstrip())
                    if match := re.search(pattern, line):
                        return match
        except TimeoutError:
            pass
        raise AssertionError(self.failure(f"no line matching {pattern!r} within {within}s; printed: {seen}"))


@asynccontextmanager
async def bot_process(log: Path, *args: str, **env: str) -> AsyncIterator[BotProcess]:
    """Run `python main.py run ARGS` with these environment variables (on top of a clean copy of ours)."""
    with log.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "main.py", "run", *args, cwd=PROJECT_ROOT, env={**clean_environment(), **env},
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log_file,
        )
    running = BotProcess(process, log, asyncio.ensure_future(process.wait()))
    try:
        yield running
    finally:
        await stop_process(running)


async def stop_process(running: BotProcess) -> None:
    if running.process.returncode is None:
        running.process.terminate()
        try:
            async with asyncio.timeout(STOP_TIMEOUT):
                await asyncio.shield(running.exited)   # the timeout must not cancel the wait awaited below
        except TimeoutError:
            running.process.kill()
    await running.exited
