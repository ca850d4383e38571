"""Text cells that Excel shows exactly as people typed them."""

from __future__ import annotations

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet


def text_cell(sheet: WriteOnlyWorksheet, text: str) -> str | WriteOnlyCell:
    """A string for a write-only row. Control characters XML cannot hold are dropped (openpyxl would refuse
    the whole row); a text starting with '=' or reading '#N/A' stays text, where openpyxl would write a
    formula or an error value: a description typed in a chat must never run in the reader's Excel."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text.startswith("=") or text in ERROR_CODES:
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text
