"""User accounts and their roles."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinerja.i18n import translated
from kinerja.models.base import Base, TimestampMixin, UTCDateTime
from kinerja.models.org import Agency, str_enum
from kinerja.models.people import Employee


class Role(enum.StrEnum):
    STAFF = "staff"
    AGENCY_ADMIN = "agency_admin"
    BKD_ADMIN = "bkd_admin"
    SUPERADMIN = "superadmin"

    @property
    def label(self) -> str:
        return translated(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.STAFF: _l("Pegawai"),
    Role.AGENCY_ADMIN: _l("Admin OPD"),
    Role.BKD_ADMIN: _l("Admin BKD"),
    Role.SUPERADMIN: _l("Superadmin"),
}


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, TimestampMixin, Base):
    """A sign-in account. Staff sign in with their employee's NIP; administrators with a username."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str | None] = mapped_column(String(60), unique=True)
    employee_id: Mapped[int | None] = mapped_column(
        ForeignKey("employee.id", ondelete="CASCADE"), unique=True
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Rotated on sign-out and password change: sessions carrying an older token end.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    locale: Mapped[str | None] = mapped_column(String(5))

    employee: Mapped[Employee | None] = relationship(lazy="joined")
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.is_enabled and (self.employee is None or self.employee.active)

    @property
    def display_name(self) -> str:
        return self.employee.full_name if self.employee else (self.username or "")

    @property
    def login_name(self) -> str:
        return self.employee.id_number if self.employee else (self.username or "")

    def __repr__(self) -> str:
        return f"<User {self.login_name}>"


class UserRole(Base):
    """A role held by a user; an agency admin's role names the agency."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship(back_populates="roles")
    agency: Mapped[Agency | None] = relationship(lazy="joined")
