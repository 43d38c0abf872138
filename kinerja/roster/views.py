"""Pages of WFO caps, essential services and office-duty rosters (agency admins and BKD), and staff's own
schedule. Agencies and rosters outside the user's scope answer 404."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from kinerja import clock
from kinerja.activities.forms import ActionForm
from kinerja.core.forms import show_error
from kinerja.database import LIKE_ESCAPE, contains_pattern
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import Agency, Position, Roster, RosterStatus, Unit, WfoCap
from kinerja.permissions import GLOBAL_ROLES, is_global_admin, roles_required
from kinerja.roster import bp, caps, queries, services
from kinerja.roster.forms import CapForm, CellForm, EndCapForm, EssentialForm, RosterForm

bp.add_app_template_global(caps.can_manage, "can_manage_roster")


def managed_agency(agency_id: int) -> Agency:
    """The agency if the current user administers it or is BKD, else 404."""
    if not caps.can_manage(current_user, agency_id):
        abort(404)
    return db.get_or_404(Agency, agency_id)


def agency_roster(agency: Agency, roster_id: int) -> Roster:
    roster = queries.load_roster(current_user, roster_id)
    if roster.agency_id != agency.id:
        abort(404)
    return roster


def next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "danger")


def saved_essentials(form: EssentialForm, objects: dict[int, Unit | Position], setter) -> int:
    """Apply the ticked boxes to the objects shown; returns how many changed."""
    ticked = set(form.essential.data or ())
    changed = 0
    for object_id in form.shown.data or ():
        item = objects.get(object_id)
        if item is not None and item.essential != (object_id in ticked):
            setter(current_user, item, object_id in ticked)
            changed += 1
    return changed


# --- WFO caps and essential units -----------------------------------------------------------------------------

def render_caps(agency: Agency, form: CapForm, end_form: EndCapForm | None = None):
    today = clock.today(agency.timezone)
    history = caps.agency_caps(agency.id)
    in_force = caps.cap_on(agency.id, today)
    end_form = end_form or EndCapForm(formdata=None, last_day=today)
    return render_template("roster/caps.html", agency=agency, form=form, end_form=end_form, history=history,
                           in_force=in_force, today=today, units=agency.units,
                           essential_form=EssentialForm(formdata=None))


@bp.route("/opd/<int:agency_id>/kuota-wfo", methods=["GET", "POST"])
@login_required
def caps_page(agency_id: int):
    agency = managed_agency(agency_id)
    form = CapForm()
    if request.method == "GET":
        form.valid_from.data = clock.today(agency.timezone)
    if form.validate_on_submit():
        try:
            cap = caps.set_cap(current_user, agency, percent=form.percent.data, valid_from=form.valid_from.data,
                               valid_to=form.valid_to.data, reason_kind=form.kind,
                               reason=(form.reason.data or "").strip())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Batas WFO %(percent)s%% berlaku mulai %(day)s.", percent=cap.percent,
                    day=cap.valid_from.strftime("%d-%m-%Y")), "success")
            return redirect(url_for("roster.caps_page", agency_id=agency.id))
    return render_caps(agency, form)


@bp.route("/opd/<int:agency_id>/kuota-wfo/<int:cap_id>/akhiri", methods=["POST"])
@login_required
def end_cap(agency_id: int, cap_id: int):
    agency = managed_agency(agency_id)
    cap = db.session.get(WfoCap, cap_id)
    if cap is None or cap.agency_id != agency.id:
        abort(404)
    form = EndCapForm()
    if form.validate_on_submit():
        try:
            caps.end_cap(current_user, cap, form.last_day.data)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(_("Batas WFO diakhiri."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("roster.caps_page", agency_id=agency.id))


@bp.route("/opd/<int:agency_id>/unit-esensial", methods=["POST"])
@login_required
def unit_essentials(agency_id: int):
    agency = managed_agency(agency_id)
    form = EssentialForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = saved_essentials(form, {unit.id: unit for unit in agency.units}, caps.set_unit_essential)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(_("Unit layanan esensial disimpan (%(n)s diubah).", n=changed), "success")
    return redirect(url_for("roster.caps_page", agency_id=agency.id) + "#unit-esensial")


@bp.route("/bkd/jabatan-esensial", methods=["GET", "POST"])
@roles_required(*GLOBAL_ROLES)
def positions():
    search = request.values.get("q", "").strip()
    page_number = request.values.get("page", 1, type=int)
    form = EssentialForm()
    if form.validate_on_submit():
        shown = db.session.scalars(select(Position).where(Position.id.in_(form.shown.data or [])))
        try:
            changed = saved_essentials(form, {item.id: item for item in shown}, caps.set_position_essential)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(_("Jabatan esensial disimpan (%(n)s diubah).", n=changed), "success")
        return redirect(url_for("roster.positions", q=search or None, page=page_number))
    query = select(Position).order_by(Position.name)
    if search:
        query = query.where(Position.name.ilike(contains_pattern(search), escape=LIKE_ESCAPE))
    page = db.paginate(query, page=page_number, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("roster/positions.html", page=page, search=search, form=EssentialForm(formdata=None))


# --- Rosters --------------------------------------------------------------------------------------------------

@bp.route("/opd/<int:agency_id>/jadwal", methods=["GET", "POST"])
@login_required
def rosters(agency_id: int):
    agency = managed_agency(agency_id)
    today = clock.today(agency.timezone)
    form = RosterForm()
    if request.method == "GET":
        form.start_date.data = next_monday(today)
        form.end_date.data = form.start_date.data + timedelta(days=11)
    if form.validate_on_submit():
        try:
            roster = services.generate_roster(current_user, agency, form.start_date.data, form.end_date.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Jadwal piket dibuat sebagai draf. Periksa, ubah bila perlu, lalu terbitkan."), "success")
            return redirect(url_for("roster.grid", agency_id=agency.id, roster_id=roster.id))
    items = queries.agency_rosters(agency.id)
    page_number = request.args.get("page", 1, type=int)
    per_page = current_app.config["PER_PAGE"]
    page_items = items[(page_number - 1) * per_page:page_number * per_page]
    return render_template("roster/list.html", agency=agency, form=form, rosters=page_items,
                           page_number=page_number, has_next=len(items) > page_number * per_page,
                           in_force=caps.cap_on(agency.id, today), today=today)


def chosen_day(days: list[date], today: date) -> date | None:
    """The day the phone view shows: ?hari=, else today if in the roster, else its first day."""
    try:
        wanted = date.fromisoformat(request.args.get("hari", ""))
    except ValueError:
        wanted = today
    if wanted in days:
        return wanted
    return next((day for day in days if day >= today), days[0] if days else None)


def render_grid(agency: Agency, roster: Roster, override: CellForm | None = None, override_message: str = ""):
    today = clock.today(agency.timezone)
    data = queries.roster_grid(roster)
    shown = override.parsed() if override is not None else None
    day = shown[1] if shown and shown[1] in data.days else chosen_day(data.days, today)
    return render_template("roster/grid.html", agency=agency, roster=roster, grid=data, today=today, day=day,
                           cell_form=CellForm(formdata=None), action_form=ActionForm(formdata=None),
                           draft=roster.status is RosterStatus.DRAFT, override_form=override,
                           override_message=override_message,
                           override_name=queries.employee_name(shown[0]) if shown else "",
                           global_admin=is_global_admin(current_user))


@bp.route("/opd/<int:agency_id>/jadwal/<int:roster_id>")
@login_required
def grid(agency_id: int, roster_id: int):
    agency = managed_agency(agency_id)
    return render_grid(agency, agency_roster(agency, roster_id))


@bp.route("/opd/<int:agency_id>/jadwal/<int:roster_id>/sel", methods=["POST"])
@login_required
def toggle_cell(agency_id: int, roster_id: int):
    agency = managed_agency(agency_id)
    roster = agency_roster(agency, roster_id)
    form = CellForm()
    parsed = form.parsed() if form.validate_on_submit() else None
    if parsed is None:
        abort(400)
    employee_id, day, mode = parsed
    try:
        services.set_entry(current_user, roster, employee_id, day, mode, override_reason=form.reason)
    except DomainError as error:
        db.session.rollback()
        if error.field in ("override", "override_reason"):  # over the cap: ask for the override and its reason
            return render_grid(agency, roster, form, error.message), 422
        flash(error.message, "danger")
    else:
        flash(_("Jadwal %(day)s diubah menjadi %(mode)s.", day=day.strftime("%d-%m-%Y"), mode=mode.value),
              "success")
    return redirect(url_for("roster.grid", agency_id=agency.id, roster_id=roster.id, hari=day.isoformat())
                    + f"#pegawai-{employee_id}")


def roster_action(agency_id: int, roster_id: int, action, message: str, to_list: bool = False):
    agency = managed_agency(agency_id)
    roster = agency_roster(agency, roster_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = action(current_user, roster)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(message % {"n": result} if "%(n)" in message else message, "success")
        if to_list:
            return redirect(url_for("roster.rosters", agency_id=agency.id))
    return redirect(url_for("roster.grid", agency_id=agency.id, roster_id=roster_id))


@bp.route("/opd/<int:agency_id>/jadwal/<int:roster_id>/buat-ulang", methods=["POST"])
@login_required
def regenerate(agency_id: int, roster_id: int):
    return roster_action(agency_id, roster_id, services.regenerate,
                         _("Jadwal dibuat ulang; perubahan manual dipertahankan."))


@bp.route("/opd/<int:agency_id>/jadwal/<int:roster_id>/terbitkan", methods=["POST"])
@login_required
def publish(agency_id: int, roster_id: int):
    return roster_action(agency_id, roster_id, services.publish,
                         _("Jadwal diterbitkan; %(n)s pegawai diberi tahu."))


@bp.route("/opd/<int:agency_id>/jadwal/<int:roster_id>/hapus", methods=["POST"])
@login_required
def delete(agency_id: int, roster_id: int):
    return roster_action(agency_id, roster_id, services.delete_roster, _("Draf jadwal dihapus."), to_list=True)


# --- Staff ----------------------------------------------------------------------------------------------------

@bp.route("/presensi/jadwal-saya")
@login_required
def my_schedule():
    if current_user.employee_id is None:
        abort(404)
    today = clock.today()
    days = queries.my_schedule(current_user.employee_id, today)
    return render_template("roster/my_schedule.html", days=days, today=today)
