"""Rendering what the bot posts (cards, lists) and, later, delivering it."""
