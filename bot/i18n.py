"""Fluent translations: one `Translator` built at start-up, one `Localizer` per update's language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fluent.runtime import FluentLocalization, FluentResourceLoader
from fluent.syntax.ast import Resource

from bot.config import LANGUAGES

LOCALES_DIR = Path(__file__).resolve().parent / "locales"


def resource_ids(locales_dir: Path = LOCALES_DIR) -> list[str]:
    """Every .ftl file of the default locale's folder; each feature may keep its strings in a file of its own."""
    return sorted(path.name for path in (locales_dir / "zh").glob("*.ftl"))


class ParsedOnce(FluentResourceLoader):
    """Hands out each language's files parsed once: both localizations (zh first, en first) read every file of
    both languages, and Fluent's parser is pure Python, so parsing twice made up about half the bot's start-up."""

    def __init__(self, roots: str) -> None:
        super().__init__(roots)
        self._parsed: dict[tuple[str, tuple[str, ...]], list[list[Resource]]] = {}

    def resources(self, locale: str, resource_ids: list[str]) -> Iterator[list[Resource]]:
        key = (locale, tuple(resource_ids))
        if key not in self._parsed:
            self._parsed[key] = list(super().resources(locale, resource_ids))
        yield from self._parsed[key]


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
        loader = ParsedOnce(str(locales_dir / "{locale}"))
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
