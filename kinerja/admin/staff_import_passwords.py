"""The initial passwords of the accounts a staff import creates, and the XLSX that hands them to the importer."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from kinerja.exports import xlsx_bytes


@dataclass(frozen=True)
class InitialPassword:
    id_number: str
    name: str
    agency: str
    unit: str
    password: str = field(repr=False)  # kept out of logs and tracebacks


def passwords_workbook(passwords: list[InitialPassword]) -> bytes:
    """One sheet "Kata sandi awal": NIP, Nama, OPD, Unit, Kata sandi awal, all text cells.

    exports.xlsx_bytes keeps names from turning into formulas; it never alters a password, whose characters are
    letters and digits in groups joined by '-'.
    """
    headers = [_("NIP"), _("Nama"), _("OPD"), _("Unit kerja"), _("Kata sandi awal")]
    rows = ([item.id_number, item.name, item.agency, item.unit, item.password] for item in passwords)
    return xlsx_bytes(_("Kata sandi awal"), headers, rows, widths=(21, 34, 34, 30, 18))
