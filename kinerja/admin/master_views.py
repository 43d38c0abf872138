"""The administration index and the master-data pages: agencies, units (a tree), positions and offices.

Agencies and positions are BKD's catalogue (agency admins may read positions); units and offices are kept by
the agency's admins and BKD. Another agency's units and offices answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from kinerja import clock
from kinerja.activities.forms import ActionForm
from kinerja.admin import bp, master_offices, master_org, master_units
from kinerja.admin.master_data import ADMIN_ROLES, can_manage_agency, parse_sort
from kinerja.admin.master_forms import AgencyForm, OfficeForm, PositionForm, UnitForm
from kinerja.core.forms import show_error
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import Agency, Office, Position, PositionKind, Unit
from kinerja.permissions import GLOBAL_ROLES, admin_agency_ids, is_global_admin, roles_required


def managed_agency(agency_id: int) -> Agency:
    """The agency if the current user administers it or is BKD, else 404."""
    if not can_manage_agency(current_user, agency_id):
        abort(404)
    return db.get_or_404(Agency, agency_id)


def agency_object(model, agency: Agency, object_id: int):
    """A unit or office of that agency, else 404."""
    item = db.session.get(model, object_id)
    if item is None or item.agency_id != agency.id:
        abort(404)
    return item


def list_args() -> tuple[str, int]:
    return request.args.get("q", "").strip()[:60], request.args.get("page", 1, type=int)


def per_page() -> int:
    return current_app.config["PER_PAGE"]


# --- Index ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AdminLink:
    label: str
    description: str
    icon: str
    url: str


LinkSpec = tuple[str, object, object, str]


def available(specs: list[LinkSpec], **values) -> list[AdminLink]:
    """Links to the pages that exist in this installation (other features register theirs)."""
    return [AdminLink(str(label), str(description), icon, url_for(endpoint, **values))
            for endpoint, label, description, icon in specs if endpoint in current_app.view_functions]


REGENCY_LINKS: list[LinkSpec] = [
    ("admin.dashboard", _l("Dasbor kinerja"), _l("Pengisian, persetujuan, menit dan predikat per OPD."),
     "speedometer2"),
    ("admin.agencies", _l("OPD"), _l("Kode, nama, zona waktu, hari kerja dan kepala OPD."), "buildings"),
    ("admin.positions", _l("Jabatan"), _l("Katalog jabatan: jenis, kelas jabatan, layanan esensial."), "diagram-3"),
    ("admin.employees", _l("Pegawai"), _l("Data pegawai, riwayat penugasan, mutasi dan pensiun."), "people"),
    ("admin.accounts", _l("Akun & peran"), _l("Akun pengguna, peran admin, pemulihan kata sandi."), "person-gear"),
    ("admin.staff_import", _l("Impor pegawai"), _l("Impor data pegawai dari berkas Excel SIMPEG/SIASN."),
     "file-earmark-spreadsheet"),
    ("admin.calendar", _l("Kalender libur"), _l("Libur nasional, cuti bersama dan libur daerah."), "calendar-event"),
    ("admin.settings", _l("Pengaturan"), _l("Identitas daerah, jam kerja, batas pengisian, masa simpan."), "sliders"),
    ("attendance.sessions", _l("Sesi presensi"), _l("Apel pagi dan presensi sebelum/setelah istirahat: jam dan "
                                                    "siapa yang wajib."), "alarm"),
    ("oversight.month_locks", _l("Penutupan bulan"), _l("Menutup dan membuka kembali periode bulanan."), "lock"),
    ("roster.positions", _l("Jabatan esensial"), _l("Menandai jabatan layanan publik esensial."), "shield-check"),
    ("skp.distribution", _l("Distribusi predikat"), _l("Sebaran predikat kinerja per OPD."), "bar-chart"),
    ("oversight.audit_log", _l("Jejak audit"), _l("Siapa mengubah apa dan kapan."), "journal-text"),
]

AGENCY_ADMIN_REGENCY_LINKS: list[LinkSpec] = [
    ("admin.positions", _l("Jabatan"), _l("Katalog jabatan daerah (hanya baca)."), "diagram-3"),
    ("admin.employees", _l("Pegawai"), _l("Data pegawai OPD dan riwayat penugasannya."), "people"),
    ("admin.accounts", _l("Akun & peran"), _l("Akun pegawai OPD."), "person-gear"),
    ("admin.staff_import", _l("Impor pegawai"), _l("Impor data pegawai OPD dari berkas Excel SIMPEG/SIASN."),
     "file-earmark-spreadsheet"),
    ("admin.calendar", _l("Kalender libur"), _l("Libur nasional, cuti bersama dan libur daerah (hanya baca)."),
     "calendar-event"),
    ("oversight.audit_log", _l("Jejak audit"), _l("Siapa mengubah apa dan kapan."), "journal-text"),
]

AGENCY_LINKS: list[LinkSpec] = [
    ("admin.dashboard_agency", _l("Dasbor kinerja"), _l("Pengisian, persetujuan, menit dan predikat per unit kerja."),
     "speedometer2"),
    ("admin.units", _l("Unit kerja"), _l("Susunan unit kerja (pohon) dan jumlah pegawainya."), "diagram-2"),
    ("admin.offices", _l("Kantor"), _l("Lokasi kantor dan radius presensi."), "geo-alt"),
    ("absence.acting", _l("Plh/Plt"), _l("Pelaksana harian dan pelaksana tugas."), "person-check"),
    ("absence.leave", _l("Cuti & izin"), _l("Cuti, sakit, dinas luar, tugas belajar."), "calendar-x"),
    ("absence.grants", _l("Pengecualian batas pengisian"), _l("Izin mengisi kegiatan yang lewat batas."),
     "clock-history"),
    ("roster.caps_page", _l("Kuota WFO"), _l("Batas WFO dan unit layanan esensial."), "sliders"),
    ("roster.rosters", _l("Jadwal piket"), _l("Jadwal piket kantor bergiliran."), "calendar2-week"),
]


@bp.route("/")
@roles_required(*ADMIN_ROLES)
def index():
    if is_global_admin(current_user):
        regency = available(REGENCY_LINKS)
        agencies = []
    else:
        regency = available(AGENCY_ADMIN_REGENCY_LINKS)
        ids = admin_agency_ids(current_user)
        agencies = [(agency, available(AGENCY_LINKS, agency_id=agency.id))
                    for agency in db.session.scalars(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.code))]
    return render_template("admin/index.html", regency=regency, agencies=agencies)


# --- Agencies (BKD) -------------------------------------------------------------------------------------------

def agency_input(form: AgencyForm) -> master_org.AgencyInput:
    return master_org.AgencyInput(form.code.data or "", form.name.data or "", form.short_name.data or "",
                                  form.timezone.data, form.work_week.data, bool(form.requires_evidence.data),
                                  form.head_number.data or "")


@bp.route("/opd")
@roles_required(*GLOBAL_ROLES)
def agencies():
    search, page = list_args()
    sort = parse_sort(request.args.get("urut"), master_org.AGENCY_SORTS, "code")
    rows = master_org.agencies_page(clock.today(), page, per_page(), search, sort)
    return render_template("admin/agencies.html", rows=rows, search=search, sort=sort)


@bp.route("/opd/baru", methods=["GET", "POST"])
@roles_required(*GLOBAL_ROLES)
def agency_new():
    form = AgencyForm()
    if form.validate_on_submit():
        try:
            agency = master_org.create_agency(current_user, agency_input(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("OPD %(name)s ditambahkan.", name=agency.name), "success")
            return redirect(url_for("admin.agencies"))
    return render_template("admin/agency_form.html", form=form, agency=None)


@bp.route("/opd/<int:agency_id>/ubah", methods=["GET", "POST"])
@roles_required(*GLOBAL_ROLES)
def agency_edit(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    form = AgencyForm(obj=agency)
    if request.method == "GET":
        form.head_number.data = agency.head.id_number if agency.head else ""
    if form.validate_on_submit():
        try:
            master_org.update_agency(current_user, agency, agency_input(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Data OPD %(name)s disimpan.", name=agency.name), "success")
            return redirect(url_for("admin.agencies"))
    return render_template("admin/agency_form.html", form=form, agency=agency)


# --- Units ----------------------------------------------------------------------------------------------------

def unit_input(form: UnitForm) -> master_units.UnitInput:
    return master_units.UnitInput(form.code.data or "", form.name.data or "", form.parent_id.data,
                                  bool(form.essential.data))


@bp.route("/opd/<int:agency_id>/unit")
@roles_required(*ADMIN_ROLES)
def units(agency_id: int):
    agency = managed_agency(agency_id)
    nodes = master_units.unit_tree(agency.id, clock.today(agency.timezone))
    return render_template("admin/units.html", agency=agency, nodes=nodes,
                           list_agencies=is_global_admin(current_user))


@bp.route("/opd/<int:agency_id>/unit/baru", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def unit_new(agency_id: int):
    agency = managed_agency(agency_id)
    form = UnitForm()
    form.set_parents(master_units.parent_choices(agency.id))
    if request.method == "GET":
        form.parent_id.data = request.args.get("induk", type=int)
    if form.validate_on_submit():
        try:
            unit = master_units.create_unit(current_user, agency, unit_input(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Unit %(name)s ditambahkan.", name=unit.name), "success")
            return redirect(url_for("admin.units", agency_id=agency.id, _anchor=f"unit-{unit.id}"))
    return render_template("admin/unit_form.html", form=form, agency=agency, unit=None)


@bp.route("/opd/<int:agency_id>/unit/<int:unit_id>/ubah", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def unit_edit(agency_id: int, unit_id: int):
    agency = managed_agency(agency_id)
    unit = agency_object(Unit, agency, unit_id)
    form = UnitForm(obj=unit)
    form.set_parents(master_units.parent_choices(agency.id, unit))
    if form.validate_on_submit():
        try:
            master_units.update_unit(current_user, unit, unit_input(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Unit %(name)s disimpan.", name=unit.name), "success")
            return redirect(url_for("admin.units", agency_id=agency.id, _anchor=f"unit-{unit.id}"))
    return render_template("admin/unit_form.html", form=form, agency=agency, unit=unit, action_form=ActionForm())


@bp.route("/opd/<int:agency_id>/unit/<int:unit_id>/hapus", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def unit_delete(agency_id: int, unit_id: int):
    agency = managed_agency(agency_id)
    unit = agency_object(Unit, agency, unit_id)
    name = unit.name
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        master_units.delete_unit(current_user, unit)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(_("Unit %(name)s dihapus.", name=name), "success")
    return redirect(url_for("admin.units", agency_id=agency.id))


# --- Positions (BKD changes; agency admins read) --------------------------------------------------------------

def position_input(form: PositionForm) -> master_org.PositionInput:
    return master_org.PositionInput(form.name.data or "", PositionKind(form.kind.data), form.class_grade.data,
                                    bool(form.essential.data))


@bp.route("/jabatan")
@roles_required(*ADMIN_ROLES)
def positions():
    search, page = list_args()
    sort = parse_sort(request.args.get("urut"), master_org.POSITION_SORTS, "name")
    rows = master_org.positions_page(page, per_page(), search, sort)
    return render_template("admin/positions.html", rows=rows, search=search, sort=sort,
                           can_edit=is_global_admin(current_user))


@bp.route("/jabatan/baru", methods=["GET", "POST"])
@roles_required(*GLOBAL_ROLES)
def position_new():
    form = PositionForm()
    if form.validate_on_submit():
        try:
            position = master_org.create_position(current_user, position_input(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Jabatan %(name)s ditambahkan.", name=position.name), "success")
            return redirect(url_for("admin.positions", q=position.name))
    return render_template("admin/position_form.html", form=form, position=None)


@bp.route("/jabatan/<int:position_id>/ubah", methods=["GET", "POST"])
@roles_required(*GLOBAL_ROLES)
def position_edit(position_id: int):
    position = db.get_or_404(Position, position_id)
    form = PositionForm(obj=position)
    if request.method == "GET":
        form.kind.data = position.kind.value
    if form.validate_on_submit():
        try:
            master_org.update_position(current_user, position, position_input(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Jabatan %(name)s disimpan.", name=position.name), "success")
            return redirect(url_for("admin.positions", q=position.name))
    return render_template("admin/position_form.html", form=form, position=position)


# --- Offices --------------------------------------------------------------------------------------------------

def office_input(form: OfficeForm) -> master_offices.OfficeInput:
    return master_offices.OfficeInput(form.name.data or "", form.address.data or "", form.latitude.data,
                                      form.longitude.data, form.radius_m.data)


@bp.route("/opd/<int:agency_id>/kantor")
@roles_required(*ADMIN_ROLES)
def offices(agency_id: int):
    agency = managed_agency(agency_id)
    return render_template("admin/offices.html", agency=agency, offices=master_offices.agency_offices(agency.id),
                           osm_url=master_offices.osm_url, list_agencies=is_global_admin(current_user))


@bp.route("/opd/<int:agency_id>/kantor/baru", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def office_new(agency_id: int):
    agency = managed_agency(agency_id)
    form = OfficeForm()
    if request.method == "GET":
        form.radius_m.data = 100
    if form.validate_on_submit():
        try:
            office = master_offices.create_office(current_user, agency, office_input(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("%(name)s ditambahkan.", name=office.name), "success")
            return redirect(url_for("admin.offices", agency_id=agency.id))
    return render_template("admin/office_form.html", form=form, agency=agency, office=None)


@bp.route("/opd/<int:agency_id>/kantor/<int:office_id>/ubah", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def office_edit(agency_id: int, office_id: int):
    agency = managed_agency(agency_id)
    office = agency_object(Office, agency, office_id)
    form = OfficeForm(obj=office)
    if form.validate_on_submit():
        try:
            master_offices.update_office(current_user, office, office_input(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("%(name)s disimpan.", name=office.name), "success")
            return redirect(url_for("admin.offices", agency_id=agency.id))
    return render_template("admin/office_form.html", form=form, agency=agency, office=office,
                           check_ins=master_offices.check_ins_at(office.id), action_form=ActionForm(),
                           osm_url=master_offices.osm_url)


@bp.route("/opd/<int:agency_id>/kantor/<int:office_id>/hapus", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def office_delete(agency_id: int, office_id: int):
    agency = managed_agency(agency_id)
    office = agency_object(Office, agency, office_id)
    name = office.name
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        master_offices.delete_office(current_user, office)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(_("%(name)s dihapus.", name=name), "success")
    return redirect(url_for("admin.offices", agency_id=agency.id))
