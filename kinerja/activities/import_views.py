"""Bulk import of activities from Excel: the page with the upload form and the template download."""

from __future__ import annotations

import io

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from kinerja.activities import bp, import_template, importer
from kinerja.activities.views import own_employee
from kinerja.core.forms import show_error
from kinerja.errors import DomainError
from kinerja.extensions import db

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(FlaskForm):
    file = FileField(_l("Berkas Excel (.xlsx)"),
                     validators=[FileRequired(message=_l("Pilih berkas .xlsx yang akan diimpor."))],
                     render_kw={"accept": f".xlsx,{XLSX_TYPE}"})


@bp.route("/impor", methods=["GET", "POST"])
@login_required
def import_activities():
    own_employee()
    form = ImportForm()
    errors: list[importer.RowError] = []
    if form.validate_on_submit():
        try:
            count = importer.import_activities(current_user, form.file.data.read(importer.MAX_BYTES + 1))
        except importer.ImportRejected as rejected:
            db.session.rollback()
            errors = rejected.errors
            form.file.errors = [*form.file.errors, rejected.message]
        except DomainError as error:
            show_error(form, error)
        else:
            flash(ngettext("%(num)d kegiatan diimpor sebagai draf.", "%(num)d kegiatan diimpor sebagai draf.", count),
                  "success")
            return redirect(url_for("activities.import_activities"))
    return render_template("activities/import.html", form=form, errors=errors, columns=importer.COLUMNS,
                           max_rows=importer.MAX_ROWS)


@bp.route("/impor/templat.xlsx")
@login_required
def import_template_file():
    content = import_template.template_for(own_employee())
    return send_file(io.BytesIO(content), mimetype=XLSX_TYPE, as_attachment=True,
                     download_name="templat-impor-kegiatan.xlsx", max_age=0)
