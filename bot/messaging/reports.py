"""Renderers of scheduled reports (digests, agendas, rankings), looked up by name when the outbox sends them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.config import Settings
from bot.i18n import Localizer
from bot.messaging.digests import render_agenda, render_department_meeting, render_weekly_digest
from bot.messaging.rendered import Rendered

Renderer = Callable[[dict[str, Any], Localizer, Settings], Rendered]


def renderers() -> dict[str, Renderer]:
    return {
        "weekly_digest": render_weekly_digest,
        "joint_meeting": render_agenda,
        "department_meeting": render_department_meeting,
    }
