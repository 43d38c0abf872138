"""Schemas of daily activities and their evidence."""

from __future__ import annotations

import uuid
from decimal import Decimal

import marshmallow as ma
from flask import url_for
from flask_babel import gettext as _
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from kinerja.activities.services import ActivityInput
from kinerja.api.common import MAX_ID, date_field
from kinerja.models import ActivityCategory, ActivityStatus, WorkMode


def cents(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


class MinuteTime(fields.Time):
    """'HH:MM' (seconds, if sent, are dropped); a time zone is refused: times are the agency's local time."""

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if result.tzinfo is not None:
            raise ma.ValidationError(_("Jam tanpa zona waktu (waktu setempat OPD), format HH:MM."))
        return result.replace(second=0, microsecond=0)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.strftime("%H:%M")


class EvidenceSchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, attribute="kind.value", metadata={"enum": ["file", "link"]})
    url = fields.String(allow_none=True)
    original_name = fields.String(allow_none=True)
    content_type = fields.String(allow_none=True)
    size_bytes = fields.Integer(allow_none=True)
    download_url = fields.Method("download", metadata={"type": "string", "nullable": True})

    def download(self, evidence) -> str | None:
        if evidence.kind.value != "file":
            return None
        return url_for("activities_api.evidence_file", evidence_id=evidence.id)


class ActivitySchema(ma.Schema):
    id = fields.Integer(required=True)
    activity_date = fields.Date(required=True)
    start_time = MinuteTime(required=True)
    end_time = MinuteTime(required=True)
    duration_minutes = fields.Integer(required=True)
    description = fields.String(required=True)
    quantity = fields.Float(required=True)
    unit = fields.String(required=True)
    work_mode = fields.Enum(WorkMode, by_value=True, required=True)
    category = fields.Enum(ActivityCategory, by_value=True, required=True)
    assignment_letter = fields.String(allow_none=True)
    indicator_id = fields.Integer(allow_none=True)
    status = fields.Enum(ActivityStatus, by_value=True, required=True)
    off_day = fields.Boolean(required=True)
    return_reason = fields.String(allow_none=True)
    submitted_at = fields.AwareDateTime(allow_none=True)
    reviewed_at = fields.AwareDateTime(allow_none=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True)


class ActivityInputSchema(ma.Schema):
    """One activity, as the quick-add row and the edit page take it."""

    activity_date = date_field(required=True)
    start_time = MinuteTime(required=True, metadata={"example": "08:00"})
    end_time = MinuteTime(required=True, metadata={"example": "09:30"})
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    quantity = fields.Float(required=True, validate=validate.Range(min=0.01, max=99_999_999))
    unit = fields.String(required=True, validate=validate.Length(min=1, max=40))
    work_mode = fields.Enum(WorkMode, by_value=True, load_default=WorkMode.WFO)
    category = fields.Enum(ActivityCategory, by_value=True, load_default=ActivityCategory.MAIN)
    assignment_letter = fields.String(allow_none=True, validate=validate.Length(max=80))
    indicator_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=MAX_ID))
    client_token = fields.UUID(allow_none=True, metadata={
        "description": "Sent again with a retried request, the activity is created only once."})
    links = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list,
                        validate=validate.Length(max=10), metadata={"description": "Evidence links (http/https)"})

    @ma.post_load
    def to_input(self, data, **kwargs) -> ActivityInput:
        token = data.get("client_token")
        return ActivityInput(
            activity_date=data["activity_date"], start_time=data["start_time"], end_time=data["end_time"],
            description=data["description"], quantity=cents(data["quantity"]), unit=data["unit"],
            work_mode=data["work_mode"], category=data["category"], assignment_letter=data.get("assignment_letter"),
            indicator_id=data.get("indicator_id"), client_token=str(token) if isinstance(token, uuid.UUID) else None,
            links=data["links"],
        )


class RangeArgs(ma.Schema):
    start = date_field(required=True)
    end = date_field(required=True)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=100))

    @ma.validates_schema
    def short_range(self, data, **kwargs) -> None:
        if data["end"] < data["start"]:
            raise ma.ValidationError(_("Tanggal akhir harus sama atau setelah tanggal awal."), field_name="end")
        if (data["end"] - data["start"]).days > 92:
            raise ma.ValidationError(_("Rentang paling lama 93 hari."), field_name="end")


class DayArgs(ma.Schema):
    date = date_field(required=True)


class EvidenceUploadSchema(ma.Schema):
    file = Upload(required=True, metadata={"description": "PDF, JPEG, PNG, WebP, DOCX or XLSX"})


class EvidenceLinkSchema(ma.Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=500))
