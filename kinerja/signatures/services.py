"""Signing a stored PDF, and what the verification page says of its signed versions.

What can be signed, and by whom (docs/signatures.md): an employee's monthly report by the appraiser of the month
(or their Plh/Plt) or the Kepala OPD; an agency's TPP daftar nominatif of a locked month by the Kepala OPD of
that agency (or their Plh/Plt); an SKP plan or evaluation by the plan's appraiser (or their Plh/Plt).

Signing reads the unsigned stored file, has it signed (pyHanko with the regency's PKCS#12 file, or BSrE), writes
the result as a new file under REPORT_FOLDER/signed/ and records it as the next version with who signed and
when, in one transaction with its audit entry. The unsigned file is never touched; signing again adds a version;
a refusal anywhere leaves nothing behind (no row, no file). No transaction is open while the signature is made
(BSrE may take a while), so nobody waits on the database meanwhile.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kinerja import audit, clock
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.models import (
    ActingAssignment,
    Agency,
    Assignment,
    Employee,
    ReportDocument,
    SignedDocument,
    SigningSetup,
    Skp,
    User,
)
from kinerja.permissions import (
    headed_agency_ids,
    in_force_between,
    is_global_admin,
    may_see_month,
    month_subordinates_select,
    overseen_agency_ids,
)
from kinerja.reports import store
from kinerja.reports.data import regency_info
from kinerja.signatures import bsre, pades
from kinerja.signatures.setup import BSRE, LOCAL, current_setup
from kinerja.skp import rights as skp_rights
from kinerja.workcalendar import month_days

log = logging.getLogger(__name__)
NIK = 16


@dataclass(frozen=True)
class SignerInput:
    passphrase: str
    nik: str = ""  # BSrE only


def first_of(document: ReportDocument) -> date:
    return date(document.year, document.month, 1)


def may_see(user: User, document: ReportDocument, today: date) -> bool:
    """Who may open a stored document's signing page and signed files: whoever may see an employee's month (for
    their report), the agency's admins and head and BKD (for its daftar nominatif), whoever may read the SKP (for
    its documents)."""
    if document.kind in store.EMPLOYEE_KINDS:
        return document.employee_id is not None and may_see_month(user, document.employee_id, first_of(document),
                                                                  today)
    if document.kind == store.TPP_NOMINATIVE:
        return may_see_agency_list(user, document.agency_id, today)
    if document.kind in (store.SKP_PLAN, store.SKP_EVALUATION):
        skp = db.session.get(Skp, document.skp_id) if document.skp_id is not None else None
        return skp is not None and skp_rights.may_view(user, skp, today)
    return False


def may_see_agency_list(user: User, agency_id: int | None, today: date) -> bool:
    """An agency's daftar nominatif: its admins and head, BKD, and the head's Plh/Plt (who signs it)."""
    if agency_id is None:
        return False
    return (is_global_admin(user) or agency_id in overseen_agency_ids(user)
            or (user.employee_id is not None and heads_agency(user.employee_id, agency_id, today)))


def may_sign(user: User, document: ReportDocument, today: date) -> bool:
    """Whether the user signs this document (see the module's docstring); nobody signs their own."""
    if user.employee_id is None:
        return False
    if document.kind == store.TPP_NOMINATIVE:
        return heads_agency(user.employee_id, document.agency_id, today)
    if document.kind in (store.SKP_PLAN, store.SKP_EVALUATION):
        skp = db.session.get(Skp, document.skp_id) if document.skp_id is not None else None
        return (skp is not None and skp.appraiser_id is not None and user.employee_id != skp.employee_id
                and skp_rights.decider(user, skp, today) is not None)
    return may_sign_report(user, document, today)


def heads_agency(employee_id: int, agency_id: int | None, today: date) -> bool:
    """The Kepala OPD of the agency, or the Plh/Plt standing in for them today."""
    head_id = db.session.scalar(select(Agency.head_id).where(Agency.id == agency_id)) if agency_id else None
    if head_id is None:
        return False
    return employee_id == head_id or db.session.scalar(select(ActingAssignment.id).where(
        ActingAssignment.acting_id == employee_id, ActingAssignment.absent_id == head_id,
        ActingAssignment.active_on(today)).limit(1)) is not None


def may_sign_report(user: User, document: ReportDocument, today: date) -> bool:
    """The employee's appraiser of the report's month (or their Plh/Plt), or the head of the agency the employee
    was assigned to that month."""
    if user.employee_id is None or user.employee_id == document.employee_id:
        return False
    first = first_of(document)
    last = month_days(document.year, document.month)[1]
    if db.session.scalar(select(Employee.id).where(
            Employee.id == document.employee_id,
            Employee.id.in_(month_subordinates_select(user.employee_id, first, last, today)))) is not None:
        return True
    headed = headed_agency_ids(user)
    return bool(headed) and db.session.scalar(select(Assignment.id).where(
        Assignment.employee_id == document.employee_id, Assignment.agency_id.in_(headed),
        in_force_between(first, min(last, today))).limit(1)) is not None


def signed_root() -> Path:
    return Path(current_app.config["REPORT_FOLDER"]) / "signed"


def signed_path(signed: SignedDocument, document: ReportDocument) -> Path:
    return signed_root() / f"{document.year:04d}-{document.month:02d}" / signed.stored_name


def versions(document_id: int) -> list[SignedDocument]:
    return list(db.session.scalars(select(SignedDocument).where(SignedDocument.report_document_id == document_id)
                                   .order_by(SignedDocument.version)))


def environment_secret(name: str | None) -> str:
    value = os.environ.get(name or "", "")
    if not value:
        log.error("Signing through BSrE: the environment variable %s is not set", name)
        raise ValidationFailed(_("Akun klien BSrE belum dipasang di server (variabel lingkungan %(name)s kosong). "
                                 "Hubungi admin BKD.", name=name or "-"))
    return value


def make_signature(setup: SigningSetup, content: bytes, signer: SignerInput, reason: str, location: str,
                   file_name: str) -> bytes:
    placement = pades.Placement(setup.visible, setup.page, setup.box_x, setup.box_y, setup.box_width,
                                setup.box_height)
    if not signer.passphrase:
        raise ValidationFailed(_("Wajib diisi."), field="passphrase")
    if setup.mode == LOCAL:
        try:
            pkcs12 = Path(setup.pkcs12_path or "").read_bytes()
        except OSError as error:
            log.error("PKCS#12 file %s unreadable: %s", setup.pkcs12_path, error)
            raise ValidationFailed(_("Berkas sertifikat pemda tidak dapat dibaca di server. Hubungi admin BKD.")) \
                from None
        return pades.sign_local(content, pkcs12, signer.passphrase, placement, reason=reason, location=location)
    nik = "".join(signer.nik.split())
    if len(nik) != NIK or not nik.isdigit():
        raise ValidationFailed(_("NIK terdiri dari 16 angka."), field="nik")
    account = bsre.BsreAccount(setup.bsre_base_url or "", environment_secret(setup.bsre_client_id_env),
                               environment_secret(setup.bsre_client_secret_env))
    # BSrE numbers pages from 1 and is not known to have a "last page": 0 is sent as page 1 (docs/tpp.md).
    placement = dataclasses.replace(placement, page=placement.page or 1)
    return bsre.sign_pdf(account, content, file_name, bsre.BsreRequest(nik, signer.passphrase, placement, reason,
                                                                       location))


SIGNER_TEXT = {
    store.TPP_NOMINATIVE: _l("Daftar nominatif TPP ditandatangani oleh Kepala OPD tersebut (atau Plh/Plt-nya)."),
    store.SKP_PLAN: _l("Dokumen SKP ditandatangani oleh pejabat penilai kinerja pegawai tersebut (atau "
                       "Plh/Plt-nya)."),
    store.SKP_EVALUATION: _l("Dokumen SKP ditandatangani oleh pejabat penilai kinerja pegawai tersebut (atau "
                             "Plh/Plt-nya)."),
}
REPORT_SIGNERS = _l("Laporan ini ditandatangani oleh pejabat penilai atau Kepala OPD pegawai tersebut.")


def who_signs(document: ReportDocument) -> str:
    """Who signs a document of this kind, as the page and a refusal say it."""
    return str(SIGNER_TEXT.get(document.kind, REPORT_SIGNERS))


def description(document: ReportDocument) -> tuple[str, str]:
    """(the signature's reason, the file name sent to BSrE)."""
    period = f"{document.year:04d}-{document.month:02d}"
    if document.kind == store.TPP_NOMINATIVE:
        agency = db.session.get(Agency, document.agency_id)
        return (f"Daftar nominatif TPP {agency.name if agency else ''} {period}",
                f"tpp-nominatif-{agency.code if agency else ''}-{period}.pdf")
    employee = db.session.get(Employee, document.employee_id) if document.employee_id else None
    name = employee.full_name if employee else ""
    if document.kind == store.SKP_PLAN:
        return f"Sasaran Kinerja Pegawai {name} {document.year}", f"skp-{document.code}.pdf"
    if document.kind == store.SKP_EVALUATION:
        return f"Evaluasi Kinerja Pegawai {name} {document.period_key}", f"evaluasi-skp-{document.code}.pdf"
    return f"Laporan kinerja bulanan {name} {period}".strip(), f"laporan-{document.code}.pdf"


def sign_report(actor: User, document: ReportDocument, signer: SignerInput, today: date) -> SignedDocument:
    """Sign the stored PDF (any signable kind) and keep the result as the document's next signed version;
    commits once."""
    setup = current_setup()
    if setup is None or setup.mode not in (LOCAL, BSRE):
        raise Conflict(_("Tanda tangan elektronik belum diatur oleh BKD."))
    if not may_sign(actor, document, today):
        raise NotAllowed(who_signs(document))
    if store.SUFFIX.get(document.kind) != ".pdf":
        raise Conflict(_("Hanya dokumen PDF yang dapat ditandatangani."))
    if document.superseded_at is not None:
        raise Conflict(_("Data dokumen ini sudah berubah; tandatangani versi terbarunya."))
    if document.draft:
        if document.kind in store.EMPLOYEE_KINDS:
            raise Conflict(_("Laporan masih DRAF: setujui semua kegiatan bulan itu sebelum menandatangani."))
        raise Conflict(_("Dokumen masih DRAF: SKP disetujui atau seluruh periode dinilai lebih dulu."))
    path = store.path_of(document)
    if path is None or not path.is_file():
        raise Conflict(_("Berkas dokumen ini tidak tersedia lagi; buka ulang dokumennya lalu tandatangani."))
    signer_employee = db.session.get(Employee, actor.employee_id)
    document_id, year, month = document.id, document.year, document.month
    signer_name = signer_employee.full_name if signer_employee else actor.username
    period = f"{year:04d}-{month:02d}"
    reason, file_name = description(document)
    location = regency_info().city
    mode = setup.mode
    kind = document.kind
    content = path.read_bytes()
    db.session.commit()  # no transaction open while the signature is made
    signed_content = make_signature(setup, content, signer, reason, location, file_name)
    folder = signed_root() / period
    stored_name = store.write_file(folder, ".pdf", signed_content)
    try:
        next_version = (db.session.scalar(select(func.max(SignedDocument.version)).where(
            SignedDocument.report_document_id == document_id)) or 0) + 1
        signed = SignedDocument(report_document_id=document_id, version=next_version, mode=mode,
                                signer_user_id=actor.id, signer_employee_id=actor.employee_id,
                                signer_name=signer_name[:150], stored_name=stored_name,
                                size_bytes=len(signed_content), sha256=hashlib.sha256(signed_content).hexdigest(),
                                signed_at=clock.utcnow())
        db.session.add(signed)
        db.session.flush()
        audit.record(actor, audit.Change("report_document", document_id, "sign_document",
                                         to_state=f"v{next_version} {mode}",
                                         reason=f"{kind}: {signer_name} ({mode})"))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        (folder / stored_name).unlink(missing_ok=True)
        raise Conflict(_("Dokumen ini baru saja ditandatangani bersamaan; muat ulang halaman lalu coba lagi.")) \
            from None
    except BaseException:
        db.session.rollback()
        (folder / stored_name).unlink(missing_ok=True)
        raise
    return signed


@dataclass(frozen=True)
class SignedVersion:
    signed: SignedDocument
    checks: list[pades.SignatureCheck] | None  # None: the file is missing or unreadable


def trust_roots(setup: SigningSetup | None) -> list:
    if setup is None or not setup.trust_roots_path:
        return []
    try:
        return pades.read_trust_roots(Path(setup.trust_roots_path).read_bytes())
    except (OSError, ValueError) as error:
        log.error("Trust roots %s unreadable: %s", setup.trust_roots_path, error)
        return []


def checked_versions(document: ReportDocument) -> list[SignedVersion]:
    """The document's signed versions, newest first, each with its signatures checked by pyHanko."""
    found = versions(document.id)
    if not found:
        return []
    roots = trust_roots(current_setup())
    result = []
    for signed in reversed(found):
        try:
            content = signed_path(signed, document).read_bytes()
        except OSError:
            result.append(SignedVersion(signed, None))
            continue
        result.append(SignedVersion(signed, pades.check_signatures(content, roots)))
    return result
