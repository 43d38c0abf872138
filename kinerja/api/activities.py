"""Daily activities: list by date range, create, change, delete, submit, withdraw; evidence upload and download.
The same services and loaders as the web pages (kinerja/activities/views.py, calendar_views.py)."""

from __future__ import annotations

from flask import send_file
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kinerja.activities import queries, services
from kinerja.activities.downloads import download_name
from kinerja.activities.evidence import delete_evidence, load_stored_file
from kinerja.activities.services import ActivityInput
from kinerja.api.activity_schemas import (
    ActivityInputSchema,
    ActivitySchema,
    DayArgs,
    EvidenceLinkSchema,
    EvidenceUploadSchema,
    RangeArgs,
)
from kinerja.api.common import ID, CountSchema, api_blueprint, own_employee_id, page_of, paginate
from kinerja.models import Activity
from kinerja.permissions import load_evidence, load_own_activity

bp = api_blueprint("activities_api", "Kegiatan harian milik sendiri dan bukti dukungnya.")

ActivityPage = page_of(ActivitySchema, "ActivityPage")


def own_activity(activity_id: int) -> Activity:
    return load_own_activity(current_user, activity_id)


def current_input(activity: Activity) -> ActivityInput:
    """The activity as it is, for saves that only add evidence (the rules apply as on the edit page)."""
    return ActivityInput(
        activity_date=activity.activity_date, start_time=activity.start_time, end_time=activity.end_time,
        description=activity.description, quantity=activity.quantity, unit=activity.unit,
        work_mode=activity.work_mode, category=activity.category, assignment_letter=activity.assignment_letter,
        indicator_id=activity.indicator_id,
    )


@bp.route("/activities", methods=["GET"])
@bp.arguments(RangeArgs, location="query")
@bp.response(200, ActivityPage)
def list_activities(args):
    """Your activities between two dates (at most 93 days), by date and time."""
    query = (select(Activity).where(Activity.employee_id == own_employee_id(),
                                    Activity.activity_date.between(args["start"], args["end"]))
             .options(selectinload(Activity.evidence)).order_by(Activity.activity_date, Activity.start_time))
    return paginate(query, args)


@bp.route("/activities", methods=["POST"])
@bp.arguments(ActivityInputSchema)
@bp.response(201, ActivitySchema)
def create(data: ActivityInput):
    """File an activity as a draft (the web's rules: no overlap, no future, backdating limit, closed months)."""
    return services.create_activity(current_user, data)


@bp.route(f"/activities/<{ID}:activity_id>", methods=["GET"])
@bp.response(200, ActivitySchema)
def get(activity_id: int):
    """One of your activities."""
    return own_activity(activity_id)


@bp.route(f"/activities/<{ID}:activity_id>", methods=["PUT"])
@bp.arguments(ActivityInputSchema)
@bp.response(200, ActivitySchema)
def update(data: ActivityInput, activity_id: int):
    """Change a draft or returned activity (all fields)."""
    activity = own_activity(activity_id)
    services.update_activity(current_user, activity, data)
    return activity


@bp.route(f"/activities/<{ID}:activity_id>", methods=["DELETE"])
@bp.response(204)
def delete(activity_id: int):
    """Delete a draft or returned activity."""
    services.delete_activity(current_user, own_activity(activity_id))


@bp.route(f"/activities/<{ID}:activity_id>/submit", methods=["POST"])
@bp.response(200, ActivitySchema)
def submit(activity_id: int):
    """Submit a draft or returned activity to your appraiser."""
    activity = own_activity(activity_id)
    services.submit_activities(current_user, [activity])
    return activity


@bp.route("/activities/submit-day", methods=["POST"])
@bp.arguments(DayArgs)
@bp.response(200, CountSchema)
def submit_day(args):
    """Submit every draft and returned activity of a day; answers how many were submitted."""
    activities = queries.day_activities(own_employee_id(), args["date"])
    return {"count": services.submit_activities(current_user, activities)}


@bp.route(f"/activities/<{ID}:activity_id>/withdraw", methods=["POST"])
@bp.response(200, ActivitySchema)
def withdraw(activity_id: int):
    """Take a submitted activity back to draft, unless it was reviewed meanwhile (409)."""
    activity = own_activity(activity_id)
    services.withdraw_activity(current_user, activity)
    return activity


@bp.route(f"/activities/<{ID}:activity_id>/evidence", methods=["POST"])
@bp.arguments(EvidenceUploadSchema, location="multipart")
@bp.response(201, ActivitySchema)
def upload_evidence(files, activity_id: int):
    """Attach an evidence file (multipart field `file`) to a draft or returned activity."""
    activity = own_activity(activity_id)
    services.update_activity(current_user, activity, current_input(activity), [files["file"]])
    return activity


@bp.route(f"/activities/<{ID}:activity_id>/links", methods=["POST"])
@bp.arguments(EvidenceLinkSchema)
@bp.response(201, ActivitySchema)
def add_link(data, activity_id: int):
    """Attach an evidence link (http/https) to a draft or returned activity."""
    activity = own_activity(activity_id)
    change = current_input(activity)
    change.links = [data["url"]]
    services.update_activity(current_user, activity, change)
    return activity


@bp.route(f"/evidence/<{ID}:evidence_id>", methods=["GET"])
@bp.response(200, {"format": "binary", "type": "string"}, content_type="application/octet-stream")
def evidence_file(evidence_id: int):
    """Download an evidence file of an activity you may see (your own, your subordinates', your agency's)."""
    evidence, path = load_stored_file(current_user, evidence_id)
    return send_file(path, mimetype=evidence.content_type, as_attachment=True,
                     download_name=download_name(evidence.original_name, path.name), max_age=0)


@bp.route(f"/evidence/<{ID}:evidence_id>", methods=["DELETE"])
@bp.response(204)
def remove_evidence(evidence_id: int):
    """Remove a piece of evidence from one of your draft or returned activities."""
    evidence = load_evidence(current_user, evidence_id)
    load_own_activity(current_user, evidence.activity_id)
    delete_evidence(evidence)

