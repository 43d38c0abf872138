"""User accounts and roles for BKD and agency admins: list, reset a password, enable or disable, roles."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kinerja import clock
from kinerja.activities.forms import ActionForm
from kinerja.admin import accounts, bp
from kinerja.admin.staffing_forms import RoleForm
from kinerja.core.forms import show_error
from kinerja.errors import DomainError
from kinerja.models import Role, User
from kinerja.permissions import GLOBAL_ROLES, roles_required

ADMINS = (Role.AGENCY_ADMIN, *GLOBAL_ROLES)


def load_account(user_id: int) -> User:
    account = accounts.load_account(current_user, user_id, clock.today())
    if account is None:
        abort(404)
    return account


@bp.route("/akun", endpoint="accounts")
@roles_required(*ADMINS)
def accounts_list():
    search = request.args.get("q", "").strip()[:60]
    role = request.args.get("peran", "")
    page = accounts.accounts_page(current_user, clock.today(), search, role, request.args.get("page", 1, type=int),
                                  current_app.config["PER_PAGE"])
    return render_template("admin/accounts.html", page=page, search=search, role=role, roles=list(Role))


def render_account(account: User, role_form: RoleForm | None = None, password: str | None = None):
    role_form = role_form or RoleForm(formdata=None)
    role_form.set_choices(accounts.grantable_roles(current_user), accounts.role_agencies(current_user))
    return render_template("admin/account.html", account=account, role_form=role_form, action_form=ActionForm(),
                           password=password, grantable=set(accounts.grantable_roles(current_user)))


@bp.route("/akun/<int:user_id>")
@roles_required(*ADMINS)
def account(user_id: int):
    return render_account(load_account(user_id))


def checked_action(user_id: int) -> User:
    account = load_account(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return account


@bp.route("/akun/<int:user_id>/reset-sandi", methods=["POST"])
@roles_required(*ADMINS)
def reset_password(user_id: int):
    account = checked_action(user_id)
    password = accounts.reset_password(current_user, account)
    # Shown in this response only (not flashed into the session cookie, not stored in clear anywhere).
    response = current_app.make_response(render_account(account, password=password))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/akun/<int:user_id>/<any(aktifkan, nonaktifkan):change>", methods=["POST"])
@roles_required(*ADMINS)
def set_enabled(user_id: int, change: str):
    account = checked_action(user_id)
    try:
        accounts.set_enabled(current_user, account, change == "aktifkan")
    except DomainError as error:
        show_error(None, error)
    else:
        flash(_("Akun diaktifkan.") if change == "aktifkan" else _("Akun dinonaktifkan dan keluar dari semua sesi."),
              "success")
    return redirect(url_for("admin.account", user_id=account.id))


@bp.route("/akun/<int:user_id>/peran", methods=["POST"])
@roles_required(*ADMINS)
def grant_role(user_id: int):
    account = load_account(user_id)
    form = RoleForm()
    form.set_choices(accounts.grantable_roles(current_user), accounts.role_agencies(current_user))
    if form.validate_on_submit():
        try:
            accounts.grant_role(current_user, account, Role(form.role.data), form.agency_id.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Peran diberikan."), "success")
            return redirect(url_for("admin.account", user_id=account.id))
    return render_account(account, role_form=form)


@bp.route("/akun/<int:user_id>/peran/<int:role_id>/cabut", methods=["POST"])
@roles_required(*ADMINS)
def revoke_role(user_id: int, role_id: int):
    account = checked_action(user_id)
    granted = next((item for item in account.roles if item.id == role_id), None)
    if granted is None:
        abort(404)
    try:
        accounts.revoke_role(current_user, account, granted)
    except DomainError as error:
        show_error(None, error)
    else:
        flash(_("Peran dicabut."), "success")
    return redirect(url_for("admin.account", user_id=account.id))
