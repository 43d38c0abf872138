"""Review by appraisers: inbox, a subordinate's month, approve, return with a reason, guarded bulk approval,
monthly activities. The same queries, services and scope checks as the web pages (kinerja/review/views.py)."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from marshmallow import fields, validate

from kinerja import clock
from kinerja.api import errors
from kinerja.api.activity_schemas import ActivitySchema
from kinerja.api.common import ID, MAX_ID, DecisionResultSchema, MonthField, api_blueprint, date_field
from kinerja.errors import NotAllowed
from kinerja.extensions import db
from kinerja.models import Activity
from kinerja.review import queries, services
from kinerja.review.flags import Flag
from kinerja.review.rights import load_reviewable_employee, reviewable

bp = api_blueprint("review_api", "Pemeriksaan kegiatan bawahan oleh pejabat penilai.", "/review")

ids_field = fields.List(fields.Integer(validate=validate.Range(min=1, max=MAX_ID)), validate=validate.Length(max=500))


class InboxRowSchema(ma.Schema):
    employee_id = fields.Integer(required=True, attribute="employee.id")
    name = fields.String(required=True, attribute="employee.full_name")
    nip = fields.String(required=True, attribute="employee.id_number")
    waiting = fields.Integer(required=True)
    oldest = fields.AwareDateTime(allow_none=True)
    via_acting = fields.Boolean(required=True)


class ReviewItemSchema(ma.Schema):
    activity = fields.Nested(ActivitySchema, required=True)
    employee_id = fields.Integer(required=True, attribute="activity.employee_id")
    acting_for = fields.Integer(allow_none=True, metadata={"description": "Plh/Plt: the absent appraiser"})
    flags = fields.Method("flag_values", metadata={"type": "array", "items": {
        "type": "string", "enum": [flag.value for flag in Flag]}})

    def flag_values(self, item) -> list[str]:
        return sorted(flag.value for flag in item.flags)


class MonthArgs(ma.Schema):
    month = MonthField(load_default=None, metadata={"description": "YYYY-MM, this month by default"})


class ReasonSchema(ma.Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class CandidatesSchema(ma.Schema):
    """What a bulk approval would cover: chosen ids, or everything waiting of some people (in a period)."""

    ids = ids_field
    employee_ids = ids_field
    start = date_field()
    end = date_field()


class BulkApproveSchema(ma.Schema):
    ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=MAX_ID)), required=True,
                      validate=validate.Length(max=500))
    flagged_ok = fields.List(fields.Integer(validate=validate.Range(min=1, max=MAX_ID)), load_default=list,
                             validate=validate.Length(max=500),
                             metadata={"description": "Flagged ids approved anyway, after looking at them"})


class MonthlyDecisionSchema(ma.Schema):
    month = MonthField(required=True)
    approve = fields.Boolean(required=True)
    text = fields.String(load_default="", validate=validate.Length(max=2000),
                         metadata={"description": "Feedback when approving, the reason when returning"})


class DecidedSchema(ma.Schema):
    decided = fields.Boolean(required=True, metadata={"description": "False: someone else decided it first"})


def reviewable_activity(activity_id: int) -> None:
    """404 unless the activity waits for, or was routed to, the user's review (as on the web)."""
    found = db.session.execute(reviewable(current_user, clock.today()).where(Activity.id == activity_id)).first()
    if found is None:
        raise errors.not_found()


@bp.route("/inbox", methods=["GET"])
@bp.response(200, InboxRowSchema(many=True))
def inbox():
    """Your subordinates (also via Plh/Plt) and anyone whose items wait for you, most waiting first."""
    return queries.inbox(current_user, clock.today()).rows


@bp.route(f"/employees/<{ID}:employee_id>/activities", methods=["GET"])
@bp.arguments(MonthArgs, location="query")
@bp.response(200, ReviewItemSchema(many=True))
def employee_month(args, employee_id: int):
    """A subordinate's activities of a month that you review, with flags on the waiting ones."""
    person = load_reviewable_employee(current_user, employee_id)
    month = args.get("month") or clock.today().replace(day=1)
    return queries.employee_month(current_user, person.id, month, clock.today())


@bp.route(f"/activities/<{ID}:activity_id>/approve", methods=["POST"])
@bp.response(200, DecisionResultSchema)
def approve(activity_id: int):
    """Approve a submitted activity you review."""
    reviewable_activity(activity_id)
    return services.decide(current_user, [activity_id], approve=True, today=clock.today())


@bp.route(f"/activities/<{ID}:activity_id>/return", methods=["POST"])
@bp.arguments(ReasonSchema)
@bp.response(200, DecisionResultSchema)
def return_one(data, activity_id: int):
    """Return a submitted activity for revision, with the reason."""
    reviewable_activity(activity_id)
    return services.decide(current_user, [activity_id], approve=False, reason=data["reason"], today=clock.today())


@bp.route("/candidates", methods=["POST"])
@bp.arguments(CandidatesSchema)
@bp.response(200, ReviewItemSchema(many=True))
def candidates(data):
    """Preview of a bulk approval: the waiting items it would cover; flagged ones are left out unless listed in
    `flagged_ok` of the approval."""
    scope: dict = {}
    if data.get("employee_ids"):
        scope["employee_ids"] = data["employee_ids"]
        if data.get("start") and data.get("end"):
            scope["start"], scope["end"] = data["start"], data["end"]
    else:
        scope["ids"] = data.get("ids") or []
    return queries.candidates(current_user, clock.today(), **scope)


@bp.route("/bulk-approve", methods=["POST"])
@bp.arguments(BulkApproveSchema)
@bp.response(200, DecisionResultSchema)
def bulk_approve(data):
    """Approve many at once; flagged items are skipped (reported in `flagged`) unless in `flagged_ok`."""
    return services.decide(current_user, data["ids"], approve=True, today=clock.today(),
                           flagged_ok=data["flagged_ok"])


@bp.route(f"/monthly-activities/<{ID}:item_id>", methods=["POST"])
@bp.arguments(MonthlyDecisionSchema)
@bp.response(200, DecidedSchema)
def decide_monthly(data, item_id: int):
    """Approve (with feedback) or return (with a reason) a subordinate's monthly activity."""
    try:
        decided = services.decide_monthly(current_user, data["month"], item_id, approve=data["approve"],
                                          text=data["text"], today=clock.today())
    except NotAllowed:
        db.session.rollback()
        raise errors.not_found() from None
    return {"decided": decided}
