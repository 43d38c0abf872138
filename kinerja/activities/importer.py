"""Bulk import of daily activities from an Excel workbook (.xlsx): all or nothing.

Each row becomes an ActivityInput and goes through the same rules as the day page (services.check_activity),
and the rows are checked against each other: two rows of the file may not overlap, and the day's total counts
the rows before it. Every error of every row is collected; if there is even one, nothing is saved. Otherwise all
rows are saved as drafts in one transaction.

Cells are read as values, never evaluated: a cell that looks like a formula is just text.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from kinerja.activities import services
from kinerja.activities.evidence import office_kind
from kinerja.activities.import_cells import (
    CellError,
    clean_text,
    normalise,
    read_category,
    read_date,
    read_links,
    read_mode,
    read_quantity,
    read_time,
    text_reader,
)
from kinerja.core.locks import lock_employee
from kinerja.database import finish
from kinerja.errors import NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.models import Activity, ActivityCategory, Assignment, Employee, Evidence, EvidenceKind, User, WorkMode

MAX_ROWS = 500  # activities per file
MAX_BYTES = 5 * 1024 * 1024  # the uploaded file
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # its content once unzipped (a small file may unpack to gigabytes)
SHEET_NAME = "Kegiatan"


@dataclass(frozen=True)
class Column:
    key: str  # the ActivityInput field it fills
    header: str  # fixed: the file format does not change with the user's language
    width: int
    required: bool = True


COLUMNS = (
    Column("activity_date", "Tanggal", 12),
    Column("start_time", "Jam mulai", 10),
    Column("end_time", "Jam selesai", 11),
    Column("description", "Uraian kegiatan", 60),
    Column("quantity", "Kuantitas", 10),
    Column("unit", "Satuan", 14),
    Column("work_mode", "Mode (WFO/WFH/DL)", 18),
    Column("assignment_letter", "No. surat tugas", 20, required=False),
    Column("category", "Kategori", 20, required=False),
    Column("links", "Tautan bukti", 40, required=False),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


class ImportRejected(ValidationFailed):
    """The file has errors; nothing was saved. `errors` lists them row by row."""

    def __init__(self, errors: list[RowError]) -> None:
        rows = len({error.row for error in errors})
        super().__init__(ngettext("Tidak ada yang disimpan: %(num)d baris berisi kesalahan.",
                                  "Tidak ada yang disimpan: %(num)d baris berisi kesalahan.", rows), field="file")
        self.errors = errors


# --- reading rows ------------------------------------------------------------------------------------------------

# What to read each cell with, and the neutral value that stands in for an unreadable one so that the other
# rules can still be checked (such a row is never saved).
READERS: dict[str, tuple[Callable[[object], object], object]] = {
    "description": (text_reader(2000, multiline=True), "-"),
    "quantity": (read_quantity, Decimal(1)),
    "unit": (text_reader(40), "-"),
    "work_mode": (read_mode, WorkMode.WFO),
    "assignment_letter": (text_reader(80), "-"),
    "category": (read_category, ActivityCategory.MAIN),
    "links": (read_links, []),
}
PLACE_READERS = {"activity_date": read_date, "start_time": read_time, "end_time": read_time}


@dataclass
class ParsedRow:
    number: int
    data: services.ActivityInput | None  # None when the day or a time cannot be read
    errors: list[RowError]


def column_name(key: str | None) -> str:
    return COLUMN_BY_KEY[key].header if key in COLUMN_BY_KEY else _("Baris")


def parse_row(number: int, cells: dict[str, object]) -> ParsedRow:
    """Read one row's cells into an ActivityInput, with an error for each cell that cannot be read."""
    errors: list[RowError] = []
    values: dict[str, object] = {}
    for key, reader in PLACE_READERS.items():
        try:
            values[key] = reader(cells.get(key))
        except CellError as error:
            errors.append(RowError(number, column_name(key), str(error)))
    for key, (reader, neutral) in READERS.items():
        try:
            values[key] = reader(cells.get(key))
        except CellError as error:
            errors.append(RowError(number, column_name(key), str(error)))
            values[key] = neutral
    if any(key not in values for key in PLACE_READERS):
        return ParsedRow(number, None, errors)
    return ParsedRow(number, services.ActivityInput(**values), errors)


# --- reading the workbook -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SheetLayout:
    """Where an import finds its rows: the sheet, the header that names the columns, the limits and the words
    for a file with too many or no rows. The activity import and the staff import share the reading."""

    sheet_name: str
    columns: Sequence  # each with .header, .key and .required
    header_keys: dict[str, str]  # normalised header -> column key
    header_key: Callable[[object], str]
    max_rows: int
    too_many: Callable[[int], str]
    empty: Callable[[], str]
    scanned_rows: int = 10  # times max_rows: how far down blank rows are read before the sheet is refused


def header_key(value: object) -> str:
    return normalise(clean_text(value).split("(")[0])


HEADER_KEYS = {header_key(column.header): column.key for column in COLUMNS}


def column_positions(header: tuple | None, layout: SheetLayout) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, value in enumerate(header or ()):
        key = layout.header_keys.get(layout.header_key(value))
        if key is not None:
            positions.setdefault(key, index)
    missing = [column.header for column in layout.columns if column.required and column.key not in positions]
    if missing:
        raise ValidationFailed(
            _("Baris pertama harus berisi judul kolom templat; tidak ditemukan: %(columns)s. Gunakan templat "
              "dari halaman ini.", columns=", ".join(missing)), field="file")
    return positions


