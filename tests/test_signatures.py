"""Electronic signatures (TTE, PAdES): BKD's setup, signing an employee's monthly report locally with a PKCS#12
file and through a BSrE service (a local HTTP server speaking its shapes), the signed versions, and the public
verification page checking them with pyHanko against a throwaway certificate authority made here."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import func, select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from kinerja import clock
from kinerja.extensions import db as _db
from kinerja.models import AuditEntry, ReportDocument, SignedDocument
from kinerja.reports import store
from kinerja.signatures import pades, services
from tests.test_reports import file_activities, login

PASSPHRASE = "rahasia-TTE-123"
NIK = "3201010101010001"


# --- A throwaway certificate authority ------------------------------------------------------------------------

def name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"), x509.NameAttribute(NameOID.COMMON_NAME, common)])


class Authority:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = clock.utcnow()
        self.cert = (x509.CertificateBuilder().subject_name(name("CA Uji Kinerja")).issuer_name(name("CA Uji Kinerja"))
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - timedelta(days=400)).not_valid_after(now + timedelta(days=3650))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False),
                                    critical=True)
                     .sign(self.key, hashes.SHA256()))

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def signer(self, common: str, days_left: int = 730) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = clock.utcnow()
        cert = (x509.CertificateBuilder().subject_name(name(common)).issuer_name(self.cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=365)).not_valid_after(now + timedelta(days=days_left))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                               critical=True)
                .sign(self.key, hashes.SHA256()))
        return key, cert

    def pkcs12(self, common: str, days_left: int = 730) -> bytes:
        key, cert = self.signer(common, days_left)
        return pkcs12.serialize_key_and_certificates(
            b"signer", key, cert, [self.cert], serialization.BestAvailableEncryption(PASSPHRASE.encode()))


@pytest.fixture(autouse=True)
def report_folder(app, tmp_path, monkeypatch):
    """A store of this test's own, so that files left by others are not counted."""
    monkeypatch.setitem(app.config, "REPORT_FOLDER", str(tmp_path / "laporan"))


@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority()


def pyhanko_status(content: bytes, authority: Authority):
    reader = PdfFileReader(io.BytesIO(content))
    assert len(reader.embedded_signatures) == 1
    from asn1crypto import x509 as asn1_x509
    root = asn1_x509.Certificate.load(authority.cert.public_bytes(serialization.Encoding.DER))
    # pyHanko's validator, run as the app runs it: also when an event loop already runs (the browser tests').
    return pades.run_coroutine(async_validate_pdf_signature(reader.embedded_signatures[0],
                                                      ValidationContext(trust_roots=[root])))


# --- Helpers --------------------------------------------------------------------------------------------------

def configure(client, org, **fields):
    login(client, org.bkd_admin)
    data = {"mode": "none", "page": "1", "box_x": "400", "box_y": "60", "box_width": "160", "box_height": "60"}
    data.update(fields)
    response = client.post("/tte/pengaturan", data=data)
    client.post("/keluar")
    return response


def local_setup(client, org, tmp_path: Path, authority: Authority, days_left: int = 730):
    p12 = tmp_path / "pemda.p12"
    p12.write_bytes(authority.pkcs12("Penilai A", days_left))
    roots = tmp_path / "akar.pem"
    roots.write_bytes(authority.pem())
    response = configure(client, org, mode="local", pkcs12_path=str(p12), trust_roots_path=str(roots), visible="y")
    assert response.status_code == 302, response.get_data(as_text=True)


def stored_report(client, org) -> ReportDocument:
    """The appraiser opens the subordinate's report for signing: the stored PDF (rendered now)."""
    file_activities(org.staff_a, 2)
    login(client, org.appraiser_a)
    response = client.get(f"/tte/laporan/pegawai/{org.staff_a.id}/2026-10")
    assert response.status_code == 302
    document = _db.session.scalar(select(ReportDocument).where(ReportDocument.kind == store.PDF))
    assert response.headers["Location"].endswith(f"/tte/laporan/{document.id}")
    return document


def signed_files(app) -> list[Path]:
    root = Path(app.config["REPORT_FOLDER"]) / "signed"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def signed_count() -> int:
    return _db.session.scalar(select(func.count()).select_from(SignedDocument))


# --- Setup ----------------------------------------------------------------------------------------------------

def test_setup_is_bkd_only_checked_and_audited(client, org, tmp_path, authority):
    login(client, org.agency_admin_a)
    assert client.get("/tte/pengaturan").status_code in (403, 404)
    client.post("/keluar")
    response = configure(client, org, mode="local", pkcs12_path=str(tmp_path / "tidak-ada.p12"))
    assert response.status_code == 200 and "tidak dapat dibaca" in response.get_data(as_text=True)
    response = configure(client, org, mode="bsre", bsre_base_url="http://10.0.0.5",
                         bsre_client_id_env="rahasia sebenarnya", bsre_client_secret_env="BSRE_SECRET")
    assert "bukan rahasianya" in response.get_data(as_text=True)
    local_setup(client, org, tmp_path, authority)
    entry = _db.session.scalar(select(AuditEntry).where(AuditEntry.action == "change_signing"))
    assert entry is not None and "local" in entry.reason and "pemda.p12" in entry.reason


