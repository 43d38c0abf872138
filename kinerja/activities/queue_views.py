"""Sending the activities kept on a phone while it had no connection (static/js/offline-queue.js): who is signed in,
and one activity per request, answered in JSON so the page can list what the server refused and why."""

from __future__ import annotations

from datetime import date

from flask import abort, jsonify, request
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from kinerja.activities import bp, services
from kinerja.activities.forms import ActivityForm
from kinerja.activities.views import own_employee
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.skp.queries import indicator_choices


@bp.route("/antrean")
@login_required
def queue_state():
    """The account the kept activities must belong to before they are sent, and a CSRF token to send them with."""
    return jsonify(user=str(current_user.id), csrf_token=generate_csrf())


def refusal(message: str, fields: dict[str, str]):
    return jsonify(message=message, fields=fields), 422


@bp.route("/<day:day>/kirim", methods=["POST"])
@login_required
def queue_send(day: date):
    """File one kept activity as the quick-add row does. Its client token makes a resend answer the activity already
    saved (200) instead of a second one (201)."""
    employee = own_employee()
    if not request.form.get("client_token"):  # without its token a resend would file the activity twice
        abort(400)
    form = ActivityForm()
    form.indicator_id.choices = indicator_choices(employee.id, day)
    if not form.validate_on_submit():
        fields = {name: str(errors[0]) for name, errors in form.errors.items() if errors}
        name, message = next(iter(fields.items()))
        label = form[name].label.text if name in form else ""
        return refusal(f"{label}: {message}" if label else message, fields)
    already = services.existing_for_token(employee.id, form.client_token.data)
    try:
        activity = services.create_activity(current_user, form.to_input(day), form.files.data or [])
    except DomainError as error:
        db.session.rollback()
        return refusal(error.message, {error.field: error.message} if error.field else {})
    return jsonify(id=activity.id, day=activity.activity_date.isoformat()), 200 if already else 201
