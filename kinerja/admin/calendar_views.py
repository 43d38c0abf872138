"""The holiday calendar page: BKD adds regional holidays and corrects the national list; agency admins read it."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kinerja import clock
from kinerja.activities.forms import ActionForm
from kinerja.admin import bp, calendar
from kinerja.admin.master_data import ADMIN_ROLES
from kinerja.admin.settings_forms import CancelHolidayForm, HolidayForm, RenameHolidayForm
from kinerja.core.forms import show_error
from kinerja.errors import DomainError
from kinerja.i18n import format_date
from kinerja.permissions import GLOBAL_ROLES, is_global_admin, roles_required


def chosen_year() -> int:
    year = request.args.get("tahun", type=int)
    if year is None or not calendar.FIRST_YEAR <= year <= calendar.LAST_YEAR:
        return clock.today().year
    return year


def back_to(day: date):
    return redirect(url_for("admin.calendar", tahun=day.year, _anchor=f"hari-{day.isoformat()}"))


def render_calendar(year: int, form: HolidayForm | None = None):
    rows = calendar.year_calendar(year)
    return render_template("admin/calendar.html", year=year, rows=rows, days_off=calendar.weekday_days_off(rows),
                           form=form or HolidayForm(formdata=None), action_form=ActionForm(),
                           can_edit=is_global_admin(current_user))


@bp.route("/kalender", endpoint="calendar")
@roles_required(*ADMIN_ROLES)
def calendar_page():
    return render_calendar(chosen_year())


@bp.route("/kalender/tambah", methods=["POST"])
@roles_required(*GLOBAL_ROLES)
def calendar_add():
    form = HolidayForm()
    if form.validate_on_submit():
        try:
            entry = calendar.add_regional_holiday(current_user, form.day.data, form.name.data or "")
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Libur daerah %(name)s pada %(date)s ditambahkan; hari itu bukan hari kerja lagi.",
                    name=entry.name, date=format_date(entry.day, "EEEE, d MMMM y")), "success")
            return back_to(entry.day)
    year = form.day.data.year if form.day.data else chosen_year()
    return render_calendar(year, form)


@bp.route("/kalender/<day:day>/batalkan", methods=["POST"])
@roles_required(*GLOBAL_ROLES)
def calendar_cancel(day: date):
    form = CancelHolidayForm()
    if not form.validate_on_submit():
        flash(form.reason.errors[0] if form.reason.errors else _("Permintaan tidak sah."), "danger")
        return back_to(day)
    try:
        entry = calendar.cancel_listed_holiday(current_user, day, form.reason.data or "")
    except DomainError as error:
        show_error(None, error)
    else:
        flash(_("%(name)s pada %(date)s dibatalkan; hari itu menjadi hari kerja.", name=entry.name,
                date=format_date(day, "d MMMM y")), "success")
    return back_to(day)


@bp.route("/kalender/<day:day>/ganti-nama", methods=["POST"])
@roles_required(*GLOBAL_ROLES)
def calendar_rename(day: date):
    form = RenameHolidayForm()
    if not form.validate_on_submit():
        flash(form.name.errors[0] if form.name.errors else _("Permintaan tidak sah."), "danger")
        return back_to(day)
    try:
        calendar.rename_holiday(current_user, day, form.name.data or "")
    except DomainError as error:
        show_error(None, error)
    else:
        flash(_("Nama hari libur %(date)s disimpan.", date=format_date(day, "d MMMM y")), "success")
    return back_to(day)


@bp.route("/kalender/<day:day>/hapus", methods=["POST"])
@roles_required(*GLOBAL_ROLES)
def calendar_remove(day: date):
    entry = calendar.entry_on(day)
    if entry is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = entry.name
    try:
        action = calendar.remove_entry(current_user, entry)
    except DomainError as error:
        show_error(None, error)
    else:
        if action == "restore_holiday":
            flash(_("Hari libur nasional pada %(date)s dipulihkan.", date=format_date(day, "d MMMM y")), "success")
        else:
            flash(_("Libur daerah %(name)s pada %(date)s dihapus.", name=name, date=format_date(day, "d MMMM y")),
                  "success")
    return back_to(day)
