"""The SKP document and the evaluation document as PDF and XLSX downloads (owner, appraiser, the agency's admins
and head, BKD; anyone else gets a 404)."""

from __future__ import annotations

import io

from flask import abort, send_file
from flask_login import current_user, login_required

from kinerja import clock
from kinerja.exports import XLSX_MIMETYPE
from kinerja.skp import bp, document_files, documents
from kinerja.skp.rights import load_skp_to_view

FORMATS = {"pdf": ("application/pdf", ".pdf"), "xlsx": (XLSX_MIMETYPE, ".xlsx")}


def _send(content: bytes, kind: str, name: str):
    mimetype, _suffix = FORMATS[kind]
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


@bp.route("/<int:skp_id>/dokumen.<any(pdf, xlsx):kind>")
@login_required
def plan_document(skp_id: int, kind: str):
    skp = load_skp_to_view(current_user, skp_id, clock.today())
    doc = documents.skp_document(skp)
    content = document_files.skp_pdf(doc) if kind == "pdf" else document_files.skp_xlsx(doc)
    name = document_files.file_name("SKP", doc.header, f"{skp.year} v{skp.version}", FORMATS[kind][1])
    return _send(content, kind, name)


@bp.route("/<int:skp_id>/evaluasi/<periode>.<any(pdf, xlsx):kind>")
@login_required
def evaluation_document(skp_id: int, periode: str, kind: str):
    """`periode`: a month (2026-11), a quarter (2026-Q4) or the year (2026) inside the plan's period."""
    today = clock.today()
    skp = load_skp_to_view(current_user, skp_id, today)
    parsed = documents.parse_document_period(periode, skp)
    if parsed is None:
        abort(404)
    doc = documents.evaluation_document(skp, parsed[0], parsed[1], today)
    content = document_files.evaluation_pdf(doc) if kind == "pdf" else document_files.evaluation_xlsx(doc)
    name = document_files.file_name("Evaluasi Kinerja", doc.header, periode, FORMATS[kind][1])
    return _send(content, kind, name)
