"""Webhook mode: the aiohttp server the Bot API posts updates to, with health and metrics endpoints."""

from bot.webhook.server import run_webhook

__all__ = ["run_webhook"]
