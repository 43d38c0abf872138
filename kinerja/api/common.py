"""Shared pieces of the API: blueprints with JSON errors and token auth, pagination, month and id fields."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import marshmallow as ma
from flask import abort, current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields, validate
from webargs import missing
from webargs.flaskparser import FlaskParser, is_json_request
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from kinerja import json_input
from kinerja.api import errors
from kinerja.extensions import csrf, db, limiter

MAX_ID = 2**31 - 1
ID = f"int(max={MAX_ID})"
MONTH = re.compile(r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
def public(view):
    """Mark a view as reachable without a token (the token request itself). Put it right under the route."""
    view._api_public = True
    return view


def require_token():
    """Before each API view: the bearer token's owner becomes current_user; no token, no entry."""
    from kinerja.api.auth import bearer_user

    user = bearer_user()
    if user is not None:
        g._login_user = user
        return None
    if getattr(current_app.view_functions.get(request.endpoint), "_api_public", False):
        return None
    abort(401)


class MultipartParser(FlaskParser):
    """webargs' Flask parser with a "multipart" location (form fields and files together, as one schema) and JSON
    read with limits."""

    __location_map__ = dict(multipart="load_multipart", **FlaskParser.__location_map__)

    def load_multipart(self, req, schema):
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)

    def _raw_load_json(self, req):
        """The body read with the app's limits (kinerja.json_input): too deep or too long a number is the same
        400 as malformed JSON."""
        if not is_json_request(req):
            return missing
        return json_input.loads(req.get_data(cache=True))


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             "multipart": "multipart/form-data"}


def api_blueprint(name: str, description: str, url_prefix: str = "") -> Blueprint:
    blueprint = ApiBlueprint(name, __name__, url_prefix=f"/api/v1{url_prefix}", description=description)
    errors.register(blueprint)
    blueprint.before_request(require_token)
    csrf.exempt(blueprint)
    limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], "api", key_func=caller_key)(blueprint)
    return blueprint


def caller_key() -> str:
    """Per token (a digest of it, never the secret) when the call carries one, else per address."""
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return "api-token:" + hashlib.sha256(secret.strip().encode()).hexdigest()[:32]
    return "api-address:" + (request.remote_addr or "")


def own_employee_id() -> int:
    """The signed-in user's employee id; accounts without one (administrators) have no own records."""
    if current_user.employee_id is None:
        raise errors.not_found()
    return current_user.employee_id


class PageArgs(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class PageSchema(ma.Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)


def page_of(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A page schema: {"items": [...], "total", "page", "per_page", "pages"}."""
    return type(name, (PageSchema,), {"items": fields.List(fields.Nested(item_schema), required=True)})


def paginate(query, args: dict) -> dict:
    result = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False, count=True)
    return {"items": result.items, "total": result.total, "page": result.page, "per_page": result.per_page,
            "pages": result.pages}


def month_of(text: str) -> date:
    return date(int(text[:4]), int(text[5:7]), 1)


class MonthField(fields.String):
    """A month as 'YYYY-MM', loaded as its first day."""

    def __init__(self, **kwargs) -> None:
        metadata = {"example": "2026-11", "pattern": MONTH.pattern, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not MONTH.match(text):
            raise ma.ValidationError(_("Bulan tidak valid (format YYYY-MM)."))
        return month_of(text)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{value:%Y-%m}"


def date_field(**kwargs) -> fields.Date:
    return fields.Date(validate=validate.Range(min=EARLIEST, max=LATEST), **kwargs)


class DecisionResultSchema(ma.Schema):
    decided = fields.List(fields.Integer(), required=True)
    already_decided = fields.List(fields.Integer(), required=True)
    locked = fields.List(fields.Integer(), required=True)
    flagged = fields.List(fields.Integer(), required=True)


class CountSchema(ma.Schema):
    count = fields.Integer(required=True)
