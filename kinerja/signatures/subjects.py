"""The documents signed besides employees' monthly reports, kept in the report store so that what is signed is a
file that never changes: an agency's TPP daftar nominatif of a locked month, an SKP plan and an SKP evaluation.

Each is rendered with a verification code, stored under the hash of the data it shows and reused while that data
is the same; new data makes a new stored document that supersedes the older one (and marks its signed versions
superseded). Reopening a TPP month does the same (kinerja.tpp.services.reopen_month).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from kinerja.models import Agency, ReportDocument, Skp
from kinerja.reports import store
from kinerja.skp import document_files
from kinerja.skp import documents as skp_documents
from kinerja.tpp import documents as tpp_documents
from kinerja.tpp import services as tpp_services


def digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps([repr(part) for part in parts], ensure_ascii=False).encode()).hexdigest()


def nominative_document(agency: Agency, first: date, today: date) -> ReportDocument | None:
    """The stored daftar nominatif of the agency's locked month (rendered and stored when needed); None while
    the month is not locked (an open month's list may still change: it is not signed)."""
    period = tpp_services.period_of(agency.id, first)
    if period is None:
        return None
    listing = tpp_documents.agency_list(agency, first, today)
    subject = store.Subject(store.TPP_NOMINATIVE, first.year, first.month, agency_id=agency.id)
    data_hash = digest(agency.id, agency.name, agency.head_id, agency.treasurer_id, period.id,
                       period.locked_at.isoformat(), listing.reference, listing.rows)
    return store.obtain_document(subject, data_hash, False,
                                 lambda code, url: tpp_documents.nominative_pdf(listing, today, code, url)).document


def skp_plan_document(skp: Skp) -> ReportDocument:
    """The stored SKP document of the plan (a DRAF until it is approved)."""
    doc = skp_documents.skp_document(skp)
    subject = store.Subject(store.SKP_PLAN, skp.period_start.year, skp.period_start.month,
                            employee_id=skp.employee_id, skp_id=skp.id, period_key="plan")
    return store.obtain_document(subject, digest(doc), doc.is_draft,
                                 lambda code, url: document_files.skp_pdf(doc, code, url)).document


def skp_evaluation_document(skp: Skp, periode: str, today: date) -> ReportDocument | None:
    """The stored evaluation of a month (2026-11), a quarter (2026-Q4) or the year (2026) of the plan, None for a
    period outside it; a DRAF until every month of the period is rated."""
    parsed = skp_documents.parse_document_period(periode, skp)
    if parsed is None:
        return None
    kind, months = parsed
    doc = skp_documents.evaluation_document(skp, kind, months, today)
    subject = store.Subject(store.SKP_EVALUATION, months[0].year, months[0].month, employee_id=skp.employee_id,
                            skp_id=skp.id, period_key=periode)
    return store.obtain_document(subject, digest(doc), doc.is_draft,
                                 lambda code, url: document_files.evaluation_pdf(doc, code, url)).document
