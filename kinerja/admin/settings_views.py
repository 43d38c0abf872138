"""BKD's settings pages: the regency settings grouped by topic, and the regency's identity and logo."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kinerja import clock
from kinerja.admin import bp, regency
from kinerja.admin.settings_forms import RegencyForm, SettingsForm
from kinerja.attendance.ramadan import next_computed_ramadan
from kinerja.core.forms import show_error
from kinerja.errors import DomainError
from kinerja.i18n import format_number
from kinerja.models import Regency
from kinerja.permissions import GLOBAL_ROLES, roles_required
from kinerja.settings import CLOCK, INTEGER, SETTINGS, Spec, raw, save_settings


@dataclass(frozen=True)
class SettingRow:
    spec: Spec
    field: object
    default: str
    changed: bool  # BKD's value differs from the configuration's


def shown(spec: Spec, value: object) -> str:
    """A value as people read it: 2.250 menit, 07.30, or a dash when empty."""
    if value is None or value == "":
        return "—"
    if spec.kind == INTEGER:
        return " ".join(part for part in (format_number(int(value), 0), str(spec.unit)) if part)
    if spec.kind == CLOCK:
        return str(value).replace(":", ".")
    return str(value)


def config_default(name: str) -> str:
    value = current_app.config.get(name)
    return "" if value is None else str(value)


def calendar_ramadan_text(name: str) -> str:
    """What applies when Ramadan's dates are left empty: this or the next Ramadan of the Hijri calendar."""
    ramadan = next_computed_ramadan(clock.today())
    if ramadan is None:
        return shown(SETTINGS[name], "")
    day, number = (ramadan.start, 1) if name == "RAMADAN_START" else (ramadan.end, ramadan.days)
    return _("%(day)s (%(n)s Ramadan %(year)s H, kalender Hijriah)", day=day.isoformat(), n=number,
             year=ramadan.hijri_year)


def default_text(spec: Spec) -> str:
    default = config_default(spec.name)
    if spec.name in ("RAMADAN_START", "RAMADAN_END") and not default:
        return calendar_ramadan_text(spec.name)
    return shown(spec, default)


def setting_groups(form) -> list[tuple[str, list[SettingRow]]]:
    """The form's fields in the order of SETTINGS, grouped by their topic."""
    groups: dict[str, list[SettingRow]] = {}
    for spec in SETTINGS.values():
        default = config_default(spec.name)
        row = SettingRow(spec, form[spec.name], default_text(spec), (raw(spec.name) or "") != default)
        groups.setdefault(str(spec.group), []).append(row)
    return list(groups.items())


def changed_text(names: list[str]) -> str:
    return "; ".join(f"{SETTINGS[name].label}: {shown(SETTINGS[name], raw(name))}" for name in names)


def logo_url(current: Regency | None) -> str:
    """Where the settings pages show the logo from: the upload route, a file under static/, or the emblem."""
    path = current.logo_path if current else None
    if regency.logo_file(path) is not None:
        return url_for("admin.regency_logo")
    if path and not path.startswith("upload:"):
        return url_for("static", filename=path.lstrip("/"))
    return url_for("static", filename="reports/lambang.svg")


@bp.route("/pengaturan", methods=["GET", "POST"], endpoint="settings")
@roles_required(*GLOBAL_ROLES)
def settings_page():
    form = SettingsForm(data={name: raw(name) or "" for name in SETTINGS})
    if form.validate_on_submit():
        try:
            changed = save_settings(current_user, {name: form[name].data or "" for name in SETTINGS})
        except DomainError as error:
            show_error(form, error)
        else:
            if changed:
                flash(_("Pengaturan disimpan dan langsung berlaku. %(changes)s", changes=changed_text(changed)),
                      "success")
            else:
                flash(_("Tidak ada pengaturan yang berubah."), "info")
            return redirect(url_for("admin.settings"))
    elif form.is_submitted():
        flash(_("Periksa isian yang ditandai; tidak ada yang disimpan."), "danger")
    current = regency.current_regency()
    return render_template("admin/settings.html", form=form, groups=setting_groups(form), regency=current,
                           logo_url=logo_url(current))


@bp.route("/pengaturan/identitas", methods=["GET", "POST"], endpoint="regency_identity")
@roles_required(*GLOBAL_ROLES)
def regency_identity():
    current = regency.current_regency()
    form = RegencyForm(obj=current)
    if form.validate_on_submit():
        try:
            upload = form.logo.data
            logo = regency.prepare_logo(upload) if upload and upload.filename else None
            regency.update_regency(current_user, regency.RegencyInput(
                form.name.data or "", form.signature_city.data or "", logo, bool(form.remove_logo.data)))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Identitas pemerintah daerah disimpan."), "success")
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings_identity.html", form=form, regency=current, logo_url=logo_url(current))


@bp.route("/pengaturan/logo")
@login_required
def regency_logo():
    """The uploaded logo, for the settings pages (reports inline it themselves)."""
    current = regency.current_regency()
    path = regency.logo_file(current.logo_path if current else None)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/png", max_age=0)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
