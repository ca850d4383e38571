"""A local Telegram Bot API emulator with a control API and a sandbox chat page."""

from emulator.app import DEFAULT_TOKEN, Emulator
from emulator.client import EmulatorClient, EmulatorError
from emulator.faults import RateLimits
from emulator.media import make_png

__all__ = ["DEFAULT_TOKEN", "Emulator", "EmulatorClient", "EmulatorError", "RateLimits", "make_png"]
