"""Rendering /services: a village's services this month, counted per kind, then the entries newest first, paged."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Settings
from bot.i18n import Localizer
from bot.messaging.callbacks import ServicePage
from bot.messaging.lists import PAGE_SIZE, PagedText
from bot.messaging.text import MESSAGE_LIMIT, local_time, shorten
from bot.services.service_log import ServiceEntry, VillageServices


def service_kind_label(settings: Settings, t: Localizer, key: str) -> str:
    kind = settings.service_kind(key)
    return kind.label(t.language) if kind else key


def _entry_line(entry: ServiceEntry, t: Localizer, settings: Settings) -> str:
    return t("services-line", at=local_time(entry.at, settings.tz), kind=service_kind_label(settings, t, entry.kind),
             member=entry.member, place=shorten(entry.place, 30) if entry.place else "-",
             note=shorten(entry.note, 60), photo="yes" if entry.with_photo else "no")


def render_services(services: VillageServices, *, village: str, page: int, t: Localizer,
                    settings: Settings) -> PagedText:
    month = str(services.month)
    if not services.entries:
        return PagedText(t("services-empty", village=village, month=month), None)
    pages = (len(services.entries) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    order = [kind.key for kind in settings.service_kinds if kind.key in services.counts]
    order += sorted(set(services.counts) - set(order))  # kinds since removed from the config still count
    lines = [t("services-title", village=village, month=month, total=services.total),
             *(t("services-count", kind=service_kind_label(settings, t, kind), count=services.counts[kind])
               for kind in order),
             "", t("list-page", page=page + 1, pages=pages, total=len(services.entries))]
    lines += [_entry_line(entry, t, settings) for entry in services.entries[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]]
    buttons = []
    if page > 0:
        buttons.append(InlineKeyboardButton(text=t("page-previous"), callback_data=ServicePage(page=page - 1).pack()))
    if page < pages - 1:
        buttons.append(InlineKeyboardButton(text=t("page-next"), callback_data=ServicePage(page=page + 1).pack()))
    return PagedText("\n".join(lines)[:MESSAGE_LIMIT],
                     InlineKeyboardMarkup(inline_keyboard=[buttons]) if buttons else None)
