"""Personal templates for recurring activities: keep, delete, make from an activity, and apply to a day.

Applying a template files an ordinary draft through services.create_activity, so every activity rule holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from kinerja.activities import services
from kinerja.core.locks import lock_employee
from kinerja.database import finish
from kinerja.errors import NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.models import Activity, ActivityCategory, ActivityTemplate, Employee, User, WorkMode
from kinerja.settings import setting

DEFAULT_START = time(7, 30)  # the start on a day without activities, as on the day page
MAX_TEMPLATES = 30  # per person: they are buttons on the day page


@dataclass
class TemplateInput:
    description: str
    duration_minutes: int
    quantity: Decimal
    unit: str
    work_mode: WorkMode
    category: ActivityCategory


def require_employee(actor: User) -> Employee:
    if actor.employee is None:
        raise NotAllowed(_("Akun ini tidak terhubung dengan data pegawai."))
    return actor.employee


def check_template(data: TemplateInput) -> None:
    """What a template needs to be usable; the activity rules apply when it is applied to a day."""
    if not data.description.strip():
        raise ValidationFailed(_("Uraian kegiatan wajib diisi."), field="description")
    limit = setting("MAX_HOURS_PER_DAY") * 60
    if data.duration_minutes is None or not 0 < data.duration_minutes <= limit:
        raise ValidationFailed(_("Durasi harus antara 1 dan %(n)d menit.", n=limit), field="duration_minutes")
    if data.quantity is None or data.quantity <= 0:
        raise ValidationFailed(_("Kuantitas output harus lebih dari 0."), field="quantity")
    if not data.unit.strip():
        raise ValidationFailed(_("Satuan output wajib diisi."), field="unit")


def create_template(actor: User, data: TemplateInput) -> ActivityTemplate:
    """Keep a template for the acting staff member (at most MAX_TEMPLATES, no exact duplicates)."""
    employee = require_employee(actor)
    check_template(data)
    lock_employee(employee.id)
    mine = select(ActivityTemplate.id).where(ActivityTemplate.employee_id == employee.id)
    if db.session.scalar(select(func.count()).select_from(mine.subquery())) >= MAX_TEMPLATES:
        raise ValidationFailed(_("Paling banyak %(n)d templat; hapus yang tidak dipakai lagi.", n=MAX_TEMPLATES))
    fields = {
        "description": data.description.strip(), "duration_minutes": data.duration_minutes,
        "quantity": data.quantity, "unit": data.unit.strip(), "work_mode": data.work_mode,
        "category": data.category,
    }
    same = mine.where(*(getattr(ActivityTemplate, name) == value for name, value in fields.items()))
    if db.session.scalar(same.limit(1)) is not None:
        raise ValidationFailed(_("Templat yang sama sudah ada."))
    template = ActivityTemplate(employee_id=employee.id, **fields)
    db.session.add(template)
    finish()
    return template


def template_from_activity(actor: User, activity: Activity) -> ActivityTemplate:
    """Keep one of the actor's activities as a template (description, duration, output, mode, category)."""
    services.require_owner(actor, activity)
    return create_template(actor, TemplateInput(
        description=activity.description, duration_minutes=activity.duration_minutes,
        quantity=activity.quantity, unit=activity.unit, work_mode=activity.work_mode, category=activity.category,
    ))


def delete_template(actor: User, template: ActivityTemplate) -> None:
    if actor.employee_id is None or actor.employee_id != template.employee_id:
        raise NotAllowed(_("Hanya pemilik templat yang dapat menghapusnya."))
    db.session.delete(template)
    finish()


def apply_template(actor: User, template: ActivityTemplate, day: date) -> Activity:
    """File the template on the day as a draft, starting where the day's last activity ends (or at 07.30).

    A DL template borrows the assignment letter of the day's last activity when that one is DL as well."""
    employee = require_employee(actor)
    if employee.id != template.employee_id:
        raise NotAllowed(_("Hanya pemilik templat yang dapat memakainya."))
    last = db.session.scalar(
        select(Activity).where(Activity.employee_id == employee.id, Activity.activity_date == day)
        .order_by(Activity.end_time.desc()).limit(1)
    )
    start = last.end_time if last else DEFAULT_START
    end_minute = start.hour * 60 + start.minute + template.duration_minutes
    if end_minute >= 24 * 60:
        raise ValidationFailed(_("Templat tidak muat lagi pada hari ini: kegiatan terakhir selesai pukul %(time)s.",
                                 time=start.strftime("%H.%M")), field="start_time")
    letter = last.assignment_letter if last and template.work_mode is WorkMode.DL else None
    return services.create_activity(actor, services.ActivityInput(
        activity_date=day, start_time=start, end_time=time(end_minute // 60, end_minute % 60),
        description=template.description, quantity=template.quantity, unit=template.unit,
        work_mode=template.work_mode, category=template.category, assignment_letter=letter,
    ))
