"""Pages of the monthly evaluation (appraiser or Plh) and of the SE MenPANRB 3/2023 distribution check (BKD sets
each agency's organisation predikat; agency admins and heads see their own agency)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kinerja import clock
from kinerja.activities.forms import ActionForm
from kinerja.core import periods
from kinerja.errors import DomainError
from kinerja.models import Agency
from kinerja.models.skp import OrgPredikat, Predikat, Rating
from kinerja.permissions import GLOBAL_ROLES, load_agency, roles_required
from kinerja.skp import bp, evaluation, queries
from kinerja.skp import views as skp_views
from kinerja.skp.forms import evaluation_form


@bp.route("/evaluasi/<int:employee_id>/<month>", methods=["GET", "POST"])
@login_required
def evaluate(employee_id: int, month: str):
    first = periods.parse_month(month)
    if first is None:
        abort(404)
    skp, decider = evaluation.load_to_evaluate(current_user, employee_id, first, clock.today())
    ikis = evaluation.indicators_of(skp)
    saved = evaluation.evaluation_of(skp.id, first.year, first.month)
    if request.method == "POST":
        form = evaluation_form([iki.id for iki in ikis])
        if form.validate_on_submit():
            try:
                evaluation.evaluate(current_user, skp, first, clock.today(), Rating(form.rating_result.data),
                                    Rating(form.rating_behaviour.data),
                                    form.indicator_inputs([iki.id for iki in ikis]))
            except DomainError as error:
                skp_views.refused(error, form)
            else:
                flash(_("Evaluasi bulan ini disimpan."), "success")
                return redirect(url_for("skp.evaluate", employee_id=employee_id, month=month))
        status = 422
    else:
        form = evaluation_form([iki.id for iki in ikis], formdata=None)
        if saved is not None:
            form.rating_result.data = saved.rating_result.value if saved.rating_result else ""
            form.rating_behaviour.data = saved.rating_behaviour.value if saved.rating_behaviour else ""
            for item in saved.indicators:
                if f"adjustment_{item.iki_id}" in form:
                    form[f"adjustment_{item.iki_id}"].data = item.adjustment
                    form[f"note_{item.iki_id}"].data = item.note
                    form[f"feedback_{item.iki_id}"].data = item.feedback
        status = 200
    return render_template(
        "skp/evaluate.html", skp=skp, decider=decider, month=first, form=form, evaluation=saved, ikis=ikis,
        realisation=queries.realisation(skp.employee_id, first.year, first.month),
        evidence=queries.evidence_by_indicator(skp.employee_id, first.year, first.month),
        open=evaluation.month_open(skp, first, clock.today()),
    ), status


def year_param() -> int:
    try:
        year = int(request.args.get("tahun", ""))
    except ValueError:
        return clock.today().year
    return year if 2000 <= year <= 2100 else clock.today().year


@bp.route("/distribusi", methods=["GET", "POST"])
@roles_required(*GLOBAL_ROLES)
def distribution():
    year = year_param()
    agencies = evaluation.all_agencies()
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        choices = {}
        for agency in agencies:
            value = request.form.get(f"predikat_{agency.id}")
            if value is None:
                continue
            try:
                choices[agency.id] = OrgPredikat(value) if value else None
            except ValueError:
                abort(400)
        try:
            evaluation.set_org_predikats(current_user, year, choices)
        except DomainError as error:
            skp_views.refused(error)
        else:
            flash(_("Predikat organisasi disimpan."), "success")
        return redirect(url_for("skp.distribution", tahun=year))
    return render_template("skp/distribution.html", year=year, rows=evaluation.distribution(year, agencies),
                           editable=True, predikats=list(Predikat), org_predikats=list(OrgPredikat),
                           action_form=ActionForm())


@bp.route("/distribusi/<int:agency_id>")
@login_required
def agency_distribution(agency_id: int):
    agency: Agency = load_agency(current_user, agency_id)
    year = year_param()
    return render_template("skp/distribution.html", year=year, rows=evaluation.distribution(year, [agency]),
                           editable=False, agency=agency, predikats=list(Predikat),
                           org_predikats=list(OrgPredikat), action_form=ActionForm())
