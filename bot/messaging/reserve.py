"""The reserve-cadre pool as the year-end assessment shows it: each member with their record of the year."""

from __future__ import annotations

from typing import Any

from bot.i18n import Localizer


def reserve_lines(rows: list[dict[str, Any]], t: Localizer) -> list[str]:
    """Nothing when the pool is empty; reports queued before the pool existed have no rows either."""
    if not rows:
        return []
    return ["", t("year-reserve-title", count=len(rows)),
            *(t("year-reserve-row", code=row["code"], name=row["name"], villages=", ".join(row["villages"]) or "-",
                reports=row["reports"], resolutions=row["resolutions"], verifications=row["verifications"],
                services=row["services"], note=row["note"]) for row in rows)]
