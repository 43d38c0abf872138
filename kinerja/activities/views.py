"""The day page with its quick-add row, editing, and the submit / withdraw / delete / copy actions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kinerja import clock
from kinerja.activities import bp, queries, services, template_queries
from kinerja.activities.forms import ActionForm, ActivityForm, CopyDayForm, EditActivityForm
from kinerja.core.forms import show_error
from kinerja.database import one_step
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.i18n import format_date
from kinerja.models import Activity
from kinerja.permissions import load_own_activity
from kinerja.review import services as review_services
from kinerja.skp.queries import indicator_choices

DEFAULT_START = time(7, 30)


def own_employee():
    """The signed-in user's employee record; administrators without one have no activities."""
    if current_user.employee is None:
        abort(404)
    return current_user.employee


def quick_add_defaults(form: ActivityForm, activities: list[Activity]) -> None:
    """Start where the previous activity ended, one hour long, in the same mode, category and output unit."""
    if request.method != "GET":
        return
    last = max(activities, key=lambda item: item.end_time, default=None)
    start = last.end_time if last else DEFAULT_START
    form.start_time.data = start
    form.end_time.data = (datetime.combine(date.min, start) + timedelta(hours=1)).time() \
        if start < time(23, 0) else time(23, 59)
    if last:
        form.work_mode.data = last.work_mode.value
        form.category.data = last.category.value
        form.assignment_letter.data = last.assignment_letter
        form.unit.data = last.unit


@bp.route("/")
@login_required
def today():
    own_employee()
    return redirect(url_for("activities.day", day=clock.today()))


@bp.route("/<day:day>", methods=["GET", "POST"])
@login_required
def day(day: date):
    employee = own_employee()
    form = ActivityForm()
    form.indicator_id.choices = indicator_choices(employee.id, day)
    if form.validate_on_submit():
        try:
            services.create_activity(current_user, form.to_input(day), form.files.data or [])
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Kegiatan disimpan sebagai draf."), "success")
            return redirect(url_for("activities.day", day=day, _anchor="tambah"))
    activities = queries.day_activities(employee.id, day)
    quick_add_defaults(form, activities)
    closure = services.filing_closure(employee.id, day)
    return render_template(
        "activities/day.html",
        day=day,
        form=form,
        activities=activities,
        closure=closure,
        closed_notice=services.closed_message(closure, day) if closure else None,
        info=queries.day_info(employee.id, day),
        units=queries.output_unit_names(),
        copy_form=CopyDayForm(formdata=None, source=day - timedelta(days=1)),
        today=clock.today(),
        templates=template_queries.for_employee(employee.id),
    )


@bp.route("/<int:activity_id>/ubah", methods=["GET", "POST"])
@login_required
def edit(activity_id: int):
    activity = db.session.scalar(
        select(Activity).where(Activity.id == load_own_activity(current_user, activity_id).id)
        .options(selectinload(Activity.evidence))
    )
    if not activity.status.editable:
        flash(_("Kegiatan berstatus %(status)s tidak dapat diubah.", status=activity.status.label), "warning")
        return redirect(url_for("activities.day", day=activity.activity_date))
    closure = services.filing_closure(activity.employee_id, activity.activity_date)
    if closure is not None:
        flash(services.closed_message(closure, activity.activity_date), "warning")
        return redirect(url_for("activities.day", day=activity.activity_date))
    form = EditActivityForm(obj=activity)
    form.indicator_id.choices = indicator_choices(activity.employee_id,
                                                  form.activity_date.data or activity.activity_date)
    if request.method == "GET":
        form.work_mode.data = activity.work_mode.value
        form.category.data = activity.category.value
    if form.validate_on_submit():
        try:
            services.update_activity(
                current_user, activity, form.to_input(form.activity_date.data), form.files.data or []
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Perubahan disimpan."), "success")
            return redirect(url_for("activities.day", day=activity.activity_date))
    return render_template("activities/edit.html", activity=activity, form=form, action_form=ActionForm(),
                           units=queries.output_unit_names())


def run_action(action, success: str, target: str):
    """Run a POST button's service call (CSRF checked) and redirect to `target` with its message."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(success, "success")
    return redirect(target)


@bp.route("/<int:activity_id>/ajukan", methods=["POST"])
@login_required
def submit_one(activity_id: int):
    activity = load_own_activity(current_user, activity_id)
    answer = request.form.get("answer", "").strip()

    def resubmit() -> None:
        with one_step():  # the answer is saved only with the resubmission
            if answer and activity.status.editable:
                review_services.add_comment(current_user, activity, answer)
            services.submit_activities(current_user, [activity])

    return run_action(resubmit, _("Kegiatan diajukan ke atasan."),
                      url_for("activities.day", day=activity.activity_date))


@bp.route("/hari/<day:day>/ajukan", methods=["POST"])
@login_required
def submit_day(day: date):
    employee = own_employee()
    return submit_many(queries.day_activities(employee.id, day), day,
                       lambda count: ngettext("%(num)d kegiatan diajukan ke atasan.",
                                              "%(num)d kegiatan diajukan ke atasan.", count),
                       _("Tidak ada draf untuk diajukan pada hari ini."))


def submit_many(activities, day: date, done, nothing: str):
    """Submit a day's or a week's drafts; a refusal (a closed month) is shown, never a server error."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        count = services.submit_activities(current_user, activities)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(done(count) if count else nothing, "success" if count else "info")
    return redirect(url_for("activities.day", day=day))


@bp.route("/minggu/<day:day>/ajukan", methods=["POST"])
@login_required
def submit_week(day: date):
    employee = own_employee()
    monday = day - timedelta(days=day.weekday())
    return submit_many(queries.activities_between(employee.id, monday, monday + timedelta(days=6)), day,
                       lambda count: ngettext("%(num)d kegiatan minggu ini diajukan.",
                                              "%(num)d kegiatan minggu ini diajukan.", count),
                       _("Tidak ada draf untuk diajukan pada minggu ini."))


@bp.route("/<int:activity_id>/tarik", methods=["POST"])
@login_required
def withdraw(activity_id: int):
    activity = load_own_activity(current_user, activity_id)
    return run_action(lambda: services.withdraw_activity(current_user, activity),
                      _("Pengajuan ditarik; kegiatan kembali menjadi draf."),
                      url_for("activities.day", day=activity.activity_date))


@bp.route("/<int:activity_id>/hapus", methods=["POST"])
@login_required
def delete(activity_id: int):
    activity = load_own_activity(current_user, activity_id)
    day = activity.activity_date
    return run_action(lambda: services.delete_activity(current_user, activity), _("Kegiatan dihapus."),
                      url_for("activities.day", day=day))


@bp.route("/hari/<day:day>/salin", methods=["POST"])
@login_required
def copy_day(day: date):
    own_employee()
    form = CopyDayForm()
    if not form.validate_on_submit():
        flash(_("Pilih tanggal sumber yang akan disalin."), "danger")
        return redirect(url_for("activities.day", day=day))
    try:
        result = services.copy_day(current_user, form.source.data, day)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(_("%(n)d kegiatan disalin dari %(day)s sebagai draf.", n=result.copied,
                day=format_date(form.source.data)), "success" if result.copied else "warning")
        for reason in result.skipped:
            flash(_("Tidak disalin: %(reason)s", reason=reason), "warning")
    return redirect(url_for("activities.day", day=day))
