"""Spreadsheet and CSV output that is safe to open: user text never becomes a formula.

Every text cell is written as a string; text that a spreadsheet would read as a formula (starting with =, +,
-, @, or a tab/carriage return) gets a leading apostrophe, and control characters that XLSX cannot hold are
removed. Sheet names are cleaned of the characters Excel forbids.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
RESERVED_SHEET_NAMES = {"history"}  # sheet names Excel reserves, compared case-insensitively


def safe_text(value: str) -> str:
    """Text that stays text in Excel, LibreOffice and Google Sheets."""
    value = CONTROL_CHARACTERS.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def safe_value(value):
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def sheet_title(name: str) -> str:
    cleaned = SHEET_NAME_FORBIDDEN.sub(" ", CONTROL_CHARACTERS.sub("", name)).strip("' ") or "Sheet"
    return cleaned[:31]


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: a bold frozen header row, then the rows."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[int] = ()
    text_columns: Collection[int] = ()  # 0-based columns formatted as Text ("@"): account numbers, codes


def unique_sheet_title(name: str, used: set[str]) -> str:
    """A valid sheet name not yet in `used` (compared case-insensitively, as Excel does); records it in `used`."""
    base = sheet_title(name)
    candidate, number = base, 1
    while candidate.casefold() in used or candidate.casefold() in RESERVED_SHEET_NAMES:
        number += 1
        suffix = f" ({number})"
        candidate = base[: 31 - len(suffix)].rstrip() + suffix
    used.add(candidate.casefold())
    return candidate


def xlsx_sheets_bytes(sheets: Iterable[Sheet]) -> bytes:
    """A workbook of one or more sheets, streamed with openpyxl's write-only mode."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for spec in sheets:
        sheet = workbook.create_sheet(unique_sheet_title(spec.title, taken))
        sheet.freeze_panes = "A2"
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        header_cells = []
        for header in spec.headers:
            cell = WriteOnlyCell(sheet, value=safe_text(header))
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in spec.rows:
            cells = []
            for column, value in enumerate(row):
                cell = WriteOnlyCell(sheet, value=safe_value(value))
                if column in spec.text_columns:
                    cell.number_format = "@"
                elif isinstance(value, date) and not isinstance(value, datetime):
                    cell.number_format = "DD/MM/YYYY"
                elif isinstance(value, datetime):
                    cell.number_format = "DD/MM/YYYY HH:MM"
                cells.append(cell)
            sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int] = (),
               text_columns: Collection[int] = ()) -> bytes:
    """One sheet with a bold frozen header row."""
    return xlsx_sheets_bytes([Sheet(title, headers, rows, widths, text_columns)])


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel opens Indonesian text right), formula-safe."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([safe_text(header) for header in headers])
    for row in rows:
        writer.writerow([safe_value(value) if value is not None else "" for value in row])
    return ("\ufeff" + output.getvalue()).encode("utf-8")


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
