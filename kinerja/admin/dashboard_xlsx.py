"""The dashboard as a workbook: BKD's one sheet per agency line, or an agency's units and staff on two sheets.

Text goes through exports.safe_value (never a formula); percentages are written as fractions with a "0.0%"
format, so a spreadsheet computes with them; each sheet ends with its totals line.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kinerja.admin.dashboard import MODES, PREDIKATS, Dashboard, Figures, Line
from kinerja.exports import safe_value, sheet_title
from kinerja.models import Predikat

PERCENT = "0.0%"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_ROW = 4


def fraction(value: float) -> float:
    return round(value / 100.0, 4)


def figure_headers() -> list[str]:
    return [_("Hari kerja"), _("Hari mengisi"), _("Mengisi (%)"), _("Disetujui"), _("Menunggu"),
            _("Dikembalikan"), _("Persetujuan (%)"), _("Menunggu terlama (hari)"), _("Menit disetujui"),
            _("Target menit"), _("Menit (%)"), _("WFO (%)"), _("WFH (%)"), _("DL (%)")]


def figure_values(figures: Figures) -> list:
    """The figures' cells; percentages as fractions (formatted by the column)."""
    return [figures.working_days, figures.days_filed, fraction(figures.filed_percent), figures.approved,
            figures.pending, figures.returned, fraction(figures.approval_percent), figures.waiting_days,
            figures.approved_minutes, figures.target_minutes, fraction(figures.minutes_percent),
            *(fraction(figures.mode_share(mode)) for mode in MODES)]


PERCENT_OFFSETS = (2, 6, 10, 11, 12, 13)  # within figure_values


def write_sheet(workbook: Workbook, title: str, heading: str, period: str, leading: Sequence[str],
                rows: list[tuple[list, list, list]], totals: tuple[list, list, list], trailing: Sequence[str],
                widths: Sequence[int]) -> None:
    """A sheet: heading and period, a header row, one row per (leading, figures, trailing) cells, the totals."""
    sheet = workbook.create_sheet(sheet_title(title))
    sheet["A1"] = safe_value(heading)
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = safe_value(period)
    headers = [*leading, *figure_headers(), *trailing]
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=safe_value(header))
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    percent_columns = {len(leading) + 1 + offset for offset in PERCENT_OFFSETS}
    for number, (first, figures, last) in enumerate([*rows, totals], start=HEADER_ROW + 1):
        for column, value in enumerate([*first, *figures, *last], start=1):
            cell = sheet.cell(row=number, column=column, value=safe_value(value))
            if column in percent_columns:
                cell.number_format = PERCENT
            if number == HEADER_ROW + 1 + len(rows):
                cell.font, cell.fill = Font(bold=True), TOTAL_FILL
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=len(leading) + 1)


def predikat_headers() -> list[str]:
    return [item.label for item in PREDIKATS]


def group_rows(board: Dashboard, name_of) -> list[tuple[list, list, list]]:
    return [([line.code, name_of(line), line.figures.staff], figure_values(line.figures),
             [line.figures.predikat[item.value] for item in PREDIKATS]) for line in board.lines]


def group_totals(board: Dashboard) -> tuple[list, list, list]:
    return ([None, _("Jumlah"), board.total.staff], figure_values(board.total),
            [board.total.predikat[item.value] for item in PREDIKATS])


GROUP_WIDTHS = (12, 40, 9, *([11] * 14), *([12] * 5))


def save(workbook: Workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def regency_workbook(board: Dashboard, heading: str, period: str) -> bytes:
    """One line per agency, then the regency's totals."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    write_sheet(workbook, _("Per OPD"), heading, period, [_("Kode"), _("OPD"), _("Pegawai")],
                group_rows(board, lambda line: line.name), group_totals(board), predikat_headers(), GROUP_WIDTHS)
    return save(workbook)


def predikat_label(line: Line) -> str:
    return Predikat(line.predikat).label if line.predikat else ""


def agency_workbook(units: Dashboard, staff: Dashboard, heading: str, period: str) -> bytes:
    """The agency's units (indented by their level in the tree), then every employee."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    write_sheet(workbook, _("Per unit kerja"), heading, period, [_("Kode"), _("Unit kerja"), _("Pegawai")],
                group_rows(units, lambda line: "  " * line.depth + line.name), group_totals(units),
                predikat_headers(), GROUP_WIDTHS)
    write_sheet(workbook, _("Per pegawai"), heading, period, [_("NIP"), _("Nama"), _("Jabatan"), _("Unit kerja")],
                [([line.code, line.name, line.detail, line.unit], figure_values(line.figures), [predikat_label(line)])
                 for line in staff.lines],
                ([None, _("Jumlah"), None, None], figure_values(staff.total), [None]), [_("Predikat")],
                (21, 32, 30, 28, *([11] * 14), 16))
    return save(workbook)
