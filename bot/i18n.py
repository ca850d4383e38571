"""Fluent translations: one `Translator` built at start-up, one `Localizer` per update's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fluent.runtime import FluentLocalization, FluentResourceLoader

from bot.config import LANGUAGES

LOCALES_DIR = Path(__file__).resolve().parent / "locales"


def resource_ids(locales_dir: Path = LOCALES_DIR) -> list[str]:
    """Every .ftl file of the default locale's folder; each feature may keep its strings in a file of its own."""
    return sorted(path.name for path in (locales_dir / "zh").glob("*.ftl"))


class Localizer:
    """Formats messages in one language, falling back to the other shipped language for a missing key."""

    def __init__(self, language: str, localization: FluentLocalization) -> None:
        self.language = language
        self._localization = localization

    def __call__(self, key: str, **args: Any) -> str:
        return self._localization.format_value(key, args or None)


class Translator:
    def __init__(self, default_language: str, locales_dir: Path = LOCALES_DIR) -> None:
        self.default_language = default_language
        loader = FluentResourceLoader(str(locales_dir / "{locale}"))
        self._localizers = {
            language: Localizer(
                language,
                FluentLocalization(
                    [language, *[other for other in LANGUAGES if other != language]], resource_ids(locales_dir),
                    loader
                ),
            )
            for language in LANGUAGES
        }
        for localizer in self._localizers.values():
            # Fluent builds its bundles lazily from a generator; reports render in worker threads, and two
            # threads advancing one generator fail. A key no bundle holds makes it build them all now.
            localizer("-load-every-bundle-")

    def pick(self, telegram_language: str | None) -> str:
        """Telegram sends codes such as 'en-US' or 'zh-hans'; anything we do not ship gets the default."""
        if telegram_language:
            prefix = telegram_language.split("-")[0].lower()
            if prefix in self._localizers:
                return prefix
        return self.default_language

    def localizer(self, language: str | None) -> Localizer:
        return self._localizers[self.pick(language)]
