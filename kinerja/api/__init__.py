"""The JSON API under /api/v1: personal access tokens, the same services and permission checks as the web pages,
JSON errors with stable codes, and an OpenAPI 3 document generated from the schemas that validate requests."""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, Flask, current_app, jsonify, render_template, request, url_for
from flask_babel import get_locale
from flask_smorest import Api
from marshmallow import fields
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map

from kinerja.api import auth, cors, errors
from kinerja.extensions import csrf, limiter

SWAGGER_UI = "vendor/swagger-ui-5.35.0"


class ErrorBodySchema(ma.Schema):
    code = fields.String(required=True, metadata={"example": "validation_failed"})
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class ErrorSchema(ma.Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class KinerjaApi(Api):
    """flask-smorest's Api, documenting our error shape and leaving the web pages' error handlers alone (the API's
    blueprints answer their own errors as JSON)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        return None


api = KinerjaApi(spec_kwargs={"security": [{"bearerAuth": []}]})

meta = Blueprint("api_meta", __name__)
errors.register(meta)
csrf.exempt(meta)


@meta.route("/api/v1/docs")
@limiter.exempt
def docs():
    """Interactive documentation: Swagger UI, vendored, started by static/js/api-docs.js (no inline script)."""
    return render_template("api/docs.html", spec_url=url_for("api-docs.openapi_json"), swagger_ui=SWAGGER_UI,
                           lang=str(get_locale()))


@meta.route("/api/v1", strict_slashes=False)
def index():
    return jsonify(openapi=url_for("api-docs.openapi_json"), docs=url_for("api_meta.docs"))


@meta.route("/api/v1/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str):
    """An address the API does not have: 404, or 405 when it exists for other methods."""
    allowed = real_routes().bind_to_environ(request.environ).allowed_methods()
    allowed = sorted(set(allowed) - {"HEAD", "OPTIONS"})
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
    raise NotFound()


def real_routes() -> Map:
    """The API's own routes, without this catch-all (cached per app)."""
    state = current_app.extensions.setdefault("kinerja-api", {})
    if "routes" not in state:
        rules = [rule.empty() for rule in current_app.url_map.iter_rules()
                 if rule.rule.startswith("/api/") and rule.endpoint != "api_meta.unknown"]
        state["routes"] = Map(rules, converters=current_app.url_map.converters)
    return state["routes"]


def init_app(app: Flask) -> None:
    """Register the API: its request hooks first (they run before the web's session rules), then its blueprints."""
    from kinerja.api import (
        activities,
        attendance,
        corrections,
        master,
        me,
        monthly,
        reports,
        review,
        token_views,
        tpp,
    )

    app.config.setdefault("API_TITLE", "Kinerja API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.session_interface = auth.NoApiSessions(app.session_interface)
    app.before_request(auth.prepare_api_request)
    app.before_request(cors.preflight)
    app.after_request(cors.add_headers)
    app.after_request(auth.no_cookies)

    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "POST /api/v1/tokens"})
    for module in (token_views, me, master, activities, monthly, review, attendance, reports, tpp, corrections):
        api.register_blueprint(module.bp)
    app.register_blueprint(meta)
    limiter.exempt(app.blueprints["api-docs"])
