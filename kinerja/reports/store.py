"""The store of rendered documents, keyed by the hash of the data behind them.

A download or a pack first loads the month's data (cheap, in bulk), hashes it and looks for a stored document
of the same hash: found, its file is served as it is; not found, the report is rendered, stored and the older
documents of that employee and month are marked superseded (their files removed, their verification codes kept,
so a printed copy can still be checked and is told that a newer version exists). Their signed versions are
marked superseded too and kept.

Besides employees' monthly reports the store keeps the documents that are signed electronically: an agency's
TPP daftar nominatif of a locked month and the SKP plan and evaluation documents (a `Subject` says whose).

Files live under REPORT_FOLDER/store/<year>-<month>/, outside static/, named by a random token.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from kinerja import clock
from kinerja.database import write_transactions
from kinerja.extensions import db
from kinerja.models import ReportDocument, SignedDocument
from kinerja.reports.model import EmployeeMonth

log = logging.getLogger(__name__)

PDF = "employee_pdf"
XLSX = "employee_xlsx"
TPP_NOMINATIVE = "tpp_nominative_pdf"  # an agency's daftar nominatif TPP of a locked month
SKP_PLAN = "skp_plan_pdf"
SKP_EVALUATION = "skp_evaluation_pdf"
EMPLOYEE_KINDS = (PDF, XLSX)
KIND_LABELS = {PDF: _l("Laporan kinerja bulanan (PDF)"), XLSX: _l("Laporan kinerja bulanan (Excel)"),
               TPP_NOMINATIVE: _l("Daftar nominatif TPP"), SKP_PLAN: _l("Sasaran Kinerja Pegawai (SKP)"),
               SKP_EVALUATION: _l("Evaluasi Kinerja Pegawai")}
SUFFIX = {PDF: ".pdf", XLSX: ".xlsx", TPP_NOMINATIVE: ".pdf", SKP_PLAN: ".pdf", SKP_EVALUATION: ".pdf"}
# No 0/O, 1/I/L: the code is read from paper and typed.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
DEVELOPMENT_ADDRESS = "http://localhost:5000"  # `flask run`'s, when nothing better is known

Renderer = Callable[[EmployeeMonth, str, str], bytes]  # (month, code, verify_url) -> file content


@dataclass(frozen=True)
class Subject:
    """What a stored document is of: an employee's month (employee reports), an agency's month (the daftar
    nominatif) or an SKP and its period (plan, 2026-11, 2026-Q4, 2026). Documents of one subject supersede each
    other."""

    kind: str
    year: int
    month: int
    employee_id: int | None = None
    agency_id: int | None = None
    skp_id: int | None = None
    period_key: str | None = None

    def conditions(self) -> list:
        conditions = [ReportDocument.kind == self.kind, ReportDocument.year == self.year,
                      ReportDocument.month == self.month]
        for column, value in ((ReportDocument.employee_id, self.employee_id),
                              (ReportDocument.agency_id, self.agency_id), (ReportDocument.skp_id, self.skp_id),
                              (ReportDocument.period_key, self.period_key)):
            conditions.append(column.is_(None) if value is None else column == value)
        return conditions


def subject_of(document: ReportDocument) -> Subject:
    return Subject(document.kind, document.year, document.month, document.employee_id, document.agency_id,
                   document.skp_id, document.period_key)


def new_code() -> str:
    """A verification code such as 'K7Q2-M9XD' (40 bits of randomness; unique in the table)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def base_url() -> str:
    """Where the app is reachable from outside, for links printed on documents: PUBLIC_BASE_URL (production
    requires it); unset, the request's own address, else (a job, a command) SERVER_NAME, else the address the
    app last served (`remember_served_address`), else the development server's default."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    server_name = current_app.config.get("SERVER_NAME")
    if server_name:
        return f"{current_app.config.get('PREFERRED_URL_SCHEME') or 'http'}://{server_name}"
    try:
        served = served_address_file().read_text("utf-8").strip()
    except OSError:
        served = ""
    if served:
        return served
    log.warning("PUBLIC_BASE_URL is not set and the app has served no request yet: verification links use %s",
                DEVELOPMENT_ADDRESS)
    return DEVELOPMENT_ADDRESS


def served_address_file() -> Path:
    return Path(current_app.config["REPORT_FOLDER"]) / "served-address"


_remembered: dict[Path, str] = {}


def remember_served_address() -> None:
    """Before each request while PUBLIC_BASE_URL is unset: keep the address this request came to, in a file
    beside the reports that the job workers (other processes) read; written only when it changes."""
    if current_app.config.get("PUBLIC_BASE_URL") or request.endpoint in (None, "static", "health"):
        return
    address = request.host_url.rstrip("/")
    path = served_address_file()
    if _remembered.get(path) == address and path.is_file():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
        temporary.write_text(address + "\n", "utf-8")
        os.replace(temporary, path)
    except OSError as error:  # never break a page for it: a job then falls back to the default address
        log.warning("Could not remember the served address in %s: %s", path, error)
        return
    _remembered[path] = address


def external_url(endpoint: str, **values) -> str:
    """An absolute address of a page, also inside a job (no request; no request context pushed either, whose
    teardown would reset the transaction mode of the work around it)."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def verify_url(code: str) -> str:
    return external_url("reports.verify", code=code)


