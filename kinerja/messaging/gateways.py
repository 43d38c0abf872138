"""Talking to a gateway: one HTTP request per message in the format of its kind, and what the answer means
(sent, try again later and when, or give up). Tokens are read from the environment at the moment of sending."""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from kinerja import clock, notify
from kinerja.models import GatewayKind, MessageGateway

TOKEN_ENV = re.compile(r"KINERJA_[A-Z0-9_]{1,50}")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
DEFAULT_BASE = {GatewayKind.CLOUD_API: "https://graph.facebook.com/v21.0",
                GatewayKind.TELEGRAM: "https://api.telegram.org"}
PERMANENT = frozenset({400, 404, 405, 410, 413, 422})  # the message itself is refused: trying again changes nothing
VERIFICATION = "verification"  # the one-time code that verifies a person's number (not a notice)
VERIFICATION_TEXT = _l("Kode verifikasi nomor Anda di Kinerja: %(code)s. Berlaku %(minutes)s menit. Jangan "
                       "berikan kode ini kepada siapa pun.")


@dataclass(frozen=True)
class Outgoing:
    key: str
    address: str
    kind: str
    params: dict
    body: str


@dataclass(frozen=True)
class Outcome:
    sent: bool
    retry: bool = True
    retry_after: float | None = None
    error: str = ""
    provider_id: str | None = None


def token(gateway: MessageGateway) -> str:
    """The gateway's token from the environment variable BKD named (only KINERJA_… ones may be named)."""
    if not TOKEN_ENV.fullmatch(gateway.token_env or ""):
        return ""
    return os.environ.get(gateway.token_env, "").strip()


def needs_token(gateway: MessageGateway) -> bool:
    return gateway.kind != GatewayKind.HTTP or bool(gateway.token_header)


def ready(gateway: MessageGateway | None) -> bool:
    """Switched on, pointed somewhere, and holding its token: otherwise its messages wait in the outbox."""
    if gateway is None or not gateway.enabled:
        return False
    if gateway.kind == GatewayKind.HTTP and not gateway.base_url:
        return False
    if gateway.kind == GatewayKind.CLOUD_API and not gateway.sender_id:
        return False
    return bool(token(gateway)) or not needs_token(gateway)


def sentence_of(kind: str) -> str:
    """The Indonesian sentence of a notice kind, or of the verification code."""
    with force_locale("id"):
        return str(VERIFICATION_TEXT if kind == VERIFICATION else notify.MESSAGES[kind])


def template_names(kind: str) -> list[str]:
    """The notice's parameters in the order they appear in its Indonesian sentence ({{1}}, {{2}}… of the
    approved WhatsApp template)."""
    return PLACEHOLDER.findall(sentence_of(kind))


def template_text(kind: str) -> str:
    """The Indonesian sentence to register as the WhatsApp template, with {{1}}, {{2}}… for the parameters."""
    sentence = sentence_of(kind)
    names = iter(range(1, 100))
    return PLACEHOLDER.sub(lambda _match: f"{{{{{next(names)}}}}}", sentence)


def base_url(gateway: MessageGateway) -> str:
    return (gateway.base_url or DEFAULT_BASE.get(gateway.kind, "")).rstrip("/")


def web_request(url: str, method: str, headers: dict, data: bytes | None = None) -> urllib.request.Request:
    """A request to an http(s) address only (BKD's URL is checked when saved; this holds whatever is stored)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("gateway address must be http(s)")
    return urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 - scheme checked


def build_request(gateway: MessageGateway, message: Outgoing) -> urllib.request.Request:
    secret = token(gateway)
    headers = {"Idempotency-Key": message.key, "User-Agent": "Kinerja"}
    if gateway.kind == GatewayKind.CLOUD_API:
        parameters = [{"type": "text", "text": str(message.params.get(name, ""))}
                      for name in template_names(message.kind)]
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": message.address,
                   "type": "template",
                   "template": {"name": gateway.template_prefix + message.kind, "language": {"code": "id"},
                                "components": [{"type": "body", "parameters": parameters}] if parameters else []}}
        headers |= {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        return web_request(f"{base_url(gateway)}/{gateway.sender_id}/messages", "POST", headers,
                           json.dumps(payload).encode())
    if gateway.kind == GatewayKind.TELEGRAM:
        headers["Content-Type"] = "application/json"
        payload = {"chat_id": message.address, "text": message.body}
        return web_request(f"{base_url(gateway)}/bot{secret}/sendMessage", "POST", headers,
                           json.dumps(payload).encode())
    fields = {name: str(value).replace("{phone}", message.address).replace("{message}", message.body)
              .replace("{kind}", message.kind) for name, value in json.loads(gateway.body_template or "{}").items()}
    if gateway.token_header:
        headers[gateway.token_header] = secret
    url = base_url(gateway)
    if gateway.method == "GET":
        separator = "&" if "?" in url else "?"
        return web_request(url + separator + urllib.parse.urlencode(fields), "GET", headers)
    if gateway.body_format == "form":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        data = urllib.parse.urlencode(fields).encode()
    else:
        headers["Content-Type"] = "application/json"
        data = json.dumps(fields, ensure_ascii=False).encode()
    return web_request(url, "POST", headers, data)


def retry_after(value: str | None, answer: dict) -> float | None:
    """Seconds to wait, from a Retry-After header (seconds or a date) or Telegram's parameters.retry_after."""
    telegram = (answer.get("parameters") or {}).get("retry_after") if isinstance(answer, dict) else None
    if isinstance(telegram, int | float):
        return float(telegram)
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - clock.utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None


