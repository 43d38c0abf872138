"""GET /me: who the token belongs to, their roles and current assignment."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from marshmallow import fields

from kinerja import clock
from kinerja.api.common import api_blueprint
from kinerja.core.assignments import assignment_on
from kinerja.permissions import is_appraiser

bp = api_blueprint("me", "Akun pemilik token.", "/me")


class RoleSchema(ma.Schema):
    role = fields.String(required=True)
    agency_id = fields.Integer(allow_none=True)


class AssignmentSchema(ma.Schema):
    agency_id = fields.Integer(required=True)
    agency = fields.String(required=True, attribute="agency.name")
    unit_id = fields.Integer(required=True)
    unit = fields.String(required=True, attribute="unit.name")
    position_id = fields.Integer(required=True)
    position = fields.String(required=True, attribute="position.name")
    appraiser_id = fields.Integer(allow_none=True)
    timezone = fields.String(required=True, attribute="agency.timezone")


class EmployeeSchema(ma.Schema):
    id = fields.Integer(required=True)
    nip = fields.String(required=True, attribute="id_number")
    name = fields.String(required=True, attribute="full_name")
    grade = fields.String(allow_none=True)


class MeSchema(ma.Schema):
    id = fields.Integer(required=True)
    username = fields.String(allow_none=True)
    display_name = fields.String(required=True)
    locale = fields.String(allow_none=True)
    roles = fields.List(fields.Nested(RoleSchema), required=True)
    employee = fields.Nested(EmployeeSchema, allow_none=True)
    assignment = fields.Nested(AssignmentSchema, allow_none=True)
    is_appraiser = fields.Boolean(required=True)


@bp.route("", methods=["GET"])
@bp.response(200, MeSchema)
def me():
    """Your account, roles, employee record and today's assignment."""
    user = current_user._get_current_object()
    employee = user.employee
    return {
        "id": user.id, "username": user.username, "display_name": user.display_name, "locale": user.locale,
        "roles": [{"role": role.role.value, "agency_id": role.agency_id} for role in user.roles],
        "employee": employee,
        "assignment": assignment_on(employee.id, clock.today()) if employee else None,
        "is_appraiser": is_appraiser(user),
    }
