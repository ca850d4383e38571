"""Someone trying the bot in the sandbox page: reports a problem by clicking, a teammate claims and resolves it."""

from __future__ import annotations

import os

from playwright.async_api import Page, expect

from bot.config import load_settings
from bot.i18n import Translator
from tests.browser.conftest import STEP_MS, Sandbox

t = Translator("zh").localizer("zh")
ECOLOGY = next(kind.zh for kind in load_settings().team_kinds if kind.key == "ecology")
# The picker's notes say where each person works; this finds the ecology team of 角什科村.
TEAM_NOTE = f"角什科村 · {ECOLOGY}"
# Set to a path to refresh the documentation's screenshot (docs/sandbox.md) from this run.
SCREENSHOT = os.environ.get("SANDBOX_SCREENSHOT")


async def act_as(page: Page, nth: int) -> None:
    """Pick the nth person of the team on the picker and open their village group."""
    await page.fill("#user-search", TEAM_NOTE)
    await page.locator("#user-list .row").nth(nth).click()
    await page.locator("#chat-list .row", has_text="角什科村").click()


async def button(page: Page, label: str) -> None:
    await page.locator(".kb-button", has_text=label).last.click()


async def test_report_by_clicking_then_a_teammate_claims_and_resolves_it(page: Page, sandbox: Sandbox) -> None:
    await page.goto(sandbox.url)
    await act_as(page, 0)
    await page.fill("#text-input", "/report")
    await page.press("#text-input", "Enter")
    await button(page, ECOLOGY)
    # The bot's ForceReply puts the composer in reply mode, as a Telegram client does.
    await expect(page.locator("#reply-bar")).to_be_visible(timeout=STEP_MS)
    await page.fill("#text-input", "村口水渠堵塞，下游草场缺水")
    await page.press("#text-input", "Enter")
    await button(page, t("report-photos-none"))
    await button(page, t("report-place-skip"))
    await button(page, t("urgency-normal"))
    await button(page, t("report-confirm"))
    card = page.locator(".msg.from-bot", has=page.locator(".kb-button", has_text=t("action-claim")))
    await expect(card).to_contain_text("村口水渠堵塞", timeout=STEP_MS)
    await expect(card).to_contain_text(t("status-open"))
    if SCREENSHOT:
        await expect(page.locator("#toast")).to_be_hidden(timeout=STEP_MS)
        await page.screenshot(path=SCREENSHOT)

    await page.click("#back")
    await page.click("#switch-user")
    await act_as(page, 1)
    await button(page, t("action-claim"))
    claimed = page.locator(".msg.from-bot", has_text="村口水渠堵塞").filter(has_text=t("status-in_progress"))
    await expect(claimed).to_be_visible(timeout=STEP_MS)
    await expect(claimed.locator(".edited")).to_be_visible()
    await expect(page.locator(".kb-button", has_text=t("action-claim"))).to_have_count(0)

    # The resolve prompt mentions the teammate rather than replying to them; the composer must still pick it up.
    await button(page, t("action-resolve"))
    await expect(page.locator("#reply-bar")).to_be_visible(timeout=STEP_MS)
    await page.fill("#text-input", "已疏通水渠")
    await page.press("#text-input", "Enter")
    resolved = page.locator(".msg.from-bot", has_text="村口水渠堵塞").filter(has_text=t("status-resolved"))
    await expect(resolved).to_contain_text("已疏通水渠", timeout=STEP_MS)
