"""The router tree, assembled in one place. Order matters: conversations before catch-alls."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import (
    binding,
    chat_events,
    common,
    errors,
    export,
    fallback,
    forged_buttons,
    issue_actions,
    joining,
    lookup,
    meeting,
    report,
    reserve,
    score,
    service,
)
from bot.handlers.filters import FromUser


def build_router() -> Router:
    root = Router(name="root")
    # what people say and press; another bot, a channel or an anonymous admin is not answered there
    people = Router(name="people")
    people.message.filter(FromUser())
    root.include_routers(
        errors.build(),
        forged_buttons.build(),  # first of the buttons: forged data reaches no feature
        chat_events.build(),  # before the conversations: a migration is nobody's answer to a prompt
        people,
    )
    people.include_routers(
        common.build(),
        binding.build(),
        joining.build(),
        report.build(),
        issue_actions.build(),
        lookup.build(),
        meeting.build(),
        score.build(),
        reserve.build(),  # before service: /reserve is a command, not the note of a service
        service.build(),
        export.build(),
        fallback.build(),
    )
    return root
