"""User accounts and roles: who may manage which account, password resets, enabling and role grants.

BKD admins manage every account but a superadmin's; agency admins manage their own agency's staff accounts
(never one holding a regency-wide role) and may make them agency admins of that agency. Nobody disables
themself or gives up their own last admin role. Every change is in the audit trail.
"""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import exists, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from kinerja import audit
from kinerja.admin.staffing import administered, latest_assignment
from kinerja.auth.services import hash_password
from kinerja.database import LIKE_ESCAPE, contains_pattern, finish
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.models import Agency, Employee, Role, User, UserRole
from kinerja.models.accounts import new_session_token
from kinerja.permissions import GLOBAL_ROLES, admin_agency_ids, has_role, is_global_admin

ADMIN_ROLES = frozenset({Role.AGENCY_ADMIN, *GLOBAL_ROLES})
# No 0/O, 1/l/I: the password is read off a screen and typed by someone else.
READABLE_CHARACTERS = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def holds_role(*roles: Role) -> ColumnElement[bool]:
    return exists().where(UserRole.user_id == User.id, UserRole.role.in_(roles))


def account_scope(actor: User, today) -> ColumnElement[bool]:
    """SQL condition on User: the accounts the actor may see and manage."""
    if has_role(actor, Role.SUPERADMIN):
        return true()
    if is_global_admin(actor):
        return ~holds_role(Role.SUPERADMIN)
    agencies = admin_agency_ids(actor)
    staff = select(Employee.id).where(administered(actor, today))  # retired staff stay with their last agency
    admins = select(UserRole.user_id).where(UserRole.role == Role.AGENCY_ADMIN, UserRole.agency_id.in_(agencies))
    return or_(User.employee_id.in_(staff), User.id.in_(admins)) & ~holds_role(*GLOBAL_ROLES)


def load_account(actor: User, user_id: int, today) -> User | None:
    """The account if the actor may manage it, else None (the view answers 404)."""
    return db.session.scalar(select(User).where(User.id == user_id, account_scope(actor, today)))


def accounts_page(actor: User, today, search: str, role: str, page: int, per_page: int) -> Pagination:
    """One page of accounts in the actor's scope, by NIP/username, name or role."""
    query = (select(User).outerjoin(Employee, Employee.id == User.employee_id)
             .where(account_scope(actor, today))
             .order_by(Employee.name, User.username, User.id))
    if search:
        pattern = contains_pattern(search)
        query = query.where(or_(Employee.name.ilike(pattern, escape=LIKE_ESCAPE),
                                Employee.id_number.like(pattern, escape=LIKE_ESCAPE),
                                User.username.ilike(pattern, escape=LIKE_ESCAPE)))
    if role in {item.value for item in Role}:
        query = query.where(holds_role(Role(role)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def grantable_roles(actor: User) -> list[Role]:
    """Roles the actor may give or take away (within their scope)."""
    if has_role(actor, Role.SUPERADMIN):
        return [Role.AGENCY_ADMIN, Role.BKD_ADMIN, Role.SUPERADMIN]
    if is_global_admin(actor):
        return [Role.AGENCY_ADMIN, Role.BKD_ADMIN]
    return [Role.AGENCY_ADMIN] if admin_agency_ids(actor) else []


def role_agencies(actor: User) -> list[Agency]:
    """Agencies the actor may make someone an admin of."""
    query = select(Agency).order_by(Agency.code)
    if not is_global_admin(actor):
        query = query.where(Agency.id.in_(admin_agency_ids(actor)))
    return list(db.session.scalars(query))


def agency_of(account: User) -> int | None:
    """For the audit trail (so the agency's admins see it): the employee's latest agency, else the agency an
    agency-admin role names."""
    if account.employee_id is not None:
        placement = latest_assignment(account.employee_id)
        if placement is not None:
            return placement.agency_id
    return next((r.agency_id for r in account.roles if r.role is Role.AGENCY_ADMIN), None)


def new_password(length: int = 12) -> str:
    """A random password in groups of four ('aB3d-eF5g-hJ7k'), easy to read out and type."""
    chars = "".join(secrets.choice(READABLE_CHARACTERS) for _ in range(length))
    return "-".join(chars[i:i + 4] for i in range(0, length, 4))


def reset_password(actor: User, account: User) -> str:
    """Give the account a new random password to be changed at the next sign-in; end its sessions."""
    password = new_password()
    account.password_hash = hash_password(password)
    account.must_change_password = True
    account.session_token = new_session_token()
    audit.record(actor, audit.Change("user", account.id, "reset_password", None, None, agency_of(account),
                                     reason=account.login_name))
    finish()
    return password


def set_enabled(actor: User, account: User, enabled: bool) -> None:
    """Enable or disable sign-in for the account; disabling ends its sessions."""
    if account.id == actor.id and not enabled:
        raise NotAllowed(_("Anda tidak dapat menonaktifkan akun Anda sendiri."))
    if enabled and account.employee is not None and not account.employee.active:
        raise ValidationFailed(_("Pegawai ini tidak aktif; aktifkan kembali pegawainya lebih dulu."))
    before = account.is_enabled
    account.is_enabled = enabled
    if not enabled:
        account.session_token = new_session_token()
    audit.record(actor, audit.Change("user", account.id, "enable_account" if enabled else "disable_account",
                                     "enabled" if before else "disabled", "enabled" if enabled else "disabled",
                                     agency_of(account), reason=account.login_name))
    finish()


def check_role_change(actor: User, role: Role, agency_id: int | None) -> None:
    if role not in grantable_roles(actor):
        raise NotAllowed(_("Anda tidak berwenang memberikan atau mencabut peran ini."), field="role")
    if role is Role.AGENCY_ADMIN and agency_id not in {agency.id for agency in role_agencies(actor)}:
        raise ValidationFailed(_("Pilih OPD untuk peran Admin OPD."), field="agency_id")


def grant_role(actor: User, account: User, role: Role, agency_id: int | None) -> UserRole:
    """Give the account a role (an agency admin's names the agency)."""
    agency_id = agency_id if role is Role.AGENCY_ADMIN else None
    check_role_change(actor, role, agency_id)
    if any(r.role is role and r.agency_id == agency_id for r in account.roles):
        raise ValidationFailed(_("Akun ini sudah memiliki peran tersebut."), field="role")
    granted = UserRole(role=role, agency_id=agency_id)
    account.roles.append(granted)
    try:
        db.session.flush()
    except IntegrityError:  # granted by someone else at the same moment
        db.session.rollback()
        raise Conflict(_("Akun ini sudah memiliki peran tersebut.")) from None
    audit.record(actor, audit.Change("user", account.id, "grant_role", None, role.value, agency_id,
                                     reason=account.login_name))
    finish()
    return granted


def revoke_role(actor: User, account: User, granted: UserRole) -> None:
    """Take a role away; nobody gives up their own last admin role."""
    check_role_change(actor, granted.role, granted.agency_id)
    if account.id == actor.id and granted.role in ADMIN_ROLES:
        remaining = [r for r in account.roles if r.id != granted.id and r.role in ADMIN_ROLES]
        if not remaining:
            raise NotAllowed(_("Anda tidak dapat mencabut peran admin terakhir Anda sendiri."))
    audit.record(actor, audit.Change("user", account.id, "revoke_role", granted.role.value, None,
                                     granted.agency_id, reason=account.login_name))
    account.roles.remove(granted)
    finish()
