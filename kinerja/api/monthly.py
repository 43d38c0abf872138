"""Monthly activities (kegiatan bulanan): list a month and the IKI its items may realise, add, change, delete,
submit and withdraw the month. The same services and loader as the web page (kinerja/activities/monthly_views.py,
access.py)."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from marshmallow import fields, validate

from kinerja.activities import monthly as services
from kinerja.activities.access import load_own_monthly
from kinerja.activities.monthly import MonthlyInput
from kinerja.api.activity_schemas import cents
from kinerja.api.common import ID, MAX_ID, CountSchema, MonthField, api_blueprint, own_employee_id
from kinerja.models import ActivityStatus

bp = api_blueprint("monthly_api", "Kegiatan bulanan milik sendiri.", "/monthly-activities")


class IndicatorSchema(ma.Schema):
    """An IKI of a plan: its text, the RHK it measures and the unit of its target."""

    id = fields.Integer(required=True)
    text = fields.String(required=True)
    rhk = fields.String(required=True)
    unit = fields.String(required=True)


class LinkedIndicatorSchema(IndicatorSchema):
    """The IKI a monthly activity realises."""

    rhk = fields.String(required=True, attribute="rhk.text")


class MonthlySchema(ma.Schema):
    id = fields.Integer(required=True)
    month = fields.Function(lambda item: f"{item.year:04d}-{item.month:02d}", metadata={"type": "string"})
    planned_action = fields.String(required=True)
    unit = fields.String(required=True, metadata={"description": "The IKI's unit when the item has one"})
    quantity = fields.Float(required=True, metadata={
        "description": "Approved daily output of the month: for the IKI in its unit, else without an IKI in this unit"})
    adjustment = fields.Float(required=True)
    adjustment_reason = fields.String(required=True)
    evidence_url = fields.String(required=True)
    note = fields.String(required=True)
    indicator_id = fields.Integer(allow_none=True)
    indicator = fields.Nested(LinkedIndicatorSchema, allow_none=True)
    status = fields.Enum(ActivityStatus, by_value=True, required=True)
    return_reason = fields.String(allow_none=True)
    feedback = fields.String(required=True)
    submitted_at = fields.AwareDateTime(allow_none=True)
    reviewed_at = fields.AwareDateTime(allow_none=True)


def values_of(data: dict) -> MonthlyInput:
    adjustment = data.pop("adjustment", None)
    return MonthlyInput(adjustment=None if adjustment is None else cents(adjustment), **data)


class MonthlyInputSchema(ma.Schema):
    indicator_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=MAX_ID), metadata={
        "description": "An IKI of your plan in force in the month (GET /monthly-activities/indicators), or null. "
                       "Left out when changing an item, the item keeps its IKI."})
    planned_action = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    unit = fields.String(load_default="", validate=validate.Length(max=40), metadata={
        "description": "Required without an IKI; with one it may be left out, as it follows the IKI's unit."})
    adjustment = fields.Float(load_default=None, allow_none=True,
                              validate=validate.Range(min=-99_999_999, max=99_999_999))
    adjustment_reason = fields.String(load_default="", validate=validate.Length(max=500))
    evidence_url = fields.String(load_default="", validate=validate.Length(max=500))
    note = fields.String(load_default="", validate=validate.Length(max=2000))

    @ma.post_load
    def to_input(self, data, **kwargs) -> MonthlyInput:
        return values_of(data)


class NewMonthlySchema(MonthlyInputSchema):
    month = MonthField(required=True)

    @ma.post_load
    def to_input(self, data, **kwargs) -> tuple:
        month = data.pop("month")
        return month, values_of(data)


class ChangeMonthlySchema(MonthlyInputSchema):
    @ma.post_load
    def to_input(self, data, **kwargs) -> tuple[MonthlyInput, bool]:
        """The values and whether an IKI (or null) was sent."""
        return values_of(dict(data)), "indicator_id" in data


class MonthArgs(ma.Schema):
    month = MonthField(required=True)


@bp.route("", methods=["GET"])
@bp.arguments(MonthArgs, location="query")
@bp.response(200, MonthlySchema(many=True))
def list_month(args):
    """Your monthly activities of a month."""
    return services.month_items(own_employee_id(), args["month"])


@bp.route("/indicators", methods=["GET"])
@bp.arguments(MonthArgs, location="query")
@bp.response(200, IndicatorSchema(many=True))
def indicators(args):
    """The IKI your monthly activities of a month may realise: those of your plan in force then (empty without)."""
    return services.month_indicators(own_employee_id(), args["month"])


@bp.route("", methods=["POST"])
@bp.arguments(NewMonthlySchema)
@bp.response(201, MonthlySchema)
def create(data):
    """Add a draft monthly activity; its realisation comes from the month's approved daily output."""
    month, values = data
    return services.create_monthly_activity(current_user, month, values)


@bp.route(f"/<{ID}:item_id>", methods=["PUT"])
@bp.arguments(ChangeMonthlySchema)
@bp.response(200, MonthlySchema)
def update(data: tuple[MonthlyInput, bool], item_id: int):
    """Change a draft or returned monthly activity (without `indicator_id` it keeps its IKI)."""
    values, indicator_sent = data
    item = load_own_monthly(current_user, item_id)
    if not indicator_sent:
        values.indicator_id = item.indicator_id
    services.update_monthly_activity(current_user, item, values)
    return item


@bp.route(f"/<{ID}:item_id>", methods=["DELETE"])
@bp.response(204)
def delete(item_id: int):
    """Delete a draft or returned monthly activity."""
    services.delete_monthly_activity(current_user, load_own_monthly(current_user, item_id))


@bp.route("/submit", methods=["POST"])
@bp.arguments(MonthArgs)
@bp.response(200, CountSchema)
def submit(args):
    """Submit the month's draft and returned monthly activities to your appraiser."""
    own_employee_id()
    return {"count": services.submit_month(current_user, args["month"])}


@bp.route("/withdraw", methods=["POST"])
@bp.arguments(MonthArgs)
@bp.response(200, CountSchema)
def withdraw(args):
    """Take the month's submission back while nothing of it was reviewed (else 409)."""
    own_employee_id()
    return {"count": services.withdraw_month(current_user, args["month"])}
