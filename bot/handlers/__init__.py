"""The router tree, assembled in one place. Order matters: conversations before catch-alls."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import binding, common, errors, fallback, issue_actions, joining, lookup, meeting, report


def build_router() -> Router:
    root = Router(name="root")
    root.include_routers(
        errors.build(),
        common.build(),
        binding.build(),
        joining.build(),
        report.build(),
        issue_actions.build(),
        lookup.build(),
        meeting.build(),
        fallback.build(),
    )
    return root
