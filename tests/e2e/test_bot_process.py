"""Stopping a bot process as a service manager does: one that ignores SIGTERM is killed once STOP_TIMEOUT ends."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e import bot_process
from tests.e2e.bot_process import BotProcess, stop_process

DEAF = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('deaf', flush=True); time.sleep(60)"


async def test_a_process_deaf_to_sigterm_is_killed_after_the_stop_timeout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot_process, "STOP_TIMEOUT", 0.5)
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", DEAF, stdin=subprocess.DEVNULL,
                                                   stdout=subprocess.PIPE)
    running = BotProcess(process, tmp_path / "deaf.log", asyncio.ensure_future(process.wait()))
    await running.printed("deaf")   # its SIGTERM handler is in place
    await stop_process(running)
    assert process.returncode == -signal.SIGKILL
