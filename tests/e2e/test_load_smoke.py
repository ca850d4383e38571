"""The load benchmark at small scale: a whole county's crowd bursting updates at the real bot process loses
nothing. The full-size run (500 groups, 2,000 members, 10,000 updates) and its figures: bench/README-load.md."""

from __future__ import annotations

from pathlib import Path

from bench.load import run_load
from bench.load_county import Size

SIZE = Size(groups=20, members=80)
UPDATES = 400
STALL_SECONDS = 30.0  # a lost answer fails the test this soon instead of after the benchmark's two minutes


async def test_a_burst_from_every_member_at_once_is_consumed_answered_and_delivered(tmp_path: Path) -> None:
    # the outbox unpaced: Telegram's per-group pacing would make the card edits take most of the test's time
    outcome = await run_load(SIZE, UPDATES, tmp_path, unlimited=True, stall=STALL_SECONDS)

    assert outcome.problems == [], "\n".join(outcome.problems)
    mix = outcome.figures["mix"]
    assert outcome.figures["scale"]["updates"] == UPDATES
    assert mix["confirmed_reports"] == mix["report"] == mix["claim"] > 0
    assert all(mix.get(what, 0) > 0 for what in ("photo", "place", "open", "issue", "mine", "score", "chatter"))
