"""Logging and request ids.

Every request carries an id: a sane incoming X-Request-ID (set by the proxy) or a fresh one. It is returned in the
X-Request-ID response header, printed on the error pages so a user can quote it, and written on every log line the
request produces. Lines are readable text by default, or one JSON object a line with LOG_FORMAT=json (production
behind a log collector). LOG_LEVEL (default INFO) sets the level of the app's loggers.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id may look like (uuid, hex, base64url-ish, with dots/colons/dashes); anything else is replaced.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,99}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
HANDLER_NAME = "kinerja"


def request_id() -> str:
    """This request's id (made on first use); "-" outside a request."""
    if not has_request_context():
        return "-"
    if "request_id" not in g:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Puts the request id (and, for JSON, the method and path) on each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        if has_request_context():
            record.method, record.path = request.method, request.path
        return True


class JSONFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request id, and the exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for name in ("method", "path"):
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is written (gunicorn and pytest may swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def install_handler(log_format: str, log_level: str) -> None:
    """Give the root logger one handler of ours (replacing an earlier one) and the level; "kinerja" (the app's
    logger and its modules': kinerja.jobs.runner, ...) gets the level too."""
    log_format = (log_format or "text").lower()
    if log_format not in ("text", "json"):
        raise RuntimeError(f"LOG_FORMAT must be text or json, not {log_format!r}")
    level = logging.getLevelName(str(log_level or "INFO").upper())
    if not isinstance(level, int):
        raise RuntimeError(f"LOG_LEVEL {log_level!r} is not a logging level")
    handler = StderrHandler()
    handler.set_name(HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JSONFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in [old for old in root.handlers if old.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("kinerja").setLevel(level)


def configure_logging(app: Flask) -> None:
    """Log lines as LOG_FORMAT says at LOG_LEVEL; a request id on every request."""
    install_handler(app.config.get("LOG_FORMAT"), app.config.get("LOG_LEVEL"))

    app.add_template_global(request_id, "request_id")

    @app.after_request
    def send_request_id(response):
        response.headers[REQUEST_ID_HEADER] = request_id()
        return response
