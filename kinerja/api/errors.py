"""Every API error as {"error": {"code", "message", "fields"}}: stable codes, messages in the caller's language."""

from __future__ import annotations

from flask import current_app, jsonify
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from kinerja.errors import DomainError
from kinerja.extensions import db

# status -> (code, message)
HTTP_ERRORS = {
    400: ("bad_request", _l("Permintaan tidak valid.")),
    401: ("unauthorized", _l("Token tidak ada, tidak sah, kedaluwarsa atau sudah dicabut.")),
    403: ("not_allowed", _l("Anda tidak memiliki hak untuk tindakan ini.")),
    404: ("not_found", _l("Data tidak ditemukan atau bukan wewenang Anda.")),
    405: ("method_not_allowed", _l("Metode ini tidak diizinkan untuk alamat tersebut.")),
    409: ("conflict", _l("Data sudah berubah; muat ulang lalu coba lagi.")),
    413: ("too_large", _l("Berkas yang diunggah melebihi batas ukuran.")),
    415: ("unsupported_media_type", _l("Jenis isi permintaan tidak didukung.")),
    422: ("validation_failed", _l("Data yang dikirim tidak valid.")),
    429: ("rate_limited", _l("Terlalu banyak percobaan dalam waktu singkat. Tunggu beberapa menit lalu coba lagi.")),
    500: ("server_error", _l("Terjadi kesalahan pada server. Data Anda tidak berubah; silakan coba lagi.")),
    503: ("unavailable", _l("Layanan sementara tidak tersedia. Silakan coba lagi sebentar lagi.")),
}
DOMAIN_STATUS = {"validation_failed": 422, "not_allowed": 403, "conflict": 409}

# marshmallow's own messages, in the caller's language
FIELD_MESSAGES = {
    "Missing data for required field.": _l("Wajib diisi."),
    "Field may not be null.": _l("Tidak boleh kosong."),
    "Unknown field.": _l("Kolom tidak dikenal."),
    "Not a valid integer.": _l("Harus bilangan bulat."),
    "Not a valid number.": _l("Harus angka."),
    "Not a valid string.": _l("Harus teks."),
    "Not a valid date.": _l("Tanggal tidak valid (format YYYY-MM-DD)."),
    "Not a valid time.": _l("Jam tidak valid (format HH:MM)."),
    "Not a valid boolean.": _l("Harus true atau false."),
    "Not a valid list.": _l("Harus daftar."),
    "Invalid input type.": _l("Jenis data tidak valid."),
    "Invalid input.": _l("Masukan tidak valid."),
}


class ApiError(Exception):
    """An error the API answers directly, with its own code (e.g. password_change_required)."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def error_response(status: int, code: str, message: str, fields: dict | None = None, headers=None):
    response = jsonify(error={"code": code, "message": str(message), "fields": fields or {}})
    response.status_code = status
    if headers:
        response.headers.extend(headers)
    return response


def translate(message) -> str:
    text = str(message)
    return str(FIELD_MESSAGES.get(text, text))


def flatten(messages, prefix: str = "") -> dict[str, str]:
    """webargs' {"json": {"items": {"0": {"x": [...]}}}} -> {"items.0.x": "..."} (first message per field)."""
    fields: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            fields.update(flatten(value, name))
    elif isinstance(messages, list | tuple):
        if messages and all(isinstance(item, str) for item in messages):
            fields[prefix or "_schema"] = translate(messages[0])
        else:
            for item in messages:
                fields.update(flatten(item, prefix))
    else:
        fields[prefix or "_schema"] = translate(messages)
    return fields


LOCATIONS = {"json", "query", "form", "files", "multipart", "path", "view_args", "headers", "cookies", "json_or_form"}


def validation_fields(error: HTTPException) -> dict[str, str]:
    messages = (getattr(error, "data", None) or {}).get("messages", {})
    if isinstance(messages, dict) and set(messages) <= LOCATIONS:
        merged: dict[str, str] = {}
        for location_messages in messages.values():
            merged.update(flatten(location_messages))
        return merged
    return flatten(messages)


def handle_http(error: HTTPException):
    status = error.code or 500
    code, message = HTTP_ERRORS.get(status, ("error", error.description or ""))
    fields = validation_fields(error) if status == 422 else {}
    if status >= 500:
        db.session.rollback()
    headers = [(name, value) for name, value in error.get_headers() if name.lower() in ("allow", "retry-after")]
    return error_response(status, code, str(message), fields, headers)


def handle_domain(error: DomainError):
    db.session.rollback()
    status = DOMAIN_STATUS.get(error.code, 400)
    return error_response(status, error.code, error.message, {error.field: error.message} if error.field else {})


def handle_api(error: ApiError):
    db.session.rollback()
    return error_response(error.status, error.code, error.message, error.fields)


def handle_unavailable(error: OperationalError):
    db.session.rollback()
    current_app.logger.error("Database unavailable: %s", error)
    code, message = HTTP_ERRORS[503]
    return error_response(503, code, str(message), headers={"Retry-After": "30"})


def register(blueprint) -> None:
    """JSON errors for everything raised under the blueprint. Per status code too: Flask prefers the app's
    handlers for a code (the web's HTML pages) over a blueprint's handler for a class."""
    for status in HTTP_ERRORS:
        blueprint.register_error_handler(status, handle_http)
    blueprint.register_error_handler(HTTPException, handle_http)
    blueprint.register_error_handler(DomainError, handle_domain)
    blueprint.register_error_handler(ApiError, handle_api)
    blueprint.register_error_handler(OperationalError, handle_unavailable)


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("Data tidak ditemukan atau bukan wewenang Anda."))
