"""Restarting the bot dozens of times a minute: a parent process imports the bot once, then forks each bot process.

Importing aiogram builds some 400 pydantic models and takes seconds (longer on a busy machine), which would make
a fresh `python main.py run` per restart the whole cost of a kill-and-restart test. A forked child has all that
in memory already: a restart then costs the bot's own start-up (engine, getMe, commands, the scheduler's
catch-up). The child is a real process running what `main.py run` runs (`bot.cli.main(["run"])`) with its own
environment, log and signal handling; SIGKILL and SIGTERM reach it as they would the real one. Nothing in the
parent touches the database, the network or an event loop before forking.

Run as `python -m tests.e2e.forker`; one JSON request per line on stdin, one answer per line on stdout:
`{"spawn": {"env": {...}, "log": PATH}}` -> `{"pid": N}`; `{"wait": N}` -> `{"returncode": RC}` (negative:
killed by that signal). At end of input the children still running are killed.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT

PR_SET_PDEATHSIG = 1


@dataclass
class Forker:
    """The test's side: asks the forking parent for bot processes."""

    process: asyncio.subprocess.Process

    @classmethod
    async def start(cls, log: Path) -> Forker:
        with log.open("wb") as errors:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.e2e.forker", cwd=PROJECT_ROOT, stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=errors)
        forker = cls(process)
        assert await forker._answer() == {"ready": True}, f"the forker did not start; see {log}"
        return forker

    async def spawn(self, env: dict[str, str], log: Path) -> int:
        return int((await self._ask({"spawn": {"env": env, "log": str(log)}}))["pid"])

    async def wait(self, pid: int) -> int:
        """The child's exit status once it has exited (negative: the signal that killed it)."""
        return int((await self._ask({"wait": pid}))["returncode"])

    async def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        await self.process.wait()

    async def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        await self.process.stdin.drain()
        return await self._answer()

    async def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await self.process.stdout.readline()
        assert line, "the forker exited"
        answer: dict[str, Any] = json.loads(line)
        return answer


def _child(env: dict[str, str], log: str) -> None:
    """In the forked child: become `main.py run` with this environment, writing to this log."""
    code = 1
    try:
        # the parent may die without reaping us (a test interrupted): go with it rather than poll on forever
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.environ.clear()
        os.environ.update(env)
        os.chdir(PROJECT_ROOT)
        from bot.cli import main

        code = main(["run"])
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve() -> None:
    import bot.app
    import bot.cli  # noqa: F401  (imported here, once, for every child)

    children: set[int] = set()

    def answer(payload: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(payload) + "\n")
        sys.stdout.flush()

    answer({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        if "spawn" in request:
            pid = os.fork()
            if pid == 0:
                _child(request["spawn"]["env"], request["spawn"]["log"])
            children.add(pid)
            answer({"pid": pid})
        else:
            pid = request["wait"]
            _, status = os.waitpid(pid, 0)
            children.discard(pid)
            answer({"returncode": os.waitstatus_to_exitcode(status)})
    for pid in children:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


if __name__ == "__main__":
    serve()
