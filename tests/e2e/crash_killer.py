"""Killing the bot process at random moments and starting it again, one process at a time.

Each kill comes at a moment drawn from a seeded generator: some during start-up (the scheduler's catch-up, the
first getUpdates), most while the bot works, a random delay after it started polling. The next process starts
only once the killed one is gone, so every Bot API request the emulator records belongs to exactly one life.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from emulator import Emulator
from tests.e2e.bot_process import START_TIMEOUT, log_tail
from tests.e2e.forker import Forker
from tests.harness.waiting import eventually

DURING_START_UP = 0.25            # share of the kills aimed at the start-up rather than at a working bot
START_UP_SECONDS = (0.0, 0.5)     # such a kill comes this soon after the fork (start-up: ~0.5 s on a quiet machine)
WORKING_SECONDS = (0.1, 2.5)      # the others this long after its first getUpdates
DEAD_LETTERS_SECONDS = 0.2


@dataclass
class Life:
    """One bot process: when it was forked and when it was gone (emulator clock), how it ended."""

    number: int
    pid: int
    started: float
    ready: float | None = None      # its first getUpdates
    signalled: float | None = None
    ended: float | None = None
    returncode: int | None = None

    @property
    def killed(self) -> bool:
        return self.returncode == -signal.SIGKILL

    def holds(self, moment: float) -> bool:
        return self.started <= moment and (self.ended is None or moment <= self.ended)


class Killer:
    def __init__(self, forker: Forker, emulator: Emulator, env: dict[str, str], logs: Path, seed: int) -> None:
        self._forker, self._emulator, self._env, self._logs = forker, emulator, env, logs
        self._random = random.Random(seed)
        self.lives: list[Life] = []
        self._calls_seen = 0

    def log(self, life: Life) -> Path:
        return self._logs / f"bot-{life.number:02d}.log"

    async def start(self) -> Life:
        life = Life(len(self.lives), 0, time.time())
        life.pid = await self._forker.spawn(self._env, self.log(life))
        self.lives.append(life)
        return life

    async def kill(self, kills: int, *, then_until: Callable[[], bool]) -> None:
        """Start a process and SIGKILL it at a random moment, `kills` times and then until `then_until()`."""
        while len(self.lives) < kills or not then_until():
            life = await self.start()
            if self._random.random() < DURING_START_UP:
                await asyncio.sleep(self._random.uniform(*START_UP_SECONDS))
            else:
                await self._until_ready(life)
                await asyncio.sleep(self._random.uniform(*WORKING_SECONDS))
            await self.end(life, signal.SIGKILL)

    async def end(self, life: Life, sig: signal.Signals) -> int:
        life.signalled = time.time()
        os.kill(life.pid, sig)
        life.returncode = await self._forker.wait(life.pid)
        # what the process wrote to its sockets before it died is read by the emulator on this same event loop:
        # let it be recorded before the life is closed, so no request is taken for the next process's
        await asyncio.sleep(DEAD_LETTERS_SECONDS)
        life.ended = time.time()
        self._note_ready(life)
        return life.returncode

    async def _until_ready(self, life: Life) -> None:
        async def polling() -> bool:
            return self._note_ready(life)

        try:
            await eventually(polling, what=f"bot process {life.number} polling", within=START_TIMEOUT)
        except AssertionError as failure:
            raise AssertionError(f"{failure}; its log ends:\n{log_tail(self.log(life))}") from None

    def _note_ready(self, life: Life) -> bool:
        if life.ready is None:
            calls = self._emulator.state.calls
            for call in calls[self._calls_seen:]:
                if call.method == "getUpdates" and call.time >= life.started:
                    life.ready = call.time
                    break
            self._calls_seen = len(calls)
        return life.ready is not None
