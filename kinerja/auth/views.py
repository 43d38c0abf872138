"""Sign-in, sign-out and password change pages."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import Date, Integer, bindparam, select
from sqlalchemy.orm import joinedload

from kinerja import clock, notify, reference
from kinerja.auth import UNATTENDED_ENDPOINTS, bp, services
from kinerja.auth.forms import ChangePasswordForm, LoginForm, LogoutForm
from kinerja.errors import ValidationFailed
from kinerja.extensions import db, limiter, login_manager
from kinerja.models import User, UserRole
from kinerja.permissions import remember_standing, standing_columns

# How stale the session's record of the last request may get before it is written again (at most a tenth of the
# idle timeout): a session may end that much before the full timeout.
SEEN_REFRESH_SECONDS = 60
# Endpoints a signed-in user who must change their password may still reach.
PASSWORD_CHANGE_ALLOWED = {"auth.change_password", "auth.logout", "static", "main.set_language", "health"}


@cache
def user_statement():
    """The account with its employee and roles, what it heads and appraises today, its unread count and the
    reference data's stamp (kinerja.reference): one statement for what every signed-in page needs, built once
    with bound parameters."""
    return (select(User, *standing_columns(User.employee_id, bindparam("today", type_=Date)),
                   notify.unread_column(User.id), reference.stamp_column())
            .options(joinedload(User.roles).lazyload(UserRole.agency))
            .where(User.id == bindparam("user_id", type_=Integer)))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Load the user only while the session's token matches the account's current one."""
    user_id, _sep, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    today = clock.today()
    row = db.session.execute(user_statement(), {"user_id": int(user_id), "today": today}).unique().one_or_none()
    if row is None:
        return None
    user = row.User
    if user.session_token != token or not user.is_active:
        return None
    if user.employee_id is not None:
        remember_standing(user.employee_id, today, row.headed, row.appraises)
    notify.remember_unread(user.id, row.unread)
    reference.remember_stamp(row.reference_stamp)
    return user


def failed_sign_in(response) -> bool:
    """Count an attempt against the limits unless it signed the user in."""
    return response.status_code != 302


def account_key() -> str:
    return "login-account:" + services.normalize_identity(request.form.get("identifier", "")).lower()


def own_account_key() -> str:
    """The signed-in user's key in the sign-in account budget (the same key `account_key` gives their login)."""
    name = current_user.login_name if current_user.is_authenticated else ""
    return "login-account:" + services.normalize_identity(name).lower()


def wrong_current_password(response) -> bool:
    """Count a password change against the account's sign-in budget only when it guessed the password wrong."""
    return bool(g.get("wrong_current_password"))


def sign_in_session(user: User) -> None:
    """Start a fresh session for the user, in the language the account chose (or this browser did)."""
    locale = user.locale or session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user)
    session.permanent = True
    session["last_seen"] = clock.utcnow().timestamp()


@bp.route("/masuk", methods=["GET", "POST"])
# Shared with the API's token request (kinerja/api/token_views.py): one budget of failures per address and per
# account, whichever door the guesses come through.
@limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"], "sign-in-ip", methods=["POST"], deduct_when=failed_sign_in
)
@limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    "sign-in-account",
    key_func=account_key,
    methods=["POST"],
    deduct_when=failed_sign_in,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = services.safe_next_url(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = services.authenticate(form.identifier.data, form.password.data)
        if user is not None:
            services.record_sign_in(user)
            sign_in_session(user)
            if user.must_change_password:  # the page itself says why (no second notice)
                return redirect(url_for("auth.change_password"))
            return redirect(services.safe_next_url(form.next.data) or url_for("main.home"))
        flash(_("NIP/nama pengguna atau kata sandi salah."), "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/keluar", methods=["POST"])
@login_required
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        services.end_all_sessions(current_user._get_current_object())
        logout_user()
        session.clear()
        flash(_("Anda telah keluar."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/kata-sandi", methods=["GET", "POST"])
@login_required
# Guessing the current password here is guessing the sign-in password: the same budget of failures per account.
@limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    "sign-in-account",
    key_func=own_account_key,
    methods=["POST"],
    deduct_when=wrong_current_password,
)
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if user.must_change_password:  # first sign-in or a reset: the current password is the one just typed
        form.current_password.label.text = _("Kata sandi awal")
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current_password.data, form.new_password.data)
        except ValidationFailed as error:
            g.wrong_current_password = error.field == "current_password"
            getattr(form, error.field or "new_password").errors.append(error.message)
        else:
            sign_in_session(user)
            flash(_("Kata sandi berhasil diganti. Sesi di perangkat lain telah diakhiri."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


def enforce_session_rules():
    """Before each request: end idle sessions and hold first-sign-in users at the password page."""
    if request.endpoint in UNATTENDED_ENDPOINTS or not current_user.is_authenticated:
        return None
    now = clock.utcnow().timestamp()
    idle = timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"]).total_seconds()
    last_seen = session.get("last_seen", 0)
    if now - last_seen > idle:
        logout_user()
        session.clear()
        flash(_("Sesi Anda berakhir karena tidak ada aktivitas. Silakan masuk kembali."), "warning")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))
    if now - last_seen > min(SEEN_REFRESH_SECONDS, idle / 10):  # not every request: an unchanged session is not
        session["last_seen"] = now  # signed and sent again
    if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ALLOWED:
        return redirect(url_for("auth.change_password"))
    return None
