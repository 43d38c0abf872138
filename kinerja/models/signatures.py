"""Electronic signatures (TTE): how the regency signs its documents, and the signed versions of stored PDFs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kinerja import clock
from kinerja.models.base import Base, UTCDateTime


class SigningSetup(Base):
    """The regency's signing configuration (one row; absent means signing is off), edited by BKD and audited.

    Secrets never live here: the PKCS#12 file is named by its path (outside static/), BSrE's client id and secret
    by the names of the environment variables that hold them, and the signer's passphrase is asked at each
    signing and forgotten.
    """

    __tablename__ = "signing_setup"

    id: Mapped[int] = mapped_column(primary_key=True)
    mode: Mapped[str] = mapped_column(String(10), default="none")  # none, local, bsre
    pkcs12_path: Mapped[str | None] = mapped_column(String(255))
    trust_roots_path: Mapped[str | None] = mapped_column(String(255))  # PEM bundle the verification page trusts
    bsre_base_url: Mapped[str | None] = mapped_column(String(255))
    bsre_client_id_env: Mapped[str | None] = mapped_column(String(60))
    bsre_client_secret_env: Mapped[str | None] = mapped_column(String(60))
    visible: Mapped[bool] = mapped_column(Boolean, default=False)
    page: Mapped[int] = mapped_column(Integer, default=1)  # 1-based; 0 means the last page
    box_x: Mapped[int] = mapped_column(Integer, default=400)  # PDF points from the page's lower left corner
    box_y: Mapped[int] = mapped_column(Integer, default=60)
    box_width: Mapped[int] = mapped_column(Integer, default=160)
    box_height: Mapped[int] = mapped_column(Integer, default=60)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.utcnow, onupdate=clock.utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class SignedDocument(Base):
    """A signed version of a stored PDF (a monthly report, a TPP daftar nominatif, an SKP document): a file of
    its own, never changed; signing again adds a version.

    The unsigned document (ReportDocument) is left as it is; its verification code finds its signed versions.
    When the document is superseded (its data changed, or its TPP month was reopened) the signed versions are
    marked superseded too, and kept.
    """

    __tablename__ = "signed_document"
    __table_args__ = (
        UniqueConstraint("report_document_id", "version"),
        Index("ix_signed_document_report_document_id", "report_document_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_document_id: Mapped[int] = mapped_column(ForeignKey("report_document.id", ondelete="RESTRICT"))
    version: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(10))  # local, bsre
    signer_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    signer_employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"))
    signer_name: Mapped[str] = mapped_column(String(150))
    stored_name: Mapped[str] = mapped_column(String(80))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
