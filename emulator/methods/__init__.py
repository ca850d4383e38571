"""The Bot API methods the emulator answers, by their Telegram names."""

from emulator.methods import bot, chats, messages
from emulator.methods.common import Method

METHODS: dict[str, Method] = {**bot.METHODS, **chats.METHODS, **messages.METHODS}

# Methods that post a message and so count against Telegram's sending limits.
SENDING_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendLocation", "sendMediaGroup"})

__all__ = ["METHODS", "SENDING_METHODS", "Method"]