# --- Local signing --------------------------------------------------------------------------------------------

def test_appraiser_signs_locally_twice_and_the_verification_page_checks_it(app, client, org, tmp_path, authority):
    local_setup(client, org, tmp_path, authority)
    document = stored_report(client, org)
    unsigned = store.path_of(document)
    unsigned_hash = hashlib.sha256(unsigned.read_bytes()).hexdigest()
    page = client.get(f"/tte/laporan/{document.id}").get_data(as_text=True)
    assert 'name="passphrase"' in page and 'name="nik"' not in page

    response = client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE})
    assert response.status_code == 302
    signed = _db.session.scalar(select(SignedDocument))
    assert signed.version == 1 and signed.mode == "local" and signed.signer_employee_id == org.appraiser_a.id
    content = client.get(f"/tte/laporan/{document.id}/v1.pdf").data
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == signed.sha256
    status = pyhanko_status(content, authority)
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == "Penilai A"
    # The unsigned file is untouched and is the first part of the signed one (an incremental update).
    assert hashlib.sha256(unsigned.read_bytes()).hexdigest() == unsigned_hash
    assert content.startswith(unsigned.read_bytes())
    assert PASSPHRASE not in json.dumps([entry.reason for entry in _db.session.scalars(select(AuditEntry))])
    assert PASSPHRASE not in client.get(f"/tte/laporan/{document.id}").get_data(as_text=True)

    assert client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE}).status_code == 302
    assert [item.version for item in services.versions(document.id)] == [1, 2]
    assert len(signed_files(app)) == 2
    audit_rows = list(_db.session.scalars(select(AuditEntry).where(AuditEntry.action == "sign_document")))
    assert len(audit_rows) == 2 and audit_rows[0].object_id == document.id

    client.post("/keluar")
    public = client.get(f"/laporan/verifikasi/{document.code}").get_data(as_text=True)
    assert public.count("Tanda tangan sah") == 2 and "Penilai A" in public and "CA Uji Kinerja" in public


def test_a_changed_signed_file_is_reported_as_not_valid(app, client, org, tmp_path, authority):
    local_setup(client, org, tmp_path, authority)
    document = stored_report(client, org)
    client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE})
    path = services.signed_path(_db.session.scalar(select(SignedDocument)), document)
    content = bytearray(path.read_bytes())
    at = content.index(b"Staf A")
    content[at:at + 6] = b"Staf B"
    path.write_bytes(bytes(content))
    public = client.get(f"/laporan/verifikasi/{document.code}").get_data(as_text=True)
    assert "Tanda tangan TIDAK sah" in public or "tidak dapat dibaca" in public


def test_wrong_passphrase_and_expired_certificate_store_nothing(app, client, org, tmp_path, authority):
    local_setup(client, org, tmp_path, authority)
    document = stored_report(client, org)
    page = client.post(f"/tte/laporan/{document.id}", data={"passphrase": "keliru"}).get_data(as_text=True)
    assert "Passphrase salah" in page and signed_count() == 0 and signed_files(app) == []

    client.post("/keluar")
    local_setup(client, org, tmp_path, authority, days_left=-1)
    login(client, org.appraiser_a)
    page = client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE}).get_data(as_text=True)
    assert "sudah kedaluwarsa" in page and signed_count() == 0 and signed_files(app) == []
    assert _db.session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "sign_document")) == 0


def test_who_may_sign_scope_and_csrf(app, client, org, tmp_path, authority, monkeypatch):
    local_setup(client, org, tmp_path, authority)
    document = stored_report(client, org)
    client.post("/keluar")
    # The employee sees their report but does not sign it.
    login(client, org.staff_a)
    page = client.get(f"/tte/laporan/{document.id}").get_data(as_text=True)
    assert 'name="passphrase"' not in page
    client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE})
    assert signed_count() == 0
    client.post("/keluar")
    # Another agency's head: 404 for the page, the signing and the files.
    login(client, org.head_b)
    assert client.get(f"/tte/laporan/{document.id}").status_code == 404
    assert client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE}).status_code == 404
    assert client.get(f"/tte/laporan/pegawai/{org.staff_a.id}/2026-10").status_code == 404
    client.post("/keluar")
    # The Kepala OPD of the employee signs.
    login(client, org.head_a)
    assert client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE}).status_code == 302
    assert signed_count() == 1
    client.post("/keluar")
    login(client, org.head_b)
    assert client.get(f"/tte/laporan/{document.id}/v1.pdf").status_code == 404
    client.post("/keluar")
    # CSRF
    login(client, org.appraiser_a)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE}).status_code == 400
    assert client.post("/tte/pengaturan", data={"mode": "none"}).status_code == 400
    assert signed_count() == 1


# --- BSrE -----------------------------------------------------------------------------------------------------

