"""aiogram runs a synchronous filter in a thread for every update; the router tree must use async ones only."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import build_router


def _routers(router: Router) -> list[Router]:
    return [router, *(r for child in router.sub_routers for r in _routers(child))]


def test_every_filter_and_handler_is_async() -> None:
    offenders = []
    for router in _routers(build_router()):
        for name, observer in router.observers.items():
            for handler in observer.handlers:
                if not handler.awaitable:
                    offenders.append(f"{router.name}.{name}: handler {handler.callback}")
                offenders.extend(f"{router.name}.{name}: filter {f.callback}" for f in handler.filters or ()
                                 if not f.awaitable)
            offenders.extend(f"{router.name}.{name}: router filter {f.callback}"
                             for f in observer._handler.filters or () if not f.awaitable)
    assert offenders == []
