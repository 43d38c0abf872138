"""My SKP (list, new, detail with RHK/IKI/lampiran forms, submit, revise) and the appraiser's review of
subordinates' submitted plans."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from kinerja import clock
from kinerja.activities.forms import ActionForm
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import Iki, Rhk, SkpStatus
from kinerja.review.forms import ReasonForm
from kinerja.skp import bp, evaluation, queries, services
from kinerja.skp.forms import ApproveForm, IkiForm, LampiranForm, NewSkpForm, RhkForm
from kinerja.skp.rights import load_own_skp, load_skp_to_decide


def own_employee():
    if current_user.employee is None:
        abort(404)
    return current_user.employee


def refused(error: DomainError, form=None) -> None:
    """A service's refusal: next to the field it names when the form has it, else at the top."""
    db.session.rollback()
    field = getattr(form, error.field, None) if form is not None and error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    flash(error.message, "danger")


def run(action, success: str):
    """A POST button's service call (CSRF checked), with its message."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = action()
    except DomainError as error:
        refused(error)
        return None
    flash(success, "success")
    return result


@bp.route("/")
@login_required
def index():
    employee = own_employee()
    plans = queries.own_plans(employee.id)
    form = NewSkpForm(formdata=None)
    start, end = services.year_period(clock.today())
    form.period_start.data, form.period_end.data = start, end
    form.copy_from.choices += [
        SelectChoice(plan.id, f"{plan.period_start:%d/%m/%Y}–{plan.period_end:%d/%m/%Y} v{plan.version}")
        for plan in plans
    ]
    return render_template("skp/index.html", plans=plans, form=form,
                           waiting=len(queries.waiting_for(current_user, clock.today())))


@bp.route("/baru", methods=["POST"])
@login_required
def create():
    employee = own_employee()
    form = NewSkpForm()
    form.copy_from.choices += [SelectChoice(plan.id, "") for plan in queries.own_plans(employee.id)]
    if not form.validate_on_submit():
        flash(_("Periksa isian periode SKP."), "danger")
        return redirect(url_for("skp.index"))
    source = load_own_skp(current_user, form.copy_from.data) if form.copy_from.data else None
    try:
        skp = services.create_skp(current_user, form.period_start.data, form.period_end.data, copy_from=source)
    except DomainError as error:
        refused(error)
        return redirect(url_for("skp.index"))
    flash(_("Draf SKP dibuat."), "success")
    return redirect(url_for("skp.detail", skp_id=skp.id))


def month_param(skp) -> date:
    """The month of the realisation table: ?bulan=YYYY-MM within the period, else today's or the period's."""
    try:
        month = date.fromisoformat(f"{request.args.get('bulan', '')}-01")
    except ValueError:
        month = clock.today().replace(day=1)
    low, high = skp.period_start.replace(day=1), skp.period_end.replace(day=1)
    return min(max(month, low), high)


def period_months(skp) -> list[date]:
    return [date(skp.year, number, 1) for number in range(skp.period_start.month, skp.period_end.month + 1)]


def rhk_form(skp, parents: list[Rhk] | None = None, **kwargs) -> RhkForm:
    form = RhkForm(**kwargs)
    parents = queries.parent_choices(skp) if parents is None else parents
    form.parent_rhk_id.choices += [SelectChoice(rhk.id, rhk.text) for rhk in parents]
    return form


def rhk_prefix(rhk: Rhk) -> str:
    return f"rhk-{rhk.id}"


def iki_prefix(iki: Iki) -> str:
    return f"iki-{iki.id}"


def new_iki_prefix(rhk: Rhk) -> str:
    return f"rhk-{rhk.id}-iki"


def inline_forms(skp, parents: list[Rhk], submitted: dict | None = None) -> dict:
    """The forms inside each RHK card of an editable plan, keyed by their prefix (which keeps their field ids
    apart): change the RHK, add an IKI, change each IKI. A form just submitted with errors replaces its own."""
    if not skp.status.editable:
        return {}
    forms = {}
    for rhk in skp.rhk:
        forms[rhk_prefix(rhk)] = rhk_form(skp, parents, formdata=None, prefix=rhk_prefix(rhk),
                                          kind=rhk.kind.value, text=rhk.text, parent_rhk_id=rhk.parent_rhk_id or 0)
        forms[new_iki_prefix(rhk)] = IkiForm(formdata=None, prefix=new_iki_prefix(rhk))
        for iki in rhk.indicators:
            forms[iki_prefix(iki)] = IkiForm(formdata=None, prefix=iki_prefix(iki), text=iki.text,
                                             target_value=iki.target_value, unit=iki.unit, aspect=iki.aspect.value)
    forms.update(submitted or {})
    return forms


def render_detail(skp, rhk_form_=None, submitted=None, lampiran=None):
    month = month_param(skp)
    periode = request.args.get("periode") or f"{month.year}-Q{(month.month - 1) // 3 + 1}"
    parent_source = queries.appraiser_skp(skp) if skp.appraiser_id else None
    parents = list(parent_source.rhk) if parent_source is not None else []
    return render_template(
        "skp/detail.html", skp=skp, versions=queries.versions(skp), month=month, months=period_months(skp),
        evaluation=evaluation.evaluation_of(skp.id, month.year, month.month),
        rollup=evaluation.rollup(skp, periode) if skp.status is SkpStatus.APPROVED else None,
        realisation=queries.realisation(skp.employee_id, month.year, month.month),
        parent_source=parent_source, rhk_form=rhk_form_ or rhk_form(skp, parents, formdata=None),
        forms=inline_forms(skp, parents, submitted),
        opened=set(submitted or {}),
        lampiran_form=lampiran or LampiranForm(formdata=None, obj=skp), action_form=ActionForm(),
        stand_in_approver=queries.stand_in_approver(skp),
    )


@bp.route("/<int:skp_id>")
@login_required
def detail(skp_id: int):
    load_own_skp(current_user, skp_id)
    return render_detail(queries.load_plan(skp_id))


@bp.route("/<int:skp_id>/rhk", methods=["POST"])
@login_required
def add_rhk(skp_id: int):
    skp = load_own_skp(current_user, skp_id)
    form = rhk_form(skp)
    if form.validate_on_submit():
        try:
            services.add_rhk(current_user, skp, form.to_input())
        except DomainError as error:
            refused(error, form)
        else:
            flash(_("RHK ditambahkan."), "success")
            return redirect(url_for("skp.detail", skp_id=skp.id, _anchor="rhk"))
    return render_detail(queries.load_plan(skp_id), rhk_form_=form), 422


def own_rhk(rhk_id: int) -> Rhk:
    rhk = db.session.get(Rhk, rhk_id)
    if rhk is None:
        abort(404)
    load_own_skp(current_user, rhk.skp_id)
    return rhk


@bp.route("/rhk/<int:rhk_id>/ubah", methods=["POST"])
@login_required
def edit_rhk(rhk_id: int):
    rhk = own_rhk(rhk_id)
    skp = rhk.skp
    form = rhk_form(skp, prefix=rhk_prefix(rhk))
    if form.validate_on_submit():
        try:
            services.update_rhk(current_user, rhk, form.to_input())
        except DomainError as error:
            refused(error, form)
        else:
            flash(_("RHK diubah."), "success")
            return redirect(url_for("skp.detail", skp_id=skp.id, _anchor=f"rhk-{rhk.id}"))
    return render_detail(queries.load_plan(skp.id), submitted={rhk_prefix(rhk): form}), 422


@bp.route("/rhk/<int:rhk_id>/geser/<any(naik, turun):direction>", methods=["POST"])
@login_required
def move_rhk(rhk_id: int, direction: str):
    rhk = own_rhk(rhk_id)
    skp_id = rhk.skp_id
    run(lambda: services.move_rhk(current_user, rhk, -1 if direction == "naik" else 1), _("Urutan RHK diubah."))
    return redirect(url_for("skp.detail", skp_id=skp_id, _anchor=f"rhk-{rhk_id}"))


@bp.route("/rhk/<int:rhk_id>/hapus", methods=["POST"])
@login_required
def delete_rhk(rhk_id: int):
    rhk = own_rhk(rhk_id)
    skp_id = rhk.skp_id
    run(lambda: services.delete_rhk(current_user, rhk), _("RHK dihapus."))
    return redirect(url_for("skp.detail", skp_id=skp_id, _anchor="rhk"))


@bp.route("/rhk/<int:rhk_id>/iki", methods=["POST"])
@login_required
def add_iki(rhk_id: int):
    rhk = own_rhk(rhk_id)
    form = IkiForm(prefix=new_iki_prefix(rhk))
    if form.validate_on_submit():
        try:
            services.add_iki(current_user, rhk, form.to_input())
        except DomainError as error:
            refused(error, form)
        else:
            flash(_("Indikator ditambahkan."), "success")
            return redirect(url_for("skp.detail", skp_id=rhk.skp_id, _anchor=f"rhk-{rhk.id}"))
    return render_detail(queries.load_plan(rhk.skp_id), submitted={new_iki_prefix(rhk): form}), 422


def own_iki(iki_id: int) -> Iki:
    iki = db.session.get(Iki, iki_id)
    if iki is None:
        abort(404)
    own_rhk(iki.rhk_id)
    return iki


@bp.route("/iki/<int:iki_id>/ubah", methods=["POST"])
@login_required
def edit_iki(iki_id: int):
    iki = own_iki(iki_id)
    skp_id = iki.rhk.skp_id
    form = IkiForm(prefix=iki_prefix(iki))
    if form.validate_on_submit():
        try:
            services.update_iki(current_user, iki, form.to_input())
        except DomainError as error:
            refused(error, form)
        else:
            flash(_("Indikator diubah."), "success")
            return redirect(url_for("skp.detail", skp_id=skp_id, _anchor=f"rhk-{iki.rhk_id}"))
    return render_detail(queries.load_plan(skp_id), submitted={iki_prefix(iki): form}), 422


@bp.route("/iki/<int:iki_id>/hapus", methods=["POST"])
@login_required
def delete_iki(iki_id: int):
    iki = own_iki(iki_id)
    skp_id = iki.rhk.skp_id
    run(lambda: services.delete_iki(current_user, iki), _("Indikator dihapus."))
    return redirect(url_for("skp.detail", skp_id=skp_id, _anchor="rhk"))


@bp.route("/<int:skp_id>/lampiran", methods=["POST"])
@login_required
def save_lampiran(skp_id: int):
    skp = load_own_skp(current_user, skp_id)
    form = LampiranForm()
    if form.validate_on_submit():
        try:
            services.save_lampiran(current_user, skp, form.to_input())
        except DomainError as error:
            refused(error, form)
        else:
            flash(_("Lampiran disimpan."), "success")
            return redirect(url_for("skp.detail", skp_id=skp.id, _anchor="lampiran"))
    return render_detail(queries.load_plan(skp_id), lampiran=form), 422


@bp.route("/<int:skp_id>/ajukan", methods=["POST"])
@login_required
def submit(skp_id: int):
    skp = load_own_skp(current_user, skp_id)
    run(lambda: services.submit_skp(current_user, skp), _("SKP diajukan ke pejabat penilai."))
    return redirect(url_for("skp.detail", skp_id=skp_id))


@bp.route("/<int:skp_id>/revisi", methods=["POST"])
@login_required
def revise(skp_id: int):
    skp = load_own_skp(current_user, skp_id)
    revision = run(lambda: services.revise_skp(current_user, skp),
                   _("Versi baru SKP dibuat sebagai draf; versi yang disetujui tetap berlaku sampai revisi "
                     "disetujui."))
    return redirect(url_for("skp.detail", skp_id=revision.id if revision else skp_id))


# --- The appraiser --------------------------------------------------------------------------------------------


@bp.route("/periksa")
@login_required
def inbox():
    today = clock.today()
    return render_template("skp/inbox.html", plans=queries.waiting_for(current_user, today),
                           evaluable=evaluation.evaluable_subordinates(current_user, today),
                           this_month=today.replace(day=1),
                           last_month=(today.replace(day=1) - timedelta(days=1)).replace(day=1))


def render_review(skp, decider, approve_form=None, reason_form=None):
    if approve_form is None:
        approve_form = ApproveForm(formdata=None)
        for item in skp.behaviours:
            getattr(approve_form, f"expectation_{item.value.value}").data = item.expectation
    return render_template("skp/review.html", skp=skp, decider=decider, approve_form=approve_form,
                           reason_form=reason_form or ReasonForm(formdata=None), submitted=SkpStatus.SUBMITTED,
                           stand_in_approver=queries.stand_in_approver(skp))


@bp.route("/periksa/<int:skp_id>")
@login_required
def review(skp_id: int):
    _skp, decider = load_skp_to_decide(current_user, skp_id, clock.today())
    return render_review(queries.load_plan(skp_id), decider)


@bp.route("/periksa/<int:skp_id>/setujui", methods=["POST"])
@login_required
def approve(skp_id: int):
    skp, decider = load_skp_to_decide(current_user, skp_id, clock.today())
    form = ApproveForm()
    if form.validate_on_submit():
        try:
            services.approve_skp(current_user, skp, clock.today(), form.expectations())
        except DomainError as error:
            refused(error)
        else:
            flash(_("SKP disetujui."), "success")
            return redirect(url_for("skp.inbox"))
    return render_review(queries.load_plan(skp_id), decider, approve_form=form), 422


@bp.route("/periksa/<int:skp_id>/kembalikan", methods=["POST"])
@login_required
def return_(skp_id: int):
    skp, decider = load_skp_to_decide(current_user, skp_id, clock.today())
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            services.return_skp(current_user, skp, form.reason.data, clock.today())
        except DomainError as error:
            refused(error, form)
        else:
            flash(_("SKP dikembalikan untuk diperbaiki."), "success")
            return redirect(url_for("skp.inbox"))
    return render_review(queries.load_plan(skp_id), decider, reason_form=form), 422