def is_blank(values: tuple) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def check_package(content: bytes) -> None:
    """Refuse what is not a small .xlsx package, judged by its content, never its name."""
    if len(content) > MAX_BYTES:
        raise ValidationFailed(_("Berkas lebih dari %(mb)d MB.", mb=MAX_BYTES // 2**20), field="file")
    if office_kind(content) != "xlsx":
        raise ValidationFailed(
            _("Berkas ini bukan buku kerja Excel (.xlsx). Di Excel pilih Simpan Sebagai › Buku Kerja Excel "
              "(*.xlsx), lalu unggah lagi."), field="file")
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        if sum(item.file_size for item in package.infolist()) > MAX_UNPACKED_BYTES:
            raise ValidationFailed(_("Isi berkas Excel terlalu besar."), field="file")


def read_sheet(content: bytes, layout: SheetLayout | None = None) -> list[tuple[int, dict[str, object]]]:
    """The non-empty rows under the header as (row number, {column key: cell value})."""
    layout = layout or ACTIVITY_SHEET
    check_package(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook[layout.sheet_name] if layout.sheet_name in workbook.sheetnames \
                else workbook.worksheets[0]
            rows = sheet.iter_rows(values_only=True)
            positions = column_positions(next(rows, None), layout)
            found: list[tuple[int, dict[str, object]]] = []
            for number, values in enumerate(rows, start=2):
                if number > layout.max_rows * layout.scanned_rows:
                    raise ValidationFailed(_("Lembar berisi terlalu banyak baris; hapus baris kosong di bawah data."),
                                           field="file")
                if is_blank(values):
                    continue
                if len(found) == layout.max_rows:
                    raise ValidationFailed(layout.too_many(layout.max_rows), field="file")
                found.append((number, {key: values[index] if index < len(values) else None
                                       for key, index in positions.items()}))
        finally:
            workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, TypeError, ValueError, OSError,
            SyntaxError) as error:
        raise ValidationFailed(_("Berkas Excel tidak dapat dibaca. Simpan ulang dari templat lalu unggah lagi."),
                               field="file") from error
    if not found:
        raise ValidationFailed(layout.empty(), field="file")
    return found


ACTIVITY_SHEET = SheetLayout(
    SHEET_NAME, COLUMNS, HEADER_KEYS, header_key, MAX_ROWS,
    too_many=lambda n: _("Paling banyak %(n)d kegiatan per berkas; bagi menjadi beberapa berkas.", n=n),
    empty=lambda: _("Berkas tidak berisi baris kegiatan di bawah judul kolom."))


# --- checking and saving ----------------------------------------------------------------------------------------

# A rule about one field of the input does not stop the check: that field is given a neutral value and the
# remaining rules run too, so that a row shows all its mistakes at once.
NEUTRAL_FIELDS = {"description": "-", "quantity": Decimal(1), "unit": "-", "assignment_letter": "-"}


def rule_errors(employee: Employee, data: services.ActivityInput) -> tuple[Assignment | None, list[ValidationFailed]]:
    """The assignment of the day and every rule of services.check_activity the input breaks."""
    broken: list[ValidationFailed] = []
    while True:
        try:
            return services.check_activity(employee, data), broken
        except ValidationFailed as error:
            broken.append(error)
            neutral = NEUTRAL_FIELDS.get(error.field or "")
            if neutral is None or getattr(data, error.field) == neutral:
                return None, broken
            data = replace(data, **{error.field: neutral})


def overlapping(row: ParsedRow, earlier: list[ParsedRow]) -> ParsedRow | None:
    """The first earlier row of the file on the same day whose time overlaps this row's."""
    data = row.data
    for other in earlier:
        if (other.data.activity_date == data.activity_date and other.data.start_time < data.end_time
                and other.data.end_time > data.start_time):
            return other
    return None


def import_activities(actor: User, content: bytes) -> int:
    """Save every row of the workbook as a draft activity of the acting user, or none; returns how many.

    Rows that pass are flushed one by one inside the transaction, so that the rules see them when they check
    the rows after them (overlaps and the day's total); any error rolls everything back.
    """
    employee = actor.employee
    if employee is None:
        raise NotAllowed(_("Akun ini tidak terhubung dengan data pegawai."))
    rows = [parse_row(number, cells) for number, cells in read_sheet(content)]
    lock_employee(employee.id)
    errors: list[RowError] = []
    placed: list[ParsedRow] = []
    created = 0
    for row in rows:
        errors.extend(row.errors)
        if row.data is None:
            continue
        clash = None
        if row.data.end_time > row.data.start_time:
            clash = overlapping(row, placed)
            placed.append(row)
        if clash is not None:
            errors.append(RowError(row.number, column_name("start_time"),
                                   _("Waktu bertabrakan dengan baris %(row)d pada berkas ini.", row=clash.number)))
        assignment, broken = rule_errors(employee, row.data)
        # The rules' own overlap message would repeat the one above (an earlier row already in the session).
        errors.extend(RowError(row.number, column_name(error.field), error.message)
                      for error in broken if not (clash is not None and error.field == "start_time"))
        if row.errors or clash is not None or broken:
            continue
        activity = Activity(employee_id=employee.id)
        services.apply_input(activity, row.data, assignment.agency.work_week)
        activity.evidence.extend(Evidence(kind=EvidenceKind.LINK, url=link) for link in row.data.links)
        db.session.add(activity)
        db.session.flush()
        created += 1
    if errors:
        db.session.rollback()
        raise ImportRejected(sorted(errors, key=lambda error: error.row))
    finish()
    return created