class FakeBsre:
    """A local BSrE signing service: basic auth, POST /api/sign/pdf multipart, signs with the test CA; can
    answer a wrong passphrase, an expired certificate, or fail with 500."""

    def __init__(self, authority: Authority) -> None:
        self.pkcs12 = authority.pkcs12("Kepala BSrE Uji")
        self.fail_with_500 = False
        self.requests: list[dict] = []
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @Request.application
    def app(self, request: Request) -> Response:
        if request.authorization is None or (request.authorization.username, request.authorization.password) != (
                "klien-uji", "rahasia-klien"):
            return Response(json.dumps({"status_code": 401, "error": "Unauthorized"}), 401,
                            mimetype="application/json")
        if request.path != "/api/sign/pdf" or request.method != "POST":
            return Response("not found", 404)
        sent = {key: request.form[key] for key in request.form}
        self.requests.append(sent | {"file": request.files["file"].filename})
        if self.fail_with_500:
            return Response("<html>Internal Server Error</html>", 500)
        if request.form["nik"] == "3201010101019999":
            return Response(json.dumps({"status_code": 2021, "error": "Sertifikat user sudah expired"}), 400,
                            mimetype="application/json")
        if request.form["passphrase"] != PASSPHRASE:
            return Response(json.dumps({"status_code": 2031, "error": "Passphrase anda salah"}), 400,
                            mimetype="application/json")
        placement = pades.Placement(request.form["tampilan"] == "visible", int(request.form.get("page", 1)),
                                    int(request.form.get("xAxis", 0)), int(request.form.get("yAxis", 0)),
                                    int(request.form.get("width", 100)), int(request.form.get("height", 50)))
        signed = pades.sign_local(request.files["file"].read(), self.pkcs12, PASSPHRASE, placement,
                                  reason=request.form.get("reason", ""), location=request.form.get("location", ""))
        return Response(signed, 200, mimetype="application/pdf")


@pytest.fixture()
def bsre(authority, monkeypatch):
    service = FakeBsre(authority)
    service.thread.start()
    monkeypatch.setenv("KINERJA_TEST_BSRE_ID", "klien-uji")
    monkeypatch.setenv("KINERJA_TEST_BSRE_SECRET", "rahasia-klien")
    yield service
    service.server.shutdown()


def bsre_setup(client, org, url: str, tmp_path, authority):
    roots = tmp_path / "akar.pem"
    roots.write_bytes(authority.pem())
    response = configure(client, org, mode="bsre", bsre_base_url=url, bsre_client_id_env="KINERJA_TEST_BSRE_ID",
                         bsre_client_secret_env="KINERJA_TEST_BSRE_SECRET", trust_roots_path=str(roots), visible="y",
                         page="0", box_x="380", box_y="50", box_width="150", box_height="50")
    assert response.status_code == 302, response.get_data(as_text=True)


def test_bsre_signs_with_nik_and_passphrase(app, client, org, tmp_path, authority, bsre):
    bsre_setup(client, org, bsre.url, tmp_path, authority)
    document = stored_report(client, org)
    assert 'name="nik"' in client.get(f"/tte/laporan/{document.id}").get_data(as_text=True)
    response = client.post(f"/tte/laporan/{document.id}", data={"nik": NIK, "passphrase": PASSPHRASE})
    assert response.status_code == 302
    sent = bsre.requests[-1]
    assert sent["nik"] == NIK and sent["tampilan"] == "visible" and sent["page"] == "1"
    assert (sent["xAxis"], sent["yAxis"], sent["width"], sent["height"]) == ("380", "50", "150", "50")
    assert sent["file"].endswith(".pdf")
    signed = _db.session.scalar(select(SignedDocument))
    assert signed.mode == "bsre" and signed.version == 1
    status = pyhanko_status(client.get(f"/tte/laporan/{document.id}/v1.pdf").data, authority)
    assert status.intact and status.valid and status.trusted
    client.post("/keluar")
    public = client.get(f"/laporan/verifikasi/{document.code}").get_data(as_text=True)
    assert "Tanda tangan sah" in public and "Kepala BSrE Uji" in public


@pytest.mark.parametrize("case, expected", [
    ("passphrase", "Passphrase salah"),
    ("expired", "sudah kedaluwarsa atau dicabut"),
    ("500", "sedang bermasalah (HTTP 500)"),
    ("down", "tidak dapat dihubungi"),
])
def test_bsre_failures_give_a_clear_message_and_store_nothing(app, client, org, tmp_path, authority, bsre, case,
                                                              expected):
    url = bsre.url
    if case == "down":
        bsre.server.shutdown()
        bsre.server.server_close()
    bsre.fail_with_500 = case == "500"
    bsre_setup(client, org, url, tmp_path, authority)
    document = stored_report(client, org)
    data = {"nik": "3201010101019999" if case == "expired" else NIK,
            "passphrase": "keliru" if case == "passphrase" else PASSPHRASE}
    page = client.post(f"/tte/laporan/{document.id}", data=data).get_data(as_text=True)
    assert expected in page
    assert signed_count() == 0 and signed_files(app) == []
