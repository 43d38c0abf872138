"""The client of BSrE's on-premise signing API (esign-client), as regencies run it.

Assumed shapes (from public clients of the API; see docs/tpp.md, "Tanda tangan elektronik"):
- `POST {base}/api/sign/pdf`, HTTP basic auth with the client id and secret, multipart/form-data: `file` (the
  PDF), `nik`, `passphrase`, `tampilan` (`visible` or `invisible`) and, when visible, `image=false`, `page`,
  `xAxis`, `yAxis`, `width`, `height` (PDF points from the lower left corner), `reason`, `location`;
- success: 200 with the signed PDF as the body (`application/pdf`), or 200 with JSON naming the document
  (`{"id_dokumen": "..."}`), then fetched with `GET {base}/api/sign/download/{id_dokumen}`;
- failure: a 4xx/5xx with JSON `{"status_code": <number>, "error": "<text>"}` (some versions say `message`).
  Known texts: a wrong passphrase ("Passphrase anda salah"), an expired or revoked certificate, an unknown NIK.

Every failure becomes a SigningFailed with a clear Indonesian message; the passphrase is sent once, never logged.
"""

from __future__ import annotations

import json
import logging
import secrets
import urllib.error
import urllib.request
from base64 import b64encode
from dataclasses import dataclass
from urllib.parse import quote

from flask_babel import gettext as _

from kinerja.errors import ValidationFailed
from kinerja.signatures.pades import Placement

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 60
MAX_RESPONSE_BYTES = 50 * 1024 * 1024


class SigningFailed(ValidationFailed):
    """BSrE refused or could not be reached; nothing was signed."""


@dataclass(frozen=True)
class BsreAccount:
    base_url: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class BsreRequest:
    nik: str
    passphrase: str
    placement: Placement
    reason: str = ""
    location: str = ""


def form_fields(request: BsreRequest) -> list[tuple[str, str]]:
    fields = [("nik", request.nik), ("passphrase", request.passphrase),
              ("tampilan", "visible" if request.placement.visible else "invisible")]
    box = request.placement
    if box.visible:
        fields += [("image", "false"), ("page", str(box.page)), ("xAxis", str(box.x)), ("yAxis", str(box.y)),
                   ("width", str(box.width)), ("height", str(box.height))]
    if request.reason:
        fields.append(("reason", request.reason))
    if request.location:
        fields.append(("location", request.location))
    return fields


def multipart(fields: list[tuple[str, str]], file_name: str, content: bytes) -> tuple[bytes, str]:
    boundary = "kinerja-" + secrets.token_hex(12)
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                     + value.encode() + b"\r\n")
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{quote(file_name)}"\r\n'
                 f"Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def refusal(status: int, body: bytes) -> SigningFailed:
    """The Indonesian message for what BSrE answered."""
    try:
        answer = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        answer = {}
    if not isinstance(answer, dict):
        answer = {}
    text = str(answer.get("error") or answer.get("message") or "")[:300]
    code = str(answer.get("status_code") or "")
    lowered = text.lower()
    log.warning("BSrE refused the signing: HTTP %s, status_code %s, %s", status, code, text)
    if "passphrase" in lowered or code == "2031":
        return SigningFailed(_("Passphrase salah. Periksa passphrase sertifikat elektronik Anda lalu coba lagi."),
                             field="passphrase")
    if any(word in lowered for word in ("expired", "kadaluarsa", "kedaluwarsa", "revoked", "dicabut")):
        return SigningFailed(_("Sertifikat elektronik Anda sudah kedaluwarsa atau dicabut. Perbarui sertifikat "
                               "di BSrE lalu coba lagi."), field="passphrase")
    if "nik" in lowered or "tidak terdaftar" in lowered or code == "2011":
        return SigningFailed(_("NIK tidak terdaftar sebagai pemilik sertifikat elektronik di BSrE."), field="nik")
    if status >= 500 or status in (502, 503, 504):
        return SigningFailed(_("Layanan tanda tangan elektronik BSrE sedang bermasalah (HTTP %(status)s). "
                               "Dokumen belum ditandatangani; coba lagi nanti.", status=status))
    if status in (401, 403):
        return SigningFailed(_("Aplikasi ditolak oleh layanan BSrE (akun klien salah). Hubungi admin BKD."))
    return SigningFailed(_("Layanan BSrE menolak penandatanganan: %(detail)s", detail=text or f"HTTP {status}"))


def call(request: urllib.request.Request) -> tuple[bytes, str]:
    try:
        # The address is checked to be http(s) in `authorised` (and by BKD's setup form).
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.read(MAX_RESPONSE_BYTES + 1), response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        raise refusal(error.code, error.read(64 * 1024)) from None
    except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as error:
        log.warning("BSrE unreachable at %s: %s", request.full_url, error)
        raise SigningFailed(_("Layanan tanda tangan elektronik BSrE tidak dapat dihubungi. Dokumen belum "
                              "ditandatangani; coba lagi nanti.")) from None


def authorised(account: BsreAccount, url: str, **options) -> urllib.request.Request:
    if not url.startswith(("http://", "https://")):
        raise SigningFailed(_("Alamat layanan BSrE tidak valid. Hubungi admin BKD."))
    request = urllib.request.Request(url, **options)  # noqa: S310 (http or https only, checked above)
    token = b64encode(f"{account.client_id}:{account.client_secret}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    return request


def sign_pdf(account: BsreAccount, content: bytes, file_name: str, request: BsreRequest) -> bytes:
    """The PDF signed by BSrE for the NIK's certificate; SigningFailed with the reason otherwise."""
    body, content_type = multipart(form_fields(request), file_name, content)
    base = account.base_url.rstrip("/")
    answer, kind = call(authorised(account, f"{base}/api/sign/pdf", data=body, method="POST",
                                   headers={"Content-Type": content_type}))
    if kind == "application/json" or not answer.startswith(b"%PDF"):
        try:
            document_id = str(json.loads(answer.decode("utf-8", "replace")).get("id_dokumen") or "")
        except (ValueError, AttributeError):
            document_id = ""
        if not document_id:
            raise SigningFailed(_("Jawaban layanan BSrE tidak dikenali; dokumen belum ditandatangani."))
        answer, kind = call(authorised(account, f"{base}/api/sign/download/{quote(document_id, safe='')}"))
    if len(answer) > MAX_RESPONSE_BYTES or not answer.startswith(b"%PDF"):
        raise SigningFailed(_("Jawaban layanan BSrE tidak dikenali; dokumen belum ditandatangani."))
    return answer
