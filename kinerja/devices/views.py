"""Pages of attendance machines (/presensi/mesin): BKD sees every agency's, an agency admin their agency's;
another agency's machine or PIN is a 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from kinerja.core.forms import show_error
from kinerja.devices import bp, queries, registry
from kinerja.devices.forms import ActionForm, CommandForm, DeviceForm, PinForm
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import AttendanceDevice, Office, PunchStatus, Role
from kinerja.permissions import is_global_admin, roles_required

ADMIN_ROLES = (Role.AGENCY_ADMIN, Role.BKD_ADMIN, Role.SUPERADMIN)
COMMON_COMMANDS = ("INFO", "CHECK", "LOG", "REBOOT", "CLEAR LOG")


def device_input(form: DeviceForm) -> registry.DeviceInput:
    return registry.DeviceInput(serial_number=form.serial_number.data or "", name=form.name.data or "",
                                office_id=form.office_id.data or None, timezone=form.timezone.data or "",
                                enabled=bool(form.enabled.data))


def device_form(device: AttendanceDevice | None = None) -> DeviceForm:
    form = DeviceForm(obj=device)
    form.office_id.choices = [SelectChoice(0, _("— pilih kantor —")),
                              *(SelectChoice(value, label) for value, label in queries.office_choices(current_user))]
    if device is None and request.method == "GET":
        form.enabled.data = True
    return form


@bp.route("/")
@roles_required(*ADMIN_ROLES)
def index():
    page = db.paginate(queries.devices_query(current_user), page=request.args.get("page", 1, type=int),
                       per_page=25, error_out=False)
    unknown = queries.unknown_machines() if is_global_admin(current_user) else []
    return render_template("devices/index.html", page=page, unknown=unknown,
                           agencies=queries.managed_agencies(current_user))


@bp.route("/baru", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def new():
    form = device_form()
    if request.method == "GET":
        form.serial_number.data = (request.args.get("sn") or "")[:40]
    if form.validate_on_submit():
        office = db.session.get(Office, form.office_id.data or 0)
        if office is None or not registry.may_manage(current_user, office.agency_id):
            form.office_id.errors = [*form.office_id.errors, _("Pilih kantor tempat mesin dipasang.")]
        else:
            try:
                device = registry.save_device(current_user, office.agency_id, device_input(form))
            except DomainError as error:
                show_error(form, error)
            else:
                flash(_("Mesin %(name)s didaftarkan.", name=device.name), "success")
                return redirect(url_for("devices.detail", device_id=device.id))
    return render_template("devices/form.html", form=form, device=None)


@bp.route("/<int:device_id>/ubah", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def edit(device_id: int):
    device = queries.load_device(current_user, device_id)
    form = device_form(device)
    if form.validate_on_submit():
        try:
            registry.save_device(current_user, device.agency_id, device_input(form), device)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Mesin %(name)s disimpan.", name=device.name), "success")
            return redirect(url_for("devices.detail", device_id=device.id))
    return render_template("devices/form.html", form=form, device=device)


@bp.route("/<int:device_id>")
@roles_required(*ADMIN_ROLES)
def detail(device_id: int):
    device = queries.load_device(current_user, device_id)
    status = {item.value: item for item in PunchStatus}.get(request.args.get("status", ""))
    log = queries.device_log(device, status, request.args.get("page", 1, type=int))
    return render_template("devices/detail.html", device=device, log=log, status=status, statuses=PunchStatus,
                           commands=queries.recent_commands(device), counts=queries.status_counts(device),
                           command_form=CommandForm(formdata=None), common_commands=COMMON_COMMANDS)


@bp.route("/<int:device_id>/perintah", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def command(device_id: int):
    device = queries.load_device(current_user, device_id)
    form = CommandForm()
    if not form.validate_on_submit():
        flash(_("Isi perintah."), "danger")
    else:
        try:
            registry.queue_command(current_user, device, form.command.data)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(_("Perintah diantrekan; mesin mengambilnya pada permintaan berikutnya."), "success")
    return redirect(url_for("devices.detail", device_id=device.id))


@bp.route("/pin/<int:agency_id>", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def pins(agency_id: int):
    agency = queries.load_agency(current_user, agency_id)
    form = PinForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            result = registry.map_pins(current_user, agency.id, form.lines.data)
        except DomainError as error:
            show_error(form, error)
        else:
            if result.errors:
                db.session.rollback()
                errors = result.errors
                flash(_("Tidak ada yang disimpan: perbaiki baris yang ditandai."), "danger")
            else:
                flash(_("%(n)s PIN dipetakan; %(m)s pindaian lama dengan PIN itu diproses ulang.", n=result.mapped,
                        m=result.replayed), "success")
                return redirect(url_for("devices.pins", agency_id=agency.id))
    page = queries.agency_pins(agency, request.args.get("page", 1, type=int))
    return render_template("devices/pins.html", agency=agency, form=form, errors=errors, page=page,
                           action_form=ActionForm())


@bp.route("/pin/<int:agency_id>/<int:pin_id>/hapus", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def unmap(agency_id: int, pin_id: int):
    agency = queries.load_agency(current_user, agency_id)
    pin = queries.load_pin(agency, pin_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    registry.unmap_pin(current_user, pin)
    flash(_("Pemetaan PIN dihapus."), "success")
    return redirect(url_for("devices.pins", agency_id=agency.id))
