"""Signing pages: BKD's signing setup, the signing of a stored document (an employee's monthly report, an
agency's TPP daftar nominatif of a locked month, an SKP plan or evaluation) and its signed versions.

Who sees a document's signing page: whoever may see the document (services.may_see); anything else is a 404.
Who signs: services.may_sign (docs/signatures.md).
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
from kinerja.models import Agency, Employee, ReportDocument, SignedDocument
from kinerja.permissions import GLOBAL_ROLES, may_see_month, roles_required
from kinerja.reports import documents, store
from kinerja.signatures import bp, services, setup, subjects
from kinerja.signatures.forms import SetupForm, SignForm
from kinerja.skp.rights import load_skp_to_view


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
    """The stored document, if the user may see it (else 404)."""
    document = db.session.get(ReportDocument, document_id)
    if document is None or not services.may_see(current_user, document, clock.today()):
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


@bp.route("/tpp/<month:first>/opd/<int:agency_id>")
@login_required
def nominative(first: date, agency_id: int):
    """The stored daftar nominatif of the agency's locked month (rendered if needed), to sign."""
    agency = db.session.get(Agency, agency_id)
    if agency is None or not services.may_see_agency_list(current_user, agency.id, clock.today()):
        abort(404)
    document = subjects.nominative_document(agency, first, clock.today(agency.timezone))
    if document is None:
        flash(_("Daftar nominatif ditandatangani setelah TPP bulan ini dikunci oleh BKD."), "warning")
        return redirect(url_for("tpp.agency", first=first, agency_id=agency.id))
    return redirect(url_for("signatures.sign", document_id=document.id))


@bp.route("/skp/<int:skp_id>")
@login_required
def skp_plan(skp_id: int):
    """The stored SKP document of the plan (rendered if needed), to sign."""
    skp = load_skp_to_view(current_user, skp_id, clock.today())
    return redirect(url_for("signatures.sign", document_id=subjects.skp_plan_document(skp).id))


@bp.route("/skp/<int:skp_id>/evaluasi/<periode>")
@login_required
def skp_evaluation(skp_id: int, periode: str):
    """The stored evaluation document of a month, quarter or year of the plan (rendered if needed), to sign."""
    today = clock.today()
    skp = load_skp_to_view(current_user, skp_id, today)
    document = subjects.skp_evaluation_document(skp, periode, today) if len(periode) <= 12 else None
    if document is None:
        abort(404)
    return redirect(url_for("signatures.sign", document_id=document.id))


def page_subject(document: ReportDocument) -> dict:
    """What the signing page shows of the document: its title, whose it is, and where it came from."""
    kind = document.kind
    if kind == store.TPP_NOMINATIVE:
        agency = db.session.get(Agency, document.agency_id)
        first = date(document.year, document.month, 1)
        return {"title": store.KIND_LABELS[kind], "agency": agency, "employee": None,
                "back": url_for("tpp.agency", first=first, agency_id=document.agency_id)}
    employee = db.session.get(Employee, document.employee_id) if document.employee_id else None
    if kind in (store.SKP_PLAN, store.SKP_EVALUATION):
        return {"title": store.KIND_LABELS[kind], "agency": None, "employee": employee, "back": url_for("skp.index")}
    return {"title": _("Laporan kinerja bulanan"), "agency": None, "employee": employee,
            "back": url_for("reports.index")}


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
        "signatures/sign.html", form=form, document=document, setup=current, subject=page_subject(document),
        versions=services.versions(document_id), who_signs=services.who_signs(document),
        may_sign=services.may_sign(current_user, document, today), period=date(document.year, document.month, 1))


@bp.route("/laporan/<int:document_id>/asli.pdf")
@login_required
def unsigned_file(document_id: int):
    """The stored unsigned PDF (what a signature is made on)."""
    document = visible_document(document_id)
    path = store.path_of(document)
    if store.SUFFIX.get(document.kind) != ".pdf" or path is None or not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/pdf", as_attachment=True, max_age=0,
                     download_name=f"{document_name(document)}.pdf")


def document_name(document: ReportDocument) -> str:
    """A file name (without suffix) for the document's downloads."""
    label = {store.TPP_NOMINATIVE: "Daftar nominatif TPP", store.SKP_PLAN: "SKP",
             store.SKP_EVALUATION: "Evaluasi Kinerja"}.get(document.kind, "Laporan Kinerja")
    period = document.period_key if document.period_key and document.period_key != "plan" else (
        f"{document.year:04d}" if document.kind == store.SKP_PLAN else f"{document.year:04d}-{document.month:02d}")
    return f"{label} {period} {document.code}"


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
                     download_name=f"{document_name(document)} TTE v{version}.pdf")
