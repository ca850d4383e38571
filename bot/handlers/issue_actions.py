"""Buttons on an issue card: claim, note, resolve, verify, reopen, withdraw, duplicate, more photos."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import or_f
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InputMediaPhoto, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.handlers.callbacks import CardAction
from bot.handlers.filters import BoundAs, PrivateChat
from bot.handlers.prompts import ask
from bot.handlers.states import ActionInput, ReportForm
from bot.i18n import Localizer, Translator
from bot.messaging.cards import PHOTOS_ACTION
from bot.messaging.publisher import refresh_cards
from bot.middlewares.idle import IdleExpiry
from bot.models import ChatPurpose
from bot.services.actors import Actor
from bot.services.chats import BoundChat
from bot.services.issue_views import issue_view
from bot.services.lifecycle import RULES, Action, check, ensure_in_village, load_issue, perform

MEDIA_GROUP_LIMIT = 10


def _village(bound: BoundChat | None) -> int | None:
    return bound.unit_id if bound is not None else None


async def _apply(
    bot: Bot, session: AsyncSession, actor: Actor | None, *, issue_id: int, action: Action, text: str | None,
    photo: str | None, bound: BoundChat | None, translator: Translator, settings: Settings, clock: Clock,
) -> str:
    now = clock.now()
    issue = await perform(session, actor, issue_id, action, now=now, text=text, photo_file_id=photo,
                          village_id=_village(bound))
    await refresh_cards(bot, session, issue_id=issue.id, t=translator.localizer(settings.default_language),
                        settings=settings, now=now)
    return issue.number


async def on_card_action(
    query: CallbackQuery, callback_data: CardAction, bot: Bot, state: FSMContext, session: AsyncSession,
    actor: Actor | None, bound: BoundChat | None, t: Localizer, translator: Translator, settings: Settings,
    clock: Clock,
) -> None:
    if callback_data.action == PHOTOS_ACTION:
        await _send_photos(query, bot, session, callback_data.issue_id, bound, t)
        return
    try:
        action = Action(callback_data.action)
    except ValueError:
        await query.answer(t("button-stale"), show_alert=True)
        return
    issue = await load_issue(session, callback_data.issue_id)
    ensure_in_village(issue, _village(bound))
    check(actor, issue, action)
    if not RULES[action].needs_text:
        number = await _apply(bot, session, actor, issue_id=issue.id, action=action, text=None, photo=None,
                              bound=bound, translator=translator, settings=settings, clock=clock)
        await query.answer(t(f"done-{action.value}", number=number))
        return
    current = await state.get_state()
    if current is not None and current.startswith(ReportForm.__name__):
        await query.answer(t("action-finish-report-first"), show_alert=True)
        return
    await state.set_state(ActionInput.text)
    await state.set_data({"action": action.value, "issue_id": issue.id, "touched": clock.now().isoformat()})
    await query.answer()
    assert query.message is not None
    await ask(bot, state, chat_id=query.message.chat.id, user_id=query.from_user.id,
              user_name=query.from_user.full_name, text=t(f"ask-{action.value}", number=issue.number),
              reply_to=None)


async def on_action_text(
    message: Message, bot: Bot, state: FSMContext, session: AsyncSession, actor: Actor | None,
    bound: BoundChat | None, t: Localizer, translator: Translator, settings: Settings, clock: Clock,
) -> None:
    data = await state.get_data()
    action = Action(data["action"])
    photo = message.photo[-1].file_id if message.photo and action == Action.resolve else None
    text = message.text or message.caption
    if not text:
        await message.reply(t("text-required"))
        return
    number = await _apply(bot, session, actor, issue_id=data["issue_id"], action=action, text=text, photo=photo,
                          bound=bound, translator=translator, settings=settings, clock=clock)
    await state.clear()
    await message.reply(t(f"done-{action.value}", number=number))


async def _send_photos(query: CallbackQuery, bot: Bot, session: AsyncSession, issue_id: int,
                       bound: BoundChat | None, t: Localizer) -> None:
    issue = await load_issue(session, issue_id)
    ensure_in_village(issue, _village(bound))
    view = await issue_view(session, issue)
    rest = [*view.photos[1:], *view.resolution_photos]
    await query.answer()
    if not rest or query.message is None:
        return
    for start in range(0, len(rest), MEDIA_GROUP_LIMIT):
        chunk = rest[start:start + MEDIA_GROUP_LIMIT]
        if len(chunk) == 1:
            await bot.send_photo(query.message.chat.id, chunk[0], caption=t("photos-of", number=issue.number))
        else:
            await bot.send_media_group(query.message.chat.id, [
                InputMediaPhoto(media=file_id, caption=t("photos-of", number=issue.number) if i == 0 else None)
                for i, file_id in enumerate(chunk)])


def build() -> Router:
    router = Router(name="issue_actions")
    scope = or_f(BoundAs(ChatPurpose.village), PrivateChat())
    router.message.filter(F.from_user, scope)
    router.callback_query.filter(scope)
    router.message.middleware(IdleExpiry())
    router.callback_query.register(on_card_action, CardAction.filter())
    router.message.register(on_action_text, ActionInput.text)
    return router
