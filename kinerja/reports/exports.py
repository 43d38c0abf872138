"""Starting an export larger than one employee as a background job: the one rule behind the reports page and
the API. Agency exports are for the agency's admins and head and for BKD; regency-wide ones for BKD. Anyone
else gets a 404."""

from __future__ import annotations

from datetime import date

from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.jobs import create_job, dispatch
from kinerja.models import Agency, Job, User
from kinerja.permissions import is_global_admin, overseen_agency_ids

# export name -> (job kind, extra params, needs an agency, label)
EXPORTS = {
    "recap_pdf": ("agency_recap", {"format": "pdf"}, True, _l("Rekapitulasi OPD (PDF)")),
    "recap_xlsx": ("agency_recap", {"format": "xlsx"}, True, _l("Rekapitulasi OPD (Excel)")),
    "pack": ("pdf_pack", {}, True, _l("Laporan semua pegawai OPD (ZIP berisi PDF)")),
    "bkn": ("bkn_xlsx", {}, True, _l("Kegiatan harian format BKN (Excel)")),
    "regency_xlsx": ("regency_xlsx", {}, False, _l("Rekapitulasi seluruh OPD untuk BKD (Excel)")),
    "regency_pack": ("pdf_pack", {}, False, _l("Laporan seluruh pegawai (ZIP berisi PDF)")),
    "regency_bkn": ("bkn_xlsx", {}, False, _l("Kegiatan harian seluruh pegawai format BKN (Excel)")),
}
AGENCY_EXPORTS = [name for name, spec in EXPORTS.items() if spec[2]]
REGENCY_EXPORTS = [name for name, spec in EXPORTS.items() if not spec[2]]


def export_agency(user: User, agency_id: int | None) -> Agency:
    """The agency of an agency export, if the user oversees it or is BKD; else 404."""
    agency = db.session.get(Agency, agency_id) if agency_id else None
    if agency is None or not (is_global_admin(user) or agency.id in overseen_agency_ids(user)):
        abort(404)
    return agency


def start_export(user: User, export: str, month: date, agency_id: int | None, today: date) -> Job:
    """Queue the export of `month` and hand it to a worker; returns the job to follow."""
    kind, extra, needs_agency, label = EXPORTS[export]
    if month > today.replace(day=1):
        raise ValidationFailed(_("Bulan tersebut belum dimulai."), field="month")
    params = {"month": f"{month:%Y-%m}", **extra}
    if needs_agency:
        agency = export_agency(user, agency_id)
        params["agency_id"] = agency.id
        title = f"{label} · {agency.short_name} · {month:%Y-%m}"
    else:
        if not is_global_admin(user):
            abort(404)
        title = f"{label} · {month:%Y-%m}"
    job = create_job(kind, params, title=title, requested_by=user.id)
    dispatch(job)
    return job
