"""Background jobs (exports) and the store of rendered reports with their verification codes."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinerja import clock
from kinerja.i18n import translated
from kinerja.models.accounts import User
from kinerja.models.base import Base, UTCDateTime
from kinerja.models.org import str_enum


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return translated(JOB_STATUS_LABELS[self])

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


JOB_STATUS_LABELS = {
    JobStatus.QUEUED: _l("Menunggu giliran"),
    JobStatus.RUNNING: _l("Sedang diproses"),
    JobStatus.DONE: _l("Selesai"),
    JobStatus.FAILED: _l("Gagal"),
    JobStatus.CANCELLED: _l("Dibatalkan"),
}


class Job(Base):
    """A piece of work run outside the web request: an export, a pack of PDFs, rendering reports ahead.

    `kind` names a registered job function, `params` its JSON arguments. Progress is `done` of `total`;
    `failures` lists the items that failed ({"item": ..., "reason": ...}) while the rest went on.
    """

    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_status_created", "status", "created_at"),
        Index("ix_job_requested_by_created", "requested_by", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    title: Mapped[str] = mapped_column(String(255), default="")
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus, length=10), default=JobStatus.QUEUED)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[list] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    result_path: Mapped[str | None] = mapped_column(String(255))
    result_name: Mapped[str | None] = mapped_column(String(255))
    result_size: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    requester: Mapped[User | None] = relationship()

    @property
    def percent(self) -> int:
        if self.status is JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class ReportDocument(Base):
    """A rendered document kept in the store, keyed by the hash of the data behind it: an employee's monthly
    report (employee_id), an agency's TPP daftar nominatif of a locked month (agency_id), or an SKP plan or
    evaluation (skp_id and period_key).

    Its verification code (printed with a QR code) stays valid after the data changes: the verification page
    then says that a newer version exists. The file of a superseded document may be removed.
    """

    __tablename__ = "report_document"
    __table_args__ = (
        Index("ix_report_document_subject", "employee_id", "year", "month", "kind"),
        Index("ix_report_document_agency", "agency_id", "year", "month", "kind"),
        Index("ix_report_document_skp", "skp_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # employee_pdf, employee_xlsx, tpp_nominative_pdf, skp_*_pdf
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    skp_id: Mapped[int | None] = mapped_column(ForeignKey("skp.id", ondelete="RESTRICT"))
    period_key: Mapped[str | None] = mapped_column(String(12))  # an SKP document's period: plan, 2026-11, 2026-Q4
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    data_hash: Mapped[str] = mapped_column(String(64))
    draft: Mapped[bool] = mapped_column(default=True)
    stored_name: Mapped[str | None] = mapped_column(String(80))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
