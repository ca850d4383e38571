"""The roster spreadsheet's columns and what its headers and codes sheet call things (from the locale files)."""

from __future__ import annotations

from dataclasses import dataclass

# Member keys of the organisation file, in the roster's column order.
COLUMN_KEYS = ("code", "name", "roles", "village", "team", "township", "department", "telegram_id", "username",
               "phone")


@dataclass(frozen=True)
class RosterFormat:
    """The header of each column (bilingual, from the locale files) and what the codes sheet calls things.

    A header cell may hold the whole label (`电话 phone`), its Chinese part (`电话`) or the key (`phone`)."""

    labels: dict[str, str]               # column key -> header label
    sheet: str                           # the roster sheet's name
    codes_sheet: str                     # the reference sheet's name
    codes_headers: tuple[str, str, str, str]
    role_names: dict[str, str]           # role key -> "队长 / team lead"
    kind_names: dict[str, str]           # team kind key -> "生态文明工作队 / ecology"

    def column_of(self, header: str) -> str | None:
        wanted = _normalise(header)
        for key, label in self.labels.items():
            full = _normalise(label)
            chinese = " ".join(word for word in full.split() if word != key)
            if wanted in (full, key, chinese):
                return key
        return None


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())
