"""Typed callback data. Buttons carry an action and an id only; everything else is looked up."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class JoinPick(CallbackData, prefix="jp"):
    member_id: int


class JoinDecision(CallbackData, prefix="jd"):
    request_id: int
    approve: bool