def read_json(raw: bytes) -> dict:
    try:
        answer = json.loads(raw.decode("utf-8", "replace") or "{}")
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def provider_id(gateway: MessageGateway, answer: dict) -> str | None:
    if gateway.kind == GatewayKind.CLOUD_API:
        messages = answer.get("messages") or [{}]
        return str(messages[0].get("id") or "")[:120] or None
    if gateway.kind == GatewayKind.TELEGRAM:
        return str((answer.get("result") or {}).get("message_id") or "")[:120] or None
    value = answer.get("id") or answer.get("message_id")
    return str(value)[:120] if value else None


def deliver(gateway: MessageGateway, message: Outgoing, timeout: float) -> Outcome:
    """Send one message and say what happened; never raises for what the network or the gateway does."""
    try:
        request = build_request(gateway, message)
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - BKD's http(s) URL
            answer = read_json(response.read(65536))
    except urllib.error.HTTPError as error:
        raw = error.read(2048) if error.fp else b""
        answer = read_json(raw)
        text = " ".join(raw.decode("utf-8", "replace").split())[:150]
        wait = retry_after(error.headers.get("Retry-After"), answer) if error.code == 429 else None
        return Outcome(False, retry=error.code not in PERMANENT, retry_after=wait,
                       error=f"HTTP {error.code}: {text}".strip().rstrip(":"))
    except (TimeoutError, urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        kind = "timeout" if isinstance(reason, TimeoutError) or "timed out" in str(reason) else "network"
        return Outcome(False, error=f"{kind}: {reason}"[:200])
    if gateway.kind == GatewayKind.TELEGRAM and answer.get("ok") is not True:
        return Outcome(False, error=f"Telegram: {answer.get('description', '')}"[:200])
    failure = reported_failure(gateway, answer)
    if failure:  # HTTP 200 whose body says it was not sent: not a delivery, tried again later
        return Outcome(False, error=failure[:200])
    return Outcome(True, provider_id=provider_id(gateway, answer))


FAILED_STATUSES = frozenset({"false", "error", "failed", "fail", "gagal", "0"})


def reported_failure(gateway: MessageGateway, answer: dict) -> str:
    """What a gateway answering HTTP 200 says went wrong, or "" when it reports no failure: the Cloud API's
    `error` object; a local gateway's `{"status": false}` (Fonnte, Wablas…), `{"status": "error"}`,
    `{"success": false}` or a non-empty `error`, with its `reason`/`message`/`detail` as the text."""
    if gateway.kind == GatewayKind.CLOUD_API:
        error = answer.get("error")
        if not error:
            return ""
        if isinstance(error, dict):
            return f"Cloud API {error.get('code', '')}: {error.get('message', '')}".strip()
        return f"Cloud API: {error}"
    if gateway.kind != GatewayKind.HTTP:
        return ""
    status, success, error = answer.get("status"), answer.get("success"), answer.get("error")
    failed = (status is False or (isinstance(status, str) and status.strip().lower() in FAILED_STATUSES)
              or success is False or (bool(error) and status is not True and success is not True))
    if not failed:
        return ""
    detail = next((answer[name] for name in ("reason", "message", "detail", "error", "msg")
                   if answer.get(name) and not isinstance(answer[name], bool)), "")
    if isinstance(detail, dict):
        detail = detail.get("message") or json.dumps(detail, ensure_ascii=False)
    return f"gateway: {' '.join(str(detail).split()) or 'status ' + str(status)}"
