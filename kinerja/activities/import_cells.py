"""Reading the cells of an import row: dates, times, numbers and text as Excel or a person may have typed them.

Each reader returns the value or raises CellError with a translated message; a cell is never evaluated."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from openpyxl.utils.datetime import from_excel

from kinerja.activities.evidence import check_link
from kinerja.errors import ValidationFailed
from kinerja.models import ActivityCategory, WorkMode
from kinerja.settings import setting

CATEGORY_NAMES = {
    "Tugas utama": ActivityCategory.MAIN,
    "Tugas tambahan": ActivityCategory.ADDITIONAL,
    "Instruksi pimpinan": ActivityCategory.INSTRUCTION,
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
TIME_TEXT = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?(?:[:.](\d{2}))?")
MAX_QUANTITY = Decimal("99999999.99")


class CellError(ValueError):
    """A cell that cannot be read; the message is already translated."""


def clean_text(value: object, *, multiline: bool = False) -> str:
    """The cell as text without control characters (a line break stays where several lines are allowed)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\t", " ")
    if not multiline:
        text = text.replace("\n", " ")
    kept = (char for char in text if unicodedata.category(char) != "Cc" or (multiline and char == "\n"))
    return "".join(kept).strip()


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def read_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if is_number(value) and 1 <= value < 2958466:  # an Excel serial day number
        return from_excel(value).date()
    text = clean_text(value)
    if not text:
        raise CellError(_("Tanggal wajib diisi."))
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text.split()[0], pattern).date()
        except ValueError:
            continue
    raise CellError(_("Tanggal \"%(text)s\" tidak dikenali: tulis 2026-11-20 atau 20/11/2026.", text=text[:30]))


def read_time(value: object) -> time:
    """A time cell, a fraction of a day, a number like 8.30, or text like 08:00 or 8.00; to the minute."""
    if isinstance(value, datetime):
        value = value.time()
    minutes: float | None = None
    if isinstance(value, time):
        minutes = value.hour * 60 + value.minute + (value.second + value.microsecond / 1e6) / 60
    elif isinstance(value, timedelta):
        minutes = value.total_seconds() / 60
    elif is_number(value) and 0 <= value < 1:
        minutes = value * 24 * 60
    elif is_number(value) and 1 <= value < 24:  # 8.30 typed into a number cell: hours.minutes
        hours, rest = int(value), round((value - int(value)) * 100)
        minutes = hours * 60 + rest if rest < 60 else None
    elif not isinstance(value, int | float):
        text = clean_text(value)
        if not text:
            raise CellError(_("Jam wajib diisi."))
        match = TIME_TEXT.fullmatch(text)
        if match and int(match[1]) < 24 and int(match[2] or 0) < 60:
            minutes = int(match[1]) * 60 + int(match[2] or 0)
    if minutes is None or not 0 <= round(minutes) < 24 * 60:
        raise CellError(_("Jam \"%(text)s\" tidak dikenali: tulis 08:00 atau 8.00.", text=clean_text(value)[:20]))
    total = round(minutes)
    return time(total // 60, total % 60)


def read_quantity(value: object) -> Decimal | None:
    """None when empty (the rules then ask for more than 0); accepts 1,5 as well as 1.5."""
    if is_number(value):
        text = repr(value)
    else:
        text = clean_text(value).replace(" ", "")
        if not text:
            return None
        if "," in text and "." not in text:
            text = text.replace(",", ".")
    try:
        quantity = Decimal(text)
    except InvalidOperation:
        quantity = None
    if quantity is None or not quantity.is_finite() or abs(quantity) > MAX_QUANTITY:
        raise CellError(_("Kuantitas harus berupa angka, misalnya 1 atau 2,5."))
    return quantity.quantize(Decimal("0.01"))


def text_reader(limit: int, *, multiline: bool = False) -> Callable[[object], str]:
    def read(value: object) -> str:
        text = clean_text(value, multiline=multiline)
        if len(text) > limit:
            raise CellError(_("Paling banyak %(n)d karakter.", n=limit))
        return text

    return read


def read_mode(value: object) -> WorkMode:
    text = clean_text(value).split("(")[0].strip().upper()
    try:
        return WorkMode(text)
    except ValueError:
        raise CellError(_("Mode harus WFO, WFH atau DL.")) from None


def normalise(text: str) -> str:
    return " ".join(text.replace("_", " ").casefold().split())


def read_category(value: object) -> ActivityCategory:
    text = normalise(clean_text(value))
    if not text:
        return ActivityCategory.MAIN
    known = {normalise(name): category for name, category in CATEGORY_NAMES.items()}
    known.update({normalise(category.value): category for category in ActivityCategory})
    known.update({normalise(category.label): category for category in ActivityCategory})
    if text not in known:
        raise CellError(_("Kategori harus salah satu dari: %(names)s.", names=", ".join(CATEGORY_NAMES)))
    return known[text]


def read_links(value: object) -> list[str]:
    links = [part for part in re.split(r"[\s;]+", clean_text(value)) if part]
    if len(links) > setting("EVIDENCE_MAX_FILES"):
        raise CellError(_("Paling banyak %(n)d bukti per kegiatan.", n=setting("EVIDENCE_MAX_FILES")))
    try:
        return [check_link(link) for link in links]
    except ValidationFailed as error:
        raise CellError(error.message) from None
