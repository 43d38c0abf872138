"""Inbox, a subordinate's month, decisions, guarded bulk approval, and an item's thread and history."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kinerja import clock
from kinerja.activities.forms import ActionForm
from kinerja.attendance.corrections import pending_count
from kinerja.auth.services import safe_next_url
from kinerja.core import signatory
from kinerja.core.assignments import assignment_on
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import Activity, ActivityStatus
from kinerja.permissions import load_employee, may_see_month
from kinerja.review import bp, queries, services
from kinerja.review.flags import Flag
from kinerja.review.forms import CommentForm, ReasonForm
from kinerja.review.rights import load_reviewable_employee, reviewable
from kinerja.workcalendar import month_days


def int_list(name: str) -> list[int]:
    return [int(value) for value in request.form.getlist(name) if value.isdigit()]


def back(default: str) -> str:
    return safe_next_url(request.form.get("next")) or default


@bp.route("/")
@login_required
def inbox():
    """Everyone the user reviews, those with the most waiting items first (then the oldest), a page at a time (a
    head's team may be a hundred people); the select-all box covers everyone waiting, on every page."""
    rows = queries.InboxPagination(user=current_user, today=clock.today(), page=request.args.get("page", 1, type=int),
                                   per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("review/inbox.html", rows=rows, waiting_people=rows.waiting_people,
                           action_form=ActionForm(), corrections_waiting=pending_count(current_user))


@bp.route("/pegawai/<int:employee_id>")
@bp.route("/pegawai/<int:employee_id>/<month:month>")
@login_required
def employee(employee_id: int, month: date | None = None):
    """A subordinate's month: waiting items by default, newest day first; tabs for the returned, the approved and
    all; paginated."""
    person = load_reviewable_employee(current_user, employee_id)
    month = month or clock.today().replace(day=1)
    tab = request.args.get("tampil", "menunggu")
    if tab not in queries.MONTH_TABS:
        tab = "menunggu"
    days, pages = queries.employee_month_page(current_user, person.id, month, clock.today(), tab,
                                              request.args.get("page", 1, type=int), current_app.config["PER_PAGE"])
    ids = [item.activity.id for day in days for item in day.items]
    return render_template(
        "review/employee.html", person=person, month=month, days=days, pages=pages, tab=tab,
        counts=queries.employee_month_counts(current_user, person.id, month, clock.today()),
        comments=queries.comment_counts(ids),
        monthly=queries.monthly_items(current_user, person.id, month, clock.today()),
        reason_form=ReasonForm(), action_form=ActionForm(), flag_labels={flag: flag.label for flag in Flag},
        today=clock.today(), assignment=assignment_on(person.id, clock.today(), details=True),
        stand_ins=queries.stand_in_decisions(item.activity for day in days for item in day.items),
        report_allowed=may_see_month(current_user, person.id, month, clock.today()),
    )


def report(result: services.DecisionResult, approve: bool) -> None:
    if result.decided:
        flash((_("%(n)d kegiatan disetujui.", n=len(result.decided)) if approve
               else _("%(n)d kegiatan dikembalikan.", n=len(result.decided))), "success")
    if result.flagged:
        flash(_("%(n)d kegiatan bertanda tidak ikut disetujui; periksa dan centang satu per satu bila sesuai.",
                n=len(result.flagged)), "warning")
    if result.already_decided:
        flash(_("%(n)d kegiatan sudah diputuskan orang lain lebih dulu; keputusan itu yang berlaku.",
                n=len(result.already_decided)), "warning")
    if result.locked:
        flash(_("%(n)d kegiatan berada di bulan yang sudah ditutup untuk pemeriksaan.", n=len(result.locked)),
              "danger")
    if not (result.decided or result.flagged or result.already_decided or result.locked):
        flash(_("Tidak ada kegiatan yang menunggu untuk diputuskan."), "info")


@bp.route("/kegiatan/<int:activity_id>/setujui", methods=["POST"])
@login_required
def approve_one(activity_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    item = db.session.execute(reviewable(current_user, clock.today()).where(Activity.id == activity_id)).first()
    if item is None:
        abort(404)
    report(services.decide(current_user, [activity_id], approve=True, today=clock.today()), True)
    return redirect(back(url_for("review.inbox")))


@bp.route("/kegiatan/<int:activity_id>/kembalikan", methods=["POST"])
@login_required
def return_one(activity_id: int):
    item = db.session.execute(reviewable(current_user, clock.today()).where(Activity.id == activity_id)).first()
    if item is None:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Alasan pengembalian wajib diisi."), "danger")
        return redirect(back(url_for("review.inbox")))
    report(services.decide(current_user, [activity_id], approve=False, reason=form.reason.data,
                           today=clock.today()), False)
    return redirect(back(url_for("review.inbox")))


def preview_scope() -> dict:
    """Which waiting items the preview covers: all of them (the inbox's select-all), a person's day or month,
    some people, or chosen items."""
    if request.form.get("all_waiting") == "1":
        return {}
    if request.form.get("employee_id", "").isdigit():
        scope: dict = {"employee_ids": [int(request.form["employee_id"])]}
        period = request.form.get("day") or request.form.get("month")
        if period:
            try:
                first = date.fromisoformat(period if len(period) == 10 else f"{period}-01")
            except ValueError:
                abort(400)
            scope["start"], scope["end"] = (first, first) if len(period) == 10 else month_days(first.year,
                                                                                                first.month)
        return scope
    if int_list("employee_ids"):
        return {"employee_ids": int_list("employee_ids")}
    return {"ids": int_list("ids")}


@bp.route("/pratinjau", methods=["POST"])
@login_required
def preview():
    """What a bulk approval would cover: how many items, which are flagged (left out unless ticked), which lie in
    a month closed for review (left out)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    today = clock.today()
    found = queries.candidates(current_user, today, **preview_scope())
    locked = services.locked_ids(((item.activity, item.agency_id) for item in found), today)
    items = [item for item in found if item.activity.id not in locked]
    flagged = [item for item in items if item.flags]
    return render_template("review/preview.html", items=items, action_form=ActionForm(),
                           clean=[item for item in items if not item.flags], flagged=flagged, locked=len(locked),
                           flag_kinds=sorted({flag for item in flagged for flag in item.flags}),
                           next_url=back(url_for("review.inbox")))


@bp.route("/setujui-massal", methods=["POST"])
@login_required
def bulk_approve():
    if not ActionForm().validate_on_submit():
        abort(400)
    result = services.decide(current_user, int_list("ids"), approve=True, today=clock.today(),
                             flagged_ok=int_list("flagged_ok"))
    report(result, True)
    return redirect(back(url_for("review.inbox")))


def visible_activity(activity_id: int) -> Activity:
    """An activity the user may open: their own, one they review, or in their admin scope; else 404."""
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        abort(404)
    if activity.employee_id != current_user.employee_id:
        reviewable_now = db.session.execute(
            reviewable(current_user, clock.today()).where(Activity.id == activity_id)
        ).first()
        if reviewable_now is None:
            load_employee(current_user, activity.employee_id)
    return activity


@bp.route("/kegiatan/<int:activity_id>", methods=["GET", "POST"])
@login_required
def activity(activity_id: int):
    item = visible_activity(activity_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            services.add_comment(current_user, item, form.body.data)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(_("Komentar terkirim."), "success")
            return redirect(url_for("review.activity", activity_id=item.id, _anchor="percakapan"))
    assignment_agency = db.session.execute(
        reviewable(current_user, clock.today()).where(Activity.id == item.id)
    ).first()
    owner_assignment = assignment_on(item.employee_id, item.activity_date)
    history = queries.history(item.id)
    return render_template(
        "review/activity.html", activity=item, thread=queries.thread(item.id), history=history,
        actors=signatory.entry_names(history), form=form, reason_form=ReasonForm(formdata=None),
        action_form=ActionForm(),
        can_decide=assignment_agency is not None and item.status is ActivityStatus.SUBMITTED,
        can_reopen=owner_assignment is not None and item.status is ActivityStatus.APPROVED
        and services.can_reopen(current_user, owner_assignment.agency_id),
    )


@bp.route("/kegiatan/<int:activity_id>/buka-kembali", methods=["POST"])
@login_required
def reopen(activity_id: int):
    item = visible_activity(activity_id)
    assignment = assignment_on(item.employee_id, item.activity_date)
    if assignment is None or not services.can_reopen(current_user, assignment.agency_id):
        abort(404)
    form = ReasonForm()
    try:
        services.reopen(current_user, item, assignment.agency_id, form.reason.data or "")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(_("Kegiatan dibuka kembali; pemiliknya dapat memperbaikinya."), "success")
    return redirect(url_for("review.activity", activity_id=item.id))


@bp.route("/bulanan/<month:month>/<int:item_id>", methods=["POST"])
@login_required
def decide_monthly(month: date, item_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    approve = request.form.get("decision") == "approve"
    try:
        decided = services.decide_monthly(current_user, month, item_id, approve=approve,
                                          text=request.form.get("text", ""), today=clock.today())
    except DomainError as error:
        db.session.rollback()
        if error.code == "not_allowed":
            abort(404)
        flash(error.message, "danger")
    else:
        if decided:
            flash(_("Kegiatan bulanan disetujui.") if approve else _("Kegiatan bulanan dikembalikan."), "success")
        else:
            flash(_("Kegiatan bulanan ini sudah diputuskan lebih dulu; keputusan itu yang berlaku."), "warning")
    return redirect(back(url_for("review.inbox")))
