"""Attendance: today's status, check-in and check-out with position, accuracy and a selfie (multipart), and your
published roster. The same service as the web page (kinerja/attendance/services.py)."""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask_login import current_user
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from kinerja import clock
from kinerja.api.common import api_blueprint, date_field, own_employee_id
from kinerja.attendance import queries, services
from kinerja.attendance.services import CheckInput
from kinerja.models import AttendanceKind, WorkMode
from kinerja.roster.queries import my_schedule, scheduled_mode

bp = api_blueprint("attendance_api", "Presensi dengan lokasi dan swafoto; jadwal kerja.")


class RecordSchema(ma.Schema):
    id = fields.Integer(required=True)
    day = fields.Date(required=True)
    kind = fields.Enum(AttendanceKind, by_value=True, required=True)
    at = fields.AwareDateTime(required=True)
    mode = fields.Enum(WorkMode, by_value=True, required=True)
    latitude = fields.Float(required=True)
    longitude = fields.Float(required=True)
    accuracy_m = fields.Float(required=True)
    office_id = fields.Integer(allow_none=True)
    distance_m = fields.Float(allow_none=True)
    within_radius = fields.Boolean(required=True)
    late_minutes = fields.Integer(required=True)
    early_minutes = fields.Integer(required=True)
    off_day = fields.Boolean(required=True)
    flags = fields.Method("flag_kinds", metadata={"type": "array", "items": {"type": "string"}})

    def flag_kinds(self, record) -> list[str]:
        return [flag.kind.value for flag in record.flags]


class TodaySchema(ma.Schema):
    day = fields.Date(required=True)
    check_in = fields.Nested(RecordSchema, allow_none=True)
    check_out = fields.Nested(RecordSchema, allow_none=True)
    next_kind = fields.Enum(AttendanceKind, by_value=True, allow_none=True)
    scheduled_mode = fields.Enum(WorkMode, by_value=True, allow_none=True)


class CheckFormSchema(ma.Schema):
    mode = fields.Enum(WorkMode, by_value=True, required=True)
    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    accuracy = fields.Float(required=True, validate=validate.Range(min=0, max=1_000_000),
                            metadata={"description": "Accuracy radius in metres, as the phone reports it"})
    assignment_letter = fields.String(load_default=None, validate=validate.Length(max=80),
                                      metadata={"description": "Surat tugas number, required for DL"})
    device_id = fields.String(load_default="", validate=validate.Length(max=64))
    selfie = Upload(required=True, metadata={"description": "JPEG, PNG or WebP photo"})


class ScheduleArgs(ma.Schema):
    start = date_field(load_default=None, metadata={"description": "Today by default"})
    days = fields.Integer(load_default=31, validate=validate.Range(min=1, max=92))


class ScheduleDaySchema(ma.Schema):
    day = fields.Date(required=True)
    mode = fields.Enum(WorkMode, by_value=True, required=True)


def check(kind: AttendanceKind, form: dict):
    data = CheckInput(kind=kind, mode=form["mode"], latitude=form["latitude"], longitude=form["longitude"],
                      accuracy_m=form["accuracy"], selfie=form["selfie"],
                      assignment_letter=form.get("assignment_letter"), device_id=form.get("device_id") or "",
                      user_agent=request.user_agent.string or "")
    return services.check(current_user, data)


@bp.route("/attendance/today", methods=["GET"])
@bp.response(200, TodaySchema)
def today():
    """Today's check-in and check-out, what comes next, and the roster's mode for today."""
    employee_id = own_employee_id()
    day = clock.today()
    status = queries.today_of(employee_id, day)
    return {"day": day, "check_in": status.check_in, "check_out": status.check_out, "next_kind": status.next_kind,
            "scheduled_mode": scheduled_mode(employee_id, day)}


@bp.route("/attendance/check-in", methods=["POST"])
@bp.arguments(CheckFormSchema, location="multipart")
@bp.response(201, RecordSchema)
def check_in(form):
    """Check in now (server time), with the phone's position, its accuracy and a selfie."""
    return check(AttendanceKind.IN, form)


@bp.route("/attendance/check-out", methods=["POST"])
@bp.arguments(CheckFormSchema, location="multipart")
@bp.response(201, RecordSchema)
def check_out(form):
    """Check out now, after today's check-in."""
    return check(AttendanceKind.OUT, form)


@bp.route("/roster", methods=["GET"])
@bp.arguments(ScheduleArgs, location="query")
@bp.response(200, ScheduleDaySchema(many=True))
def roster(args):
    """Your published work modes (WFO/WFH) from a day on."""
    start = args.get("start") or clock.today()
    return [{"day": day, "mode": mode} for day, mode in my_schedule(own_employee_id(), start, args["days"])]
