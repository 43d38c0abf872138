"""Signing pages: BKD's signing setup, the signing of an employee's monthly report and its signed versions.

Who sees a report's signing page: whoever may see the report (kinerja.permissions.may_see_month); anything else
is a 404. Who signs: the appraiser of the month (or their Plh/Plt) or the Kepala OPD (services.may_sign).
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from kinerja import clock
from kinerja.core.forms import show_error
from kinerja.errors import DomainError
from kinerja.extensions import db, limiter
from kinerja.models import Employee, ReportDocument, SignedDocument
from kinerja.permissions import GLOBAL_ROLES, may_see_month, roles_required
from kinerja.reports import documents, store
from kinerja.signatures import bp, services, setup
from kinerja.signatures.forms import SetupForm, SignForm


@bp.route("/pengaturan", methods=["GET", "POST"])
@roles_required(*GLOBAL_ROLES)
def configure():
    current = setup.current_setup()
    form = SetupForm(obj=current)
    if form.validate_on_submit():
        try:
            setup.save_setup(current_user, setup.SetupInput(
                form.mode.data, form.pkcs12_path.data or "", form.trust_roots_path.data or "",
                form.bsre_base_url.data or "", form.bsre_client_id_env.data or "",
                form.bsre_client_secret_env.data or "", bool(form.visible.data), form.page.data, form.box_x.data,
                form.box_y.data, form.box_width.data, form.box_height.data))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Pengaturan tanda tangan elektronik disimpan."), "success")
            return redirect(url_for("signatures.configure"))
    elif form.is_submitted():
        flash(_("Periksa isian yang ditandai; tidak ada yang disimpan."), "danger")
    return render_template("signatures/setup.html", form=form)


def visible_document(document_id: int) -> ReportDocument:
    """The stored report, if the user may see it (else 404)."""
    document = db.session.get(ReportDocument, document_id)
    if document is None or not may_see_month(current_user, document.employee_id,
                                             date(document.year, document.month, 1), clock.today()):
        abort(404)
    return document


@bp.route("/laporan/pegawai/<int:employee_id>/<month:month>")
@login_required
def employee_report(employee_id: int, month: date):
    """The current stored PDF of the employee's month (rendered if needed), to sign."""
    if not may_see_month(current_user, employee_id, month, clock.today()):
        abort(404)
    found = documents.employee_document(employee_id, month, clock.today(), store.PDF)
    if found is None:
        abort(404)
    return redirect(url_for("signatures.sign", document_id=found[1].document.id))


@bp.route("/laporan/<int:document_id>", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per minute", methods=["POST"])
def sign(document_id: int):
    document = visible_document(document_id)
    today = clock.today()
    current = setup.current_setup()
    form = SignForm()
    if form.validate_on_submit():
        try:
            signed = services.sign_report(current_user, document, services.SignerInput(
                form.passphrase.data or "", form.nik.data or ""), today)
        except DomainError as error:
            show_error(form, error, fields=("nik", "passphrase"))
        else:
            flash(_("Dokumen ditandatangani secara elektronik (versi %(version)s).", version=signed.version),
                  "success")
            return redirect(url_for("signatures.sign", document_id=document_id))
    form.passphrase.data = None  # never sent back to the browser
    document = db.session.get(ReportDocument, document_id)
    return render_template(
        "signatures/sign.html", form=form, document=document, setup=current,
        employee=db.session.get(Employee, document.employee_id), versions=services.versions(document_id),
        may_sign=services.may_sign(current_user, document, today), period=date(document.year, document.month, 1))


@bp.route("/laporan/<int:document_id>/v<int:version>.pdf")
@login_required
def signed_file(document_id: int, version: int):
    document = visible_document(document_id)
    signed = db.session.scalar(select(SignedDocument).where(
        SignedDocument.report_document_id == document.id, SignedDocument.version == version))
    if signed is None:
        abort(404)
    path = services.signed_path(signed, document)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/pdf", as_attachment=True, max_age=0,
                     download_name=f"Laporan Kinerja {document.year:04d}-{document.month:02d} {document.code} "
                                   f"TTE v{version}.pdf")
