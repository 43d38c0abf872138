"""Reading the staff import workbook: the SIMPEG-style columns, one reader per cell, one row at a time.

Each row is checked on its own here (formats, the NIP against the employment type, the grade against it);
lookups in the database and rules across rows live in staff_import_checks. Cells are read as values, never
evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _

from kinerja.activities import importer
from kinerja.activities.import_cells import CellError, clean_text, is_number, normalise, text_reader
from kinerja.activities.importer import RowError, SheetLayout
from kinerja.admin.staffing import parse_bank_account, parse_bank_name
from kinerja.errors import ValidationFailed
from kinerja.identity import (
    EmploymentType,
    Gender,
    InvalidIdentity,
    grades_for,
    normalize_identity,
    parse_identity,
)
from kinerja.models import PositionKind

MAX_ROWS = 20_000
SHEET_NAME = "Pegawai"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # fixed: the file format does not change with the user's language
    width: int
    required: bool = True


COLUMNS = (
    Column("id_number", "NIP", 21),
    Column("name", "Nama", 28),
    Column("front_title", "Gelar depan", 12, required=False),
    Column("back_title", "Gelar belakang", 16, required=False),
    Column("gender", "Jenis kelamin", 13),
    Column("employment_type", "Status kepegawaian", 18),
    Column("grade", "Pangkat/Golongan", 18, required=False),
    Column("position", "Jabatan", 34),
    Column("position_kind", "Jenis jabatan", 16, required=False),
    Column("unit", "Unit kerja", 34),
    Column("agency", "OPD", 28),
    Column("appraiser", "NIP atasan", 21, required=False),
    Column("email", "Email", 28, required=False),
    Column("phone", "No HP", 16, required=False),
    Column("bank_name", "Nama bank", 18, required=False),
    Column("bank_account", "No rekening", 22, required=False),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
# Formatted as text in the template: Excel rounds long numbers and drops leading zeros.
TEXT_COLUMNS = ("id_number", "appraiser", "phone", "bank_account")

GENDER_NAMES = {"l": Gender.MALE, "laki-laki": Gender.MALE, "laki laki": Gender.MALE, "pria": Gender.MALE,
                "p": Gender.FEMALE, "perempuan": Gender.FEMALE, "wanita": Gender.FEMALE}
EMPLOYMENT_NAMES = {"pns": EmploymentType.PNS, "cpns": EmploymentType.CPNS, "pppk": EmploymentType.PPPK,
                    "p3k": EmploymentType.PPPK, "non-asn": EmploymentType.NON_ASN, "non asn": EmploymentType.NON_ASN,
                    "non_asn": EmploymentType.NON_ASN, "honorer": EmploymentType.NON_ASN}
# The template's words for each kind, then older SIMPEG terms: JFT is a functional position, JFU ("fungsional
# umum") what is now called pelaksana.
KIND_NAMES = {"jpt": PositionKind.JPT, "pimpinan tinggi": PositionKind.JPT,
              "administrator": PositionKind.ADMINISTRATOR, "pengawas": PositionKind.PENGAWAS,
              "fungsional": PositionKind.FUNGSIONAL, "jft": PositionKind.FUNGSIONAL,
              "pelaksana": PositionKind.PELAKSANA, "jfu": PositionKind.PELAKSANA,
              "fungsional umum": PositionKind.PELAKSANA}
TEMPLATE_KIND_NAMES = {PositionKind.JPT: "JPT", PositionKind.ADMINISTRATOR: "Administrator",
                       PositionKind.PENGAWAS: "Pengawas", PositionKind.FUNGSIONAL: "Fungsional",
                       PositionKind.PELAKSANA: "Pelaksana"}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
GRADE_TEXT = re.compile(r"(I{1,3}|IV)\s*[/\-. ]?\s*([A-Ea-e])")


@dataclass
class StaffRow:
    """One row as read; None where the cell could not be read (its error is in `errors`)."""

    number: int
    id_number: str | None = None
    name: str | None = None
    front_title: str = ""
    back_title: str = ""
    gender: Gender | None = None
    employment_type: EmploymentType | None = None
    grade: str | None = None
    position: str | None = None
    position_kind: PositionKind | None = None
    unit: str | None = None
    agency: str | None = None
    appraiser: str | None = None
    email: str | None = None
    phone: str | None = None
    bank_name: str | None = None
    bank_account: str | None = None
    errors: list[RowError] = field(default_factory=list)
    # Filled in by the lookups (staff_import_checks) when the names are found.
    agency_id: int | None = None
    unit_id: int | None = None
    position_id: int | None = None

    def error(self, key: str | None, message: str) -> None:
        self.errors.append(RowError(self.number, column_name(key), message))


def column_name(key: str | None) -> str:
    return COLUMN_BY_KEY[key].header if key in COLUMN_BY_KEY else _("Baris")


# --- cell readers -----------------------------------------------------------------------------------------------

def read_number_text(value: object) -> str:
    """An identity number: text as typed (spaces and dots dropped), or a whole number that kept its digits."""
    if isinstance(value, float):
        raise CellError(_("Terbaca sebagai angka sehingga digit terakhirnya hilang. Format kolom ini sebagai Teks "
                          "lalu ketik ulang nomornya."))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return normalize_identity(clean_text(value))


def read_id_number(value: object) -> str:
    number = read_number_text(value)
    if not number:
        raise CellError(_("NIP wajib diisi."))
    if not number.isascii() or not number.isdigit() or len(number) > 20:
        raise CellError(_("NIP hanya boleh berisi angka."))
    return number


def read_appraiser(value: object) -> str | None:
    number = read_number_text(value)
    if number and (not number.isascii() or not number.isdigit() or len(number) > 20):
        raise CellError(_("NIP atasan hanya boleh berisi angka."))
    return number or None


def choice_reader(names: dict, message: Callable[[], str], *, required: bool = True):
    def read(value: object):
        text = normalise(clean_text(value))
        if not text:
            if required:
                raise CellError(message())
            return None
        if text.startswith("jabatan "):  # "Jabatan Fungsional" as the catalogue labels kinds
            text = text.removeprefix("jabatan ")
        if text not in names:
            raise CellError(message())
        return names[text]

    return read


read_gender = choice_reader(GENDER_NAMES, lambda: _("Jenis kelamin harus L atau P."))
read_employment_type = choice_reader(
    EMPLOYMENT_NAMES, lambda: _("Status kepegawaian harus PNS, CPNS, PPPK atau Non-ASN."))
read_position_kind = choice_reader(
    KIND_NAMES, lambda: _("Jenis jabatan harus salah satu dari: %(names)s.",
                          names=", ".join(TEMPLATE_KIND_NAMES.values())), required=False)


def read_grade(value: object) -> str | None:
    """'III/a', 'III/A', 'IIIa', 'Penata Muda, III/a' for PNS; 'IX' or 'Golongan IX' for PPPK; None when empty."""
    text = clean_text(value).rpartition(",")[2].strip()
    text = re.sub(r"^(golongan|gol\.?)\s*", "", text, flags=re.IGNORECASE).strip()
    if not text:
        return None
    match = GRADE_TEXT.fullmatch(text.upper())
    if match:
        return f"{match[1]}/{match[2].lower()}"
    return text.upper()


def read_email(value: object) -> str | None:
    text = clean_text(value).lower()
    if not text:
        return None
    if len(text) > 120 or not EMAIL.fullmatch(text):
        raise CellError(_("Alamat email tidak valid."))
    return text


def read_phone(value: object) -> str | None:
    """Digits of a mobile number; +62 becomes 0, and a number cell that lost its leading 0 gets it back."""
    if is_number(value) and float(value).is_integer():
        text = str(int(value))
        text = "0" + text if text.startswith("8") else text
    else:
        text = re.sub(r"[\s\-.()]", "", clean_text(value))
    if not text:
        return None
    if text.startswith("+62"):
        text = "0" + text[3:]
    elif text.startswith("62"):
        text = "0" + text[2:]
    if not text.isascii() or not text.isdigit() or not 9 <= len(text) <= 15 or not text.startswith("0"):
        raise CellError(_("No HP harus 9–15 angka diawali 0 atau +62, misalnya 081234567890."))
    return text


def read_bank_account(value: object) -> str | None:
    """An account number typed as text; a number cell is refused, as it may have lost leading zeros."""
    if is_number(value):
        raise CellError(_("No rekening terbaca sebagai angka (angka 0 di depan dapat hilang). Format kolom ini "
                          "sebagai Teks lalu ketik ulang nomornya."))
    try:
        return parse_bank_account(clean_text(value))
    except ValidationFailed as error:
        raise CellError(error.message) from None


def read_bank_name(value: object) -> str | None:
    try:
        return parse_bank_name(clean_text(value))
    except ValidationFailed as error:
        raise CellError(error.message) from None


READERS: dict[str, Callable[[object], object]] = {
    "id_number": read_id_number,
    "name": text_reader(120),
    "front_title": text_reader(40),
    "back_title": text_reader(60),
    "gender": read_gender,
    "employment_type": read_employment_type,
    "grade": read_grade,
    "position": text_reader(150),
    "position_kind": read_position_kind,
    "unit": text_reader(150),
    "agency": text_reader(150),
    "appraiser": read_appraiser,
    "email": read_email,
    "phone": read_phone,
    "bank_name": read_bank_name,
    "bank_account": read_bank_account,
}
REQUIRED_MESSAGES = {
    "name": lambda: _("Nama wajib diisi."),
    "position": lambda: _("Jabatan wajib diisi."),
    "unit": lambda: _("Unit kerja wajib diisi."),
    "agency": lambda: _("OPD wajib diisi."),
}


def check_identity(row: StaffRow) -> None:
    """The NIP fits the employment type, its gender digit the gender, and the grade the type."""
    kind = row.employment_type
    if kind is None:
        return
    if row.id_number is not None:
        try:
            info = parse_identity(row.id_number, kind)
        except InvalidIdentity as error:
            row.error("id_number", str(error))
        else:
            if row.gender is not None and info.gender is not row.gender:
                row.error("gender", _("Jenis kelamin tidak sesuai dengan nomor identitas (%(gender)s).",
                                      gender=info.gender.label))
    allowed = grades_for(kind)
    if not allowed and row.grade:
        row.error("grade", _("Pegawai Non-ASN tidak memiliki pangkat/golongan; kosongkan kolom ini."))
    elif allowed and not row.grade:
        row.error("grade", _("Pangkat/golongan wajib diisi untuk %(kind)s.", kind=kind.label))
    elif allowed and row.grade not in allowed:
        example = "III/a" if kind is not EmploymentType.PPPK else "IX"
        row.error("grade", _("Pangkat/golongan \"%(grade)s\" tidak berlaku untuk %(kind)s; tulis misalnya "
                             "%(example)s.", grade=row.grade, kind=kind.label, example=example))


def parse_row(number: int, cells: dict[str, object]) -> StaffRow:
    """Read one row's cells; every cell that cannot be read, or is missing, adds an error."""
    row = StaffRow(number)
    for key, reader in READERS.items():
        try:
            value = reader(cells.get(key))
        except CellError as error:
            row.error(key, str(error))
            continue
        if value == "" and key in REQUIRED_MESSAGES:
            row.error(key, REQUIRED_MESSAGES[key]())
            continue
        setattr(row, key, value)
    check_identity(row)
    if bool(row.bank_name) != bool(row.bank_account) and not any(
            error.column in (column_name("bank_name"), column_name("bank_account")) for error in row.errors):
        row.error("bank_account" if row.bank_name else "bank_name",
                  _("Isi nama bank dan no rekening bersama-sama, atau kosongkan keduanya."))
    return row


# --- reading the workbook -----------------------------------------------------------------------------------------

def header_key(value: object) -> str:
    return normalise(clean_text(value))


HEADER_KEYS = {header_key(column.header): column.key for column in COLUMNS}
HEADER_KEYS.update({"nip/nik": "id_number", "nama lengkap": "name", "golongan": "grade", "pangkat": "grade",
                    "jenis kelamin (l/p)": "gender", "no. hp": "phone", "no hp/wa": "phone", "e-mail": "email"})


STAFF_SHEET = SheetLayout(
    SHEET_NAME, COLUMNS, HEADER_KEYS, header_key, MAX_ROWS, scanned_rows=5,
    too_many=lambda n: _("Paling banyak %(n)d pegawai per berkas; bagi menjadi beberapa berkas.", n=n),
    empty=lambda: _("Berkas tidak berisi baris pegawai di bawah judul kolom."))


def read_sheet(content: bytes) -> list[tuple[int, dict[str, object]]]:
    """The non-empty rows under the header as (row number, {column key: cell value})."""
    return importer.read_sheet(content, STAFF_SHEET)


def read_rows(content: bytes) -> list[StaffRow]:
    return [parse_row(number, cells) for number, cells in read_sheet(content)]

