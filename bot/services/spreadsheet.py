"""Write-only sheets with a bold header row, and text cells that Excel shows exactly as people typed them."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

BOLD = Font(bold=True)


def header_sheet(workbook: Workbook, title: str, headers: list[str], widths: list[int]) -> WriteOnlyWorksheet:
    """A new sheet whose first row, the bold headers, stays in view as the rows scroll."""
    sheet = workbook.create_sheet(title)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = BOLD
        cells.append(cell)
    sheet.append(cells)
    return sheet


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
