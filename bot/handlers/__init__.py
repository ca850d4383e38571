"""The router tree, assembled in one place. Order matters: conversations before catch-alls."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import binding, common, errors, joining


def build_router() -> Router:
    root = Router(name="root")
    root.include_routers(
        errors.build(),
        common.build(),
        binding.build(),
        joining.build(),
    )
    return root
