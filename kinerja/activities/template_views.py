"""Personal activity templates: the page to keep and delete them, making one from an activity, and applying
one to a day."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from kinerja.activities import bp, queries, template_queries, templates_service
from kinerja.activities.forms import ActionForm, OutputFieldsForm
from kinerja.activities.views import own_employee, run_action
from kinerja.core.forms import show_error
from kinerja.errors import DomainError
from kinerja.models import ActivityCategory, WorkMode
from kinerja.permissions import load_own_activity


class TemplateForm(OutputFieldsForm):
    description = TextAreaField(
        _l("Uraian kegiatan"),
        validators=[DataRequired(message=_l("Uraian kegiatan wajib diisi.")), Length(max=2000)],
        render_kw={"rows": 2, "maxlength": 2000},
    )
    duration_minutes = IntegerField(
        _l("Durasi (menit)"), default=60,
        validators=[InputRequired(message=_l("Isi durasi dalam menit.")),
                    NumberRange(min=1, max=24 * 60, message=_l("Durasi harus lebih dari 0 menit."))],
        render_kw={"inputmode": "numeric", "min": 1, "step": 5},
    )

    def to_input(self) -> templates_service.TemplateInput:
        return templates_service.TemplateInput(
            description=self.description.data or "", duration_minutes=self.duration_minutes.data,
            quantity=self.quantity.data, unit=self.unit.data or "", work_mode=WorkMode(self.work_mode.data),
            category=ActivityCategory(self.category.data),
        )


@bp.route("/templat", methods=["GET", "POST"])
@login_required
def activity_templates():
    employee = own_employee()
    form = TemplateForm()
    if form.validate_on_submit():
        try:
            templates_service.create_template(current_user, form.to_input())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Templat disimpan."), "success")
            return redirect(url_for("activities.activity_templates"))
    return render_template(
        "activities/templates.html", form=form, templates=template_queries.for_employee(employee.id),
        recent=template_queries.recent_activities(employee.id), units=queries.output_unit_names(),
        action_form=ActionForm(),
    )


@bp.route("/templat/<int:template_id>/hapus", methods=["POST"])
@login_required
def delete_template(template_id: int):
    template = template_queries.load_own_template(current_user, template_id)
    return run_action(lambda: templates_service.delete_template(current_user, template), _("Templat dihapus."),
               url_for("activities.activity_templates"))


@bp.route("/<int:activity_id>/jadikan-templat", methods=["POST"])
@login_required
def template_from_activity(activity_id: int):
    activity = load_own_activity(current_user, activity_id)
    return run_action(lambda: templates_service.template_from_activity(current_user, activity),
               _("Kegiatan disimpan sebagai templat."), url_for("activities.activity_templates"))


@bp.route("/hari/<day:day>/templat/<int:template_id>", methods=["POST"])
@login_required
def apply_template(day: date, template_id: int):
    own_employee()
    template = template_queries.load_own_template(current_user, template_id)
    return run_action(lambda: templates_service.apply_template(current_user, template, day),
               _("Kegiatan dari templat disimpan sebagai draf."), url_for("activities.day", day=day))
