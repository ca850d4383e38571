"""Lasting trouble told to the county admins once when it has lasted `alerts.after_minutes`, and once when it ends.

The places that meet a fault (receiving updates, sending, the database) call `failed` each time and `ok` when
the same kind of work succeeds; `due` turns that into at most two notices per episode, however many failures
it held. When the database is the trouble nothing can be queued: the episode is logged at once and the admins
get one notice, "was unavailable from ... to ...", when it is back. Each process keeps its own episodes, so
with several replicas each one that met the trouble tells of it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services.delivery import admin_chats
from bot.services.outbox import enqueue_notice

log = logging.getLogger(__name__)
TIME_FORMAT = "%Y-%m-%d %H:%M"
MINUTE = timedelta(minutes=1)


class Trouble(StrEnum):
    telegram = "telegram"   # updates cannot be fetched: the Bot API is out of reach or failing
    delivery = "delivery"   # messages cannot be sent: network errors, timeouts, 5xx
    database = "database"   # locked past the busy timeout, or unreachable


class Phase(StrEnum):
    started = "started"     # still going on
    recovered = "recovered" # over, after a "started" notice
    passed = "passed"       # over before anyone could be told (the database was the trouble, or it ended quickly)


@dataclass
class Episode:
    kind: Trouble
    since: datetime
    detail: str
    failures: int = 1
    until: datetime | None = None
    told_start: bool = False
    logged_lasting: bool = False


@dataclass(frozen=True)
class Notice:
    episode: Episode
    phase: Phase


class Health:
    def __init__(self, clock: Clock, after: timedelta) -> None:
        self._clock, self.after = clock, after
        self._open: dict[Trouble, Episode] = {}
        self._ended: list[Episode] = []

    def failed(self, kind: Trouble, detail: str) -> None:
        episode = self._open.get(kind)
        if episode is None:
            self._open[kind] = Episode(kind, self._clock.now(), detail)
            log.warning("trouble: %s failing since now: %s", kind, detail)
            return
        episode.failures += 1
        episode.detail = detail

    def ok(self, kind: Trouble) -> None:
        episode = self._open.pop(kind, None)
        if episode is None:
            return
        episode.until = self._clock.now()
        log.warning("trouble over: %s worked again after %s and %d failures", kind, episode.until - episode.since,
                    episode.failures)
        if episode.told_start or episode.until - episode.since >= self.after:
            self._ended.append(episode)

    def due(self) -> list[Notice]:
        """What the admins should be told now; each is due until `told` is called with it."""
        now = self._clock.now()
        notices = [Notice(e, Phase.started) for e in self._open.values()
                   if not e.told_start and now - e.since >= self.after and e.kind != Trouble.database]
        notices += [Notice(e, Phase.recovered if e.told_start else Phase.passed) for e in self._ended]
        return notices

    def told(self, notices: list[Notice]) -> None:
        for notice in notices:
            if notice.phase == Phase.started:
                notice.episode.told_start = True
            elif notice.episode in self._ended:
                self._ended.remove(notice.episode)

    def log_lasting(self) -> None:
        """A database episode past the threshold cannot be queued for the admins yet: say so in the log, once."""
        now = self._clock.now()
        for episode in self._open.values():
            if episode.kind == Trouble.database and not episode.logged_lasting and now - episode.since >= self.after:
                episode.logged_lasting = True
                log.error("trouble lasting: the database has failed since %s (%d failures, last: %s); the county "
                          "admins will be told when it is back", episode.since.isoformat(), episode.failures,
                          episode.detail)


async def queue_notices(session: AsyncSession, notices: list[Notice], *, worker: str, tz: ZoneInfo,
                        now: datetime) -> int:
    """One notice per admin per phase of an episode; the dedupe key makes a second call harmless."""
    admins = await admin_chats(session)
    queued = 0
    for notice in notices:
        episode = notice.episode
        end = episode.until or now
        args: dict[str, str | int] = {
            "kind": str(episode.kind), "since": episode.since.astimezone(tz).strftime(TIME_FORMAT),
            "until": end.astimezone(tz).strftime(TIME_FORMAT), "minutes": (end - episode.since) // MINUTE,
            "failures": episode.failures, "detail": episode.detail[:200],
        }
        key = f"health:{worker}:{episode.kind}:{episode.since.isoformat()}:{notice.phase}"
        for admin in admins:
            queued += await enqueue_notice(session, chat_id=admin, key=f"notice-trouble-{notice.phase}", args=args,
                                           dedupe_key=f"{key}:{admin}", now=now)
    return queued
