"""Signing a stored report PDF, and what the verification page says of its signed versions.

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
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kinerja import audit, clock
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.models import Assignment, Employee, ReportDocument, SignedDocument, SigningSetup, User
from kinerja.permissions import headed_agency_ids, in_force_between, month_subordinates_select
from kinerja.reports import store
from kinerja.reports.data import regency_info
from kinerja.signatures import bsre, pades
from kinerja.signatures.setup import BSRE, LOCAL, current_setup
from kinerja.workcalendar import month_days

log = logging.getLogger(__name__)
NIK = 16


@dataclass(frozen=True)
class SignerInput:
    passphrase: str
    nik: str = ""  # BSrE only


def first_of(document: ReportDocument) -> date:
    return date(document.year, document.month, 1)


def may_sign(user: User, document: ReportDocument, today: date) -> bool:
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


def sign_report(actor: User, document: ReportDocument, signer: SignerInput, today: date) -> SignedDocument:
    """Sign the stored PDF and keep the result as the document's next signed version; commits once."""
    setup = current_setup()
    if setup is None or setup.mode not in (LOCAL, BSRE):
        raise Conflict(_("Tanda tangan elektronik belum diatur oleh BKD."))
    if not may_sign(actor, document, today):
        raise NotAllowed(_("Laporan ini ditandatangani oleh pejabat penilai atau Kepala OPD pegawai tersebut."))
    if document.kind != store.PDF:
        raise Conflict(_("Hanya dokumen PDF yang dapat ditandatangani."))
    if document.superseded_at is not None:
        raise Conflict(_("Data laporan ini sudah berubah; tandatangani versi terbarunya."))
    if document.draft:
        raise Conflict(_("Laporan masih DRAF: setujui semua kegiatan bulan itu sebelum menandatangani."))
    path = store.path_of(document)
    if path is None or not path.is_file():
        raise Conflict(_("Berkas laporan ini tidak tersedia lagi; unduh ulang laporannya lalu tandatangani."))
    employee = db.session.get(Employee, document.employee_id)
    signer_employee = db.session.get(Employee, actor.employee_id)
    document_id, year, month = document.id, document.year, document.month
    signer_name = signer_employee.full_name if signer_employee else actor.username
    period = f"{year:04d}-{month:02d}"
    reason = f"Laporan kinerja bulanan {employee.full_name if employee else ''} {period}".strip()
    location = regency_info().city
    mode = setup.mode
    content = path.read_bytes()
    db.session.commit()  # no transaction open while the signature is made
    signed_content = make_signature(setup, content, signer, reason, location, f"laporan-{document.code}.pdf")
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
                                         reason=f"{signer_name} ({mode})"))
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
