"""The monthly activity page (kegiatan bulanan): list and add, edit, delete, refresh the realisation, and submit
or withdraw the month."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from kinerja import clock
from kinerja.activities import bp, queries
from kinerja.activities import monthly as monthly_services
from kinerja.activities.access import load_own_monthly
from kinerja.activities.forms import ActionForm
from kinerja.activities.monthly_forms import MonthlyActivityForm, indicator_choices
from kinerja.activities.views import own_employee
from kinerja.core.forms import show_error
from kinerja.core.output import Outputs, outputs_of, unit_key
from kinerja.core.plans import PlanIndicator, indicators_by_id
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import ActivityStatus, MonthlyActivity


def first_of(item: MonthlyActivity) -> date:
    return date(item.year, item.month, 1)


def unit_choices(outputs: Outputs) -> list[str]:
    """The regency's output units, plus units of this month's approved output missing from that list."""
    names = queries.output_unit_names()
    known = {unit_key(name) for name in names}
    extra = sorted({output.unit for output in outputs.values() if unit_key(output.unit) not in known})
    return names + extra


def output_indicators(outputs: Outputs, indicators: list[PlanIndicator]) -> dict[int, PlanIndicator]:
    """The IKI the month's approved output is linked to, by id, to name them: the month's choices, and any other
    (of an earlier version of the plan) in one query."""
    known = {indicator.id: indicator for indicator in indicators}
    others = {indicator_id for indicator_id, _unit in outputs if indicator_id is not None} - set(known)
    return {**known, **indicators_by_id(others)}


def suggest(form: MonthlyActivityForm, indicators: list[PlanIndicator]) -> None:
    """Fill the add form from a link of the output list: an IKI of the month (?iki=) or a unit (?satuan=)."""
    chosen = next((indicator for indicator in indicators if str(indicator.id) == request.args.get("iki")), None)
    if chosen is not None:
        form.indicator_id.data, form.unit.data = chosen.id, chosen.unit
    elif request.args.get("satuan"):
        form.unit.data = request.args["satuan"][:40]


@bp.route("/bulanan")
@login_required
def this_monthly():
    own_employee()
    return redirect(url_for("activities.monthly", month=clock.today().replace(day=1)))


@bp.route("/bulanan/<month:month>", methods=["GET", "POST"])
@login_required
def monthly(month: date):
    employee = own_employee()
    indicators = monthly_services.month_indicators(employee.id, month)
    form = MonthlyActivityForm()
    form.indicator_id.choices = indicator_choices(indicators)
    if form.validate_on_submit():
        try:
            monthly_services.create_monthly_activity(current_user, month, form.to_input())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Kegiatan bulanan disimpan sebagai draf."), "success")
            return redirect(url_for("activities.monthly", month=month))
    elif request.method == "GET":
        suggest(form, indicators)
    items = monthly_services.month_items(employee.id, month)
    outputs = outputs_of(employee.id, month)
    counts = Counter(item.status for item in items)
    return render_template(
        "activities/monthly.html",
        month=month,
        previous=(month - timedelta(days=1)).replace(day=1),
        following=(month + timedelta(days=32)).replace(day=1),
        items=items,
        current={item.id: monthly_services.current_realisation(outputs, item) for item in items},
        outputs=list(outputs.values()),
        output_indicators=output_indicators(outputs, indicators),
        choosable={indicator.id for indicator in indicators},
        summary=[(status, counts[status]) for status in ActivityStatus if counts[status]],
        can_submit=any(counts[status] for status in monthly_services.EDITABLE),
        can_withdraw=counts[ActivityStatus.SUBMITTED] > 0
        and not any(counts[status] for status in monthly_services.REVIEWED),
        month_open=monthly_services.is_month_open(employee.id, month),
        form=form,
        action_form=ActionForm(),
        units=unit_choices(outputs),
    )


@bp.route("/bulanan/item/<int:item_id>/ubah", methods=["GET", "POST"])
@login_required
def monthly_edit(item_id: int):
    item = load_own_monthly(current_user, item_id)
    first = first_of(item)
    if not item.status.editable:
        flash(_("Kegiatan berstatus %(status)s tidak dapat diubah.", status=item.status.label), "warning")
        return redirect(url_for("activities.monthly", month=first))
    form = MonthlyActivityForm(obj=item)
    if form.indicator_id.data is None:
        form.indicator_id.data = 0  # "no indicator", which an item without an IKI keeps when the field is hidden
    indicators = monthly_services.month_indicators(item.employee_id, first)
    form.indicator_id.choices = indicator_choices(indicators, indicators_by_id([item.indicator_id]).get(
        item.indicator_id))
    if form.validate_on_submit():
        try:
            monthly_services.update_monthly_activity(current_user, item, form.to_input())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Perubahan disimpan."), "success")
            return redirect(url_for("activities.monthly", month=first))
    outputs = outputs_of(item.employee_id, first)
    return render_template(
        "activities/monthly_edit.html",
        item=item,
        month=first,
        form=form,
        outputs=list(outputs.values()),
        output_indicators=output_indicators(outputs, indicators),
        current=monthly_services.current_realisation(outputs, item),
        month_open=monthly_services.is_month_open(item.employee_id, first),
        units=unit_choices(outputs),
    )


def month_action(month: date, action) -> object:
    """Run a POST button's service call (returning its flash) and go back to the month."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        message, category = action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(message, category)
    return redirect(url_for("activities.monthly", month=month))


@bp.route("/bulanan/item/<int:item_id>/hapus", methods=["POST"])
@login_required
def monthly_delete(item_id: int):
    item = load_own_monthly(current_user, item_id)
    first = first_of(item)

    def delete():
        monthly_services.delete_monthly_activity(current_user, item)
        return _("Kegiatan bulanan dihapus."), "success"

    return month_action(first, delete)


@bp.route("/bulanan/<month:month>/ajukan", methods=["POST"])
@login_required
def monthly_submit(month: date):
    own_employee()

    def submit():
        count = monthly_services.submit_month(current_user, month)
        return ngettext("%(num)d kegiatan bulanan diajukan ke atasan.",
                        "%(num)d kegiatan bulanan diajukan ke atasan.", count), "success"

    return month_action(month, submit)


@bp.route("/bulanan/<month:month>/tarik", methods=["POST"])
@login_required
def monthly_withdraw(month: date):
    own_employee()

    def withdraw():
        count = monthly_services.withdraw_month(current_user, month)
        return ngettext("Pengajuan ditarik; %(num)d kegiatan bulanan kembali menjadi draf.",
                        "Pengajuan ditarik; %(num)d kegiatan bulanan kembali menjadi draf.", count), "success"

    return month_action(month, withdraw)


@bp.route("/bulanan/<month:month>/perbarui", methods=["POST"])
@login_required
def monthly_refresh(month: date):
    own_employee()

    def refresh():
        count = monthly_services.refresh_realisation(current_user, month)
        if not count:
            return _("Realisasi sudah sesuai dengan kegiatan harian yang disetujui."), "info"
        return ngettext("Realisasi %(num)d kegiatan bulanan diperbarui.",
                        "Realisasi %(num)d kegiatan bulanan diperbarui.", count), "success"

    return month_action(month, refresh)
