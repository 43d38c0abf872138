"""How a job's outcome reads on the pages and in the API."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kinerja.jobs.runner import STALE_ERROR, UNEXPECTED_ERROR, UNKNOWN_KIND_ERROR

STORED_ERRORS = {
    STALE_ERROR: _l("Pekerja berhenti sebelum tugas selesai."),
    UNEXPECTED_ERROR: _l("Terjadi kesalahan saat memproses tugas. Rinciannya tercatat di log server."),
    UNKNOWN_KIND_ERROR: _l("Jenis tugas ini tidak dikenal oleh pekerja."),
}
SHOWN_FAILURES = 200  # a page (and each poll) lists at most this many failed items; the count is complete


def error_text(error: str | None) -> str | None:
    """A stored error in the reader's language (errors from the job itself are shown as written)."""
    return str(STORED_ERRORS[error]) if error in STORED_ERRORS else error
