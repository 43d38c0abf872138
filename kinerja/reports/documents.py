"""One employee's report as a file: loaded, looked up in the store by the hash of its data, rendered if needed."""

from __future__ import annotations

import re
from datetime import date

from kinerja.reports import data, pdf, store, xlsx
from kinerja.reports.model import EmployeeMonth

RENDERERS: dict[str, store.Renderer] = {
    store.PDF: lambda month, code, url: pdf.employee_pdf(month, code=code, verify_url=url),
    store.XLSX: lambda month, code, url: xlsx.employee_xlsx(month, code=code, verify_url=url),
}
UNSAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


def file_name(month: EmployeeMonth, suffix: str) -> str:
    """'Laporan Kinerja 2026-10 198703152010012003 Siti Rahmawati.pdf' (no characters a file system refuses)."""
    name = UNSAFE_NAME.sub("", month.employee.name.split(",")[0]).strip()
    return f"Laporan Kinerja {month.year:04d}-{month.month:02d} {month.employee.id_number} {name}{suffix}"


def employee_document(employee_id: int, first: date, today: date,
                      kind: str) -> tuple[EmployeeMonth, store.Served] | None:
    """The employee's report of the month as a stored file (None when they had no assignment that month)."""
    month = data.employee_month(employee_id, first, today)
    if month is None:
        return None
    return month, store.obtain(month, kind, RENDERERS[kind])
