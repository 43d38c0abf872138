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
from kinerja.models import SESSION_KINDS, AttendanceKind, WorkMode
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


class SessionStateSchema(ma.Schema):
    kind = fields.Enum(AttendanceKind, by_value=True, required=True)
    label = fields.Function(lambda state: state.kind.label, metadata={"type": "string"})
    opens = fields.Function(lambda state: f"{state.session.opens:%H:%M}", metadata={"type": "string"})
    closes = fields.Function(lambda state: f"{state.session.closes:%H:%M}", metadata={"type": "string"})
    required = fields.Boolean(allow_none=True, metadata={
        "description": "Whether the day's work mode must attend it; null before today's check-in"})
    open_now = fields.Boolean(required=True)
    over = fields.Boolean(required=True)
    record = fields.Nested(RecordSchema, allow_none=True)


class TodaySchema(ma.Schema):
    day = fields.Date(required=True)
    check_in = fields.Nested(RecordSchema, allow_none=True)
    check_out = fields.Nested(RecordSchema, allow_none=True)
    sessions = fields.List(fields.Nested(SessionStateSchema), metadata={
        "description": "Sessions between check-in and check-out held today (apel pagi, before/after the break)"})
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
    day, status = queries.today_status(employee_id)
    return {"day": day, "check_in": status.check_in, "check_out": status.check_out, "next_kind": status.next_kind,
            "scheduled_mode": scheduled_mode(employee_id, day), "sessions": status.sessions}


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


class SessionFormSchema(CheckFormSchema):
    kind = fields.Enum(AttendanceKind, by_value=True, required=True, validate=validate.OneOf(SESSION_KINDS),
                       metadata={"description": "apl (apel pagi), upc (upacara, a ceremony), ist (before the break), "
                                                "kbl (after the break)"})
    mode = fields.Enum(WorkMode, by_value=True, load_default=WorkMode.WFO,
                       metadata={"description": "Ignored: a session takes today's check-in mode"})


@bp.route("/attendance/session", methods=["POST"])
@bp.arguments(SessionFormSchema, location="multipart")
@bp.response(201, RecordSchema)
def session(form):
    """Attend a session between check-in and check-out (apel pagi, before or after the break) within its window,
    with position and selfie; it takes today's check-in mode (WFO sessions within an office's radius)."""
    return check(form["kind"], form)


@bp.route("/roster", methods=["GET"])
@bp.arguments(ScheduleArgs, location="query")
@bp.response(200, ScheduleDaySchema(many=True))
def roster(args):
    """Your published work modes (WFO/WFH) from a day on."""
    start = args.get("start") or clock.today()
    return [{"day": day, "mode": mode} for day, mode in my_schedule(own_employee_id(), start, args["days"])]
