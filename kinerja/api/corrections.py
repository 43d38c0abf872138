"""Attendance corrections of the signed-in employee: list, read, file, withdraw. The same service and rules as the
web page (kinerja/attendance/corrections.py): the deadline in working days, one open or approved request per
day, the letter for field duty; someone else's request is a 404."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from marshmallow import fields, validate

from kinerja import clock
from kinerja.api import errors
from kinerja.api.activity_schemas import MinuteTime
from kinerja.api.common import ID, MonthField, PageArgs, api_blueprint, date_field, own_employee_id, page_of, paginate
from kinerja.attendance import corrections as services
from kinerja.models import AttendanceCorrection, CorrectionKind, CorrectionStatus
from kinerja.workcalendar import month_days

bp = api_blueprint("corrections_api", "Koreksi presensi milik sendiri: ajukan, lihat, tarik.")


class CorrectionSchema(ma.Schema):
    id = fields.Integer(required=True)
    day = fields.Date(required=True)
    kind = fields.Enum(CorrectionKind, by_value=True, required=True)
    kind_label = fields.Function(lambda item: item.kind.label, required=True, metadata={"type": "string"})
    check_in = MinuteTime(allow_none=True)
    check_out = MinuteTime(allow_none=True)
    reason = fields.String(required=True)
    evidence = fields.String(required=True, metadata={"description": "Surat tugas number or a link"})
    status = fields.Enum(CorrectionStatus, by_value=True, required=True)
    status_label = fields.Function(lambda item: item.status.label, required=True, metadata={"type": "string"})
    decided_at = fields.AwareDateTime(allow_none=True)
    decision_reason = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)


CorrectionPage = page_of(CorrectionSchema, "CorrectionPage")


class CorrectionArgs(PageArgs):
    month = MonthField(load_default=None, metadata={"description": "Only the days of this month (YYYY-MM)"})
    status = fields.Enum(CorrectionStatus, by_value=True, load_default=None)


class CorrectionInputSchema(ma.Schema):
    day = date_field(required=True)
    kind = fields.Enum(CorrectionKind, by_value=True, required=True, metadata={
        "description": "forgot_in: check_in required; forgot_out: check_out; device: either or both; "
                       "field_duty: evidence (the surat tugas) required"})
    check_in = MinuteTime(load_default=None, allow_none=True, metadata={"description": "HH:MM, local time"})
    check_out = MinuteTime(load_default=None, allow_none=True, metadata={"description": "HH:MM, local time"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    evidence = fields.String(load_default="", validate=validate.Length(max=500))

    @ma.post_load
    def make(self, data: dict, **_kwargs) -> services.CorrectionInput:
        return services.CorrectionInput(**data)


def own_correction(correction_id: int) -> AttendanceCorrection:
    own_employee_id()
    correction = services.load_own(current_user, correction_id)
    if correction is None:
        raise errors.not_found()
    return correction


@bp.route("/attendance/corrections", methods=["GET"])
@bp.arguments(CorrectionArgs, location="query")
@bp.response(200, CorrectionPage)
def list_corrections(args):
    """Your correction requests, the latest day first; optionally of one month or one status."""
    own_employee_id()
    query = services.own_corrections(current_user)
    if args["month"] is not None:
        query = query.where(AttendanceCorrection.day.between(*month_days(args["month"].year, args["month"].month)))
    if args["status"] is not None:
        query = query.where(AttendanceCorrection.status == args["status"])
    return paginate(query.order_by(AttendanceCorrection.day.desc(), AttendanceCorrection.id.desc()), args)


@bp.route("/attendance/corrections", methods=["POST"])
@bp.arguments(CorrectionInputSchema)
@bp.response(201, CorrectionSchema)
def file_correction(data: services.CorrectionInput):
    """Ask your appraiser to count a day as it was (within the deadline in working days; 422 names the field)."""
    own_employee_id()
    return services.request_correction(current_user, data, clock.today())


@bp.route(f"/attendance/corrections/<{ID}:correction_id>", methods=["GET"])
@bp.response(200, CorrectionSchema)
def get_correction(correction_id: int):
    """One of your correction requests, with its decision when made."""
    return own_correction(correction_id)


@bp.route(f"/attendance/corrections/<{ID}:correction_id>/withdraw", methods=["POST"])
@bp.response(200, CorrectionSchema)
def withdraw(correction_id: int):
    """Take back a request still waiting for a decision (409 once decided or withdrawn)."""
    correction = own_correction(correction_id)
    services.withdraw_correction(current_user, correction)
    return correction