def store_root() -> Path:
    return Path(current_app.config["REPORT_FOLDER"]) / "store"


def path_of(document: ReportDocument) -> Path | None:
    if not document.stored_name:
        return None
    return store_root() / f"{document.year:04d}-{document.month:02d}" / document.stored_name


def find(employee_id: int, year: int, month: int, kind: str, data_hash: str) -> ReportDocument | None:
    """The newest stored employee report with this data whose file is still there."""
    return find_document(Subject(kind, year, month, employee_id=employee_id), data_hash)


def find_document(subject: Subject, data_hash: str) -> ReportDocument | None:
    """The newest stored document of the subject with this data whose file is still there."""
    for document in db.session.scalars(
        select(ReportDocument).where(*subject.conditions(), ReportDocument.data_hash == data_hash,
                                     ReportDocument.superseded_at.is_(None)).order_by(ReportDocument.id.desc())
    ):
        path = path_of(document)
        if path is not None and path.is_file():
            return document
    return None


def current_documents(subjects: Iterable[tuple[int, int, int]], kind: str = PDF) -> dict[tuple[int, int, int], list]:
    """Stored, not superseded documents per (employee, year, month), in one query per year-month."""
    wanted = set(subjects)
    found: dict[tuple[int, int, int], list] = {}
    for year, month in {(year, month) for _employee, year, month in wanted}:
        ids = [employee for employee, y, m in wanted if (y, m) == (year, month)]
        for start in range(0, len(ids), 1000):
            for document in db.session.scalars(select(ReportDocument).where(
                ReportDocument.employee_id.in_(ids[start:start + 1000]), ReportDocument.year == year,
                ReportDocument.month == month, ReportDocument.kind == kind, ReportDocument.superseded_at.is_(None),
            )):
                found.setdefault((document.employee_id, year, month), []).append(document)
    return found


def write_file(folder: Path, suffix: str, content: bytes) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + suffix
    temporary = folder / (name + ".part")
    with open(temporary, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, folder / name)
    return name


def save(month: EmployeeMonth, kind: str, render: Renderer, data_hash: str | None = None) -> ReportDocument:
    """Render the report, keep its file and its row, supersede the older documents; commits."""
    return save_document(Subject(kind, month.year, month.month, employee_id=month.employee_id),
                         data_hash or month.data_hash(), month.is_draft,
                         lambda code, url: render(month, code, url))


