"""CORS for the API: off unless API_CORS_ORIGINS lists origins; then only those get the headers and preflights."""

from __future__ import annotations

from flask import current_app, request

from kinerja.api.auth import is_api_request

ALLOWED_HEADERS = "Authorization, Content-Type, Accept-Language"
ALLOWED_METHODS = "GET, POST, PUT, DELETE"


def allowed_origin() -> str | None:
    origin = request.headers.get("Origin")
    if not origin or not is_api_request(request):
        return None
    return origin if origin in (current_app.config.get("API_CORS_ORIGINS") or []) else None


def preflight():
    """Answer a preflight for an allowed origin; other OPTIONS requests go on as usual."""
    if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method") and allowed_origin():
        response = current_app.make_response(("", 204))
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
        return response
    return None


def add_headers(response):
    origin = allowed_origin()
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "Content-Disposition, Retry-After"
        response.vary.add("Origin")
    return response
