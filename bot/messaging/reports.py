"""Renderers of scheduled reports (digests, agendas, rankings), looked up by name when the outbox sends them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.config import Settings
from bot.i18n import Localizer
from bot.messaging.digests import render_agenda, render_department_meeting, render_weekly_digest
from bot.messaging.disclosure import render_disclosure
from bot.messaging.ranking import (
    render_county_ranking,
    render_county_year,
    render_township_ranking,
    render_township_year,
)
from bot.messaging.rendered import Rendered

Renderer = Callable[[dict[str, Any], Localizer, Settings], Rendered]


def renderers() -> dict[str, Renderer]:
    return {
        "weekly_digest": render_weekly_digest,
        "joint_meeting": render_agenda,
        "department_meeting": render_department_meeting,
        "monthly_ranking_township": render_township_ranking,
        "monthly_ranking_county": render_county_ranking,
        "year_end_township": render_township_year,
        "year_end_county": render_county_year,
        "monthly_disclosure": render_disclosure,
    }