def save_document(subject: Subject, data_hash: str, draft: bool, render: Callable[[str, str], bytes]
                  ) -> ReportDocument:
    """Render the subject's document (render(code, verify_url) -> bytes), keep its file and its row, supersede
    the subject's older documents; commits."""
    code = new_code()  # 40 random bits: a clash is checked by the unique index, and retried
    content = render(code, verify_url(code))
    folder = store_root() / f"{subject.year:04d}-{subject.month:02d}"
    stored_name = write_file(folder, SUFFIX[subject.kind], content)
    db.session.commit()  # end the reading transaction: the writing one below takes the write lock first
    with write_transactions():
        document = ReportDocument(code=code, kind=subject.kind, employee_id=subject.employee_id,
                                  agency_id=subject.agency_id, skp_id=subject.skp_id, period_key=subject.period_key,
                                  year=subject.year, month=subject.month, data_hash=data_hash, draft=draft,
                                  stored_name=stored_name, size_bytes=len(content))
        db.session.add(document)
        try:
            db.session.flush()
        except IntegrityError:  # the code exists already (about one chance in a trillion per document)
            db.session.rollback()
            (folder / stored_name).unlink(missing_ok=True)
            return save_document(subject, data_hash, draft, render)
        supersede_others(document)
        db.session.commit()
    return document


def supersede_others(document: ReportDocument) -> None:
    """Mark the subject's other documents superseded and remove their files."""
    supersede(subject_of(document), keep=document.id)


def supersede(subject: Subject, keep: int | None = None) -> int:
    """Mark the subject's current documents (but `keep`) superseded, remove their unsigned files and mark their
    signed versions superseded (their files are kept); the caller commits. Answers how many were superseded."""
    query = select(ReportDocument).where(*subject.conditions(), ReportDocument.superseded_at.is_(None))
    if keep is not None:
        query = query.where(ReportDocument.id != keep)
    older = list(db.session.scalars(query))
    if not older:
        return 0
    paths = [path_of(item) for item in older]
    ids = [item.id for item in older]
    now = clock.utcnow()
    db.session.execute(update(ReportDocument).where(ReportDocument.id.in_(ids))
                       .values(superseded_at=now, stored_name=None).execution_options(synchronize_session=False))
    db.session.execute(update(SignedDocument).where(SignedDocument.report_document_id.in_(ids),
                                                    SignedDocument.superseded_at.is_(None))
                       .values(superseded_at=now).execution_options(synchronize_session=False))
    for item in older:
        db.session.expire(item)
    for path in paths:
        if path is not None:
            path.unlink(missing_ok=True)
    return len(older)


@dataclass(frozen=True)
class Served:
    document: ReportDocument
    path: Path
    reused: bool


def obtain(month: EmployeeMonth, kind: str, render: Renderer) -> Served:
    """The stored document for this data, rendering it first when there is none."""
    data_hash = month.data_hash()
    document = find(month.employee_id, month.year, month.month, kind, data_hash)
    if document is not None:
        return Served(document, path_of(document), True)
    document = save(month, kind, render, data_hash)
    return Served(document, path_of(document), False)


def obtain_document(subject: Subject, data_hash: str, draft: bool, render: Callable[[str, str], bytes]) -> Served:
    """The subject's stored document for this data, rendering it first when there is none."""
    document = find_document(subject, data_hash)
    if document is not None:
        return Served(document, path_of(document), True)
    document = save_document(subject, data_hash, draft, render)
    return Served(document, path_of(document), False)


def verification(code: str) -> tuple[ReportDocument, ReportDocument | None] | None:
    """The document with this code and, when it has been superseded, the current one of its subject."""
    document = db.session.scalar(select(ReportDocument).where(ReportDocument.code == code.strip().upper()))
    if document is None:
        return None
    current = None
    if document.superseded_at is not None:
        current = db.session.scalar(select(ReportDocument).where(
            *subject_of(document).conditions(), ReportDocument.superseded_at.is_(None))
            .order_by(ReportDocument.id.desc()).limit(1))
    return document, current
