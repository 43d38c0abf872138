"""Staff import pages: upload and dry run, confirmation, the result, and the template.

BKD admins import into any agency, agency admins into their own (other agencies' rows are row errors).
"""

from __future__ import annotations

import io
from functools import partial

from flask import abort, flash, make_response, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename

from kinerja import clock
from kinerja.activities.importer import MAX_BYTES
from kinerja.admin import bp, staff_import, staff_import_store
from kinerja.admin.staff_import_forms import (
    XLSX_TYPE,
    ConfirmImportForm,
    PasswordsDownloadForm,
    StaffImportForm,
    effective_date_limits,
)
from kinerja.admin.staff_import_rows import COLUMNS, MAX_ROWS
from kinerja.admin.staff_import_template import build_workbook
from kinerja.core.forms import show_error
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import Role
from kinerja.permissions import roles_required

IMPORTERS = (Role.AGENCY_ADMIN, Role.BKD_ADMIN, Role.SUPERADMIN)
SHOWN_CHANGES = 200  # rows listed under "new" and "changed" on the page; the counts are always complete
SHOWN_PASSWORDS = 50  # up to this many new accounts the result page lists their passwords too


def render_page(form: StaffImportForm, plan=None, confirm=None, status: int = 200):
    low, high = effective_date_limits()
    return render_template("admin/staff_import.html", form=form, plan=plan, confirm=confirm, columns=COLUMNS,
                           max_rows=MAX_ROWS, date_min=low, date_max=high,
                           shown=SHOWN_CHANGES), status


@bp.route("/impor-pegawai", methods=["GET", "POST"], endpoint="staff_import")
@roles_required(*IMPORTERS)
def staff_import_page():
    form = StaffImportForm()
    if not form.validate_on_submit():
        return render_page(form)
    content = form.file.data.read(MAX_BYTES + 1)
    try:
        plan = staff_import.dry_run(current_user, content, form.effective_date.data)
    except DomainError as error:
        show_error(form, error)
        return render_page(form)
    confirm = None
    if plan.ok and (plan.new or plan.updated):
        token = staff_import_store.stage(current_user, content)
        confirm = ConfirmImportForm(formdata=None, token=token, effective_date=form.effective_date.data,
                                    file_name=secure_filename(form.file.data.filename or "") or "pegawai.xlsx")
    return render_page(form, plan, confirm)


@bp.route("/impor-pegawai/simpan", methods=["POST"])
@roles_required(*IMPORTERS)
def staff_import_confirm():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        flash(_("Konfirmasi impor tidak sah. Unggah berkasnya sekali lagi."), "danger")
        return redirect(url_for("admin.staff_import"))
    token = form.token.data
    try:
        content = staff_import_store.staged(current_user, token)
        result = staff_import.import_staff(current_user, content, form.effective_date.data, form.file_name.data,
                                           keep_passwords=partial(staff_import_store.keep_passwords, current_user))
    except staff_import.ImportRejected as rejected:
        db.session.rollback()
        staff_import_store.discard(current_user, token)
        flash(_("Data di Kinerja berubah sejak pemeriksaan: %(message)s", message=rejected.message), "danger")
        upload = StaffImportForm(formdata=None, effective_date=form.effective_date.data)
        return render_page(upload, rejected.plan, status=422)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("admin.staff_import"))
    staff_import_store.discard(current_user, token)
    # Rendered, not redirected: the passwords and their download token are never put in the session.
    download = PasswordsDownloadForm(formdata=None, token=result.kept) if result.kept else None
    page = render_template("admin/staff_import_result.html", result=result, plan=result.plan, shown=SHOWN_CHANGES,
                           download=download, shown_passwords=SHOWN_PASSWORDS)
    return no_store(make_response(page))


@bp.route("/impor-pegawai/kata-sandi-awal", methods=["POST"])
@roles_required(*IMPORTERS)
def staff_import_passwords():
    """The new accounts' initial passwords, once, for the admin who imported them; 404 for anyone else."""
    form = PasswordsDownloadForm()
    content = staff_import_store.take_passwords(current_user, form.token.data) if form.validate_on_submit() else None
    if content is None:
        abort(404)
    return no_store(send_file(io.BytesIO(content), mimetype=XLSX_TYPE, as_attachment=True,
                              download_name=f"kata-sandi-awal-{clock.today():%Y-%m-%d}.xlsx"))


def no_store(response):
    """Keep pages and files with passwords out of the browser's and proxies' caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/impor-pegawai/template.xlsx")
@roles_required(*IMPORTERS)
def staff_import_template():
    return send_file(io.BytesIO(build_workbook(current_user)), mimetype=XLSX_TYPE, as_attachment=True,
                     download_name="templat-impor-pegawai.xlsx", max_age=0)

