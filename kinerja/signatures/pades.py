"""Local PAdES signing with pyHanko from a PKCS#12 file, and the check of a signed PDF's signatures.

The passphrase comes from the signer at each signing and is never kept. Validation does not fetch anything from
the network (no OCSP/CRL look-ups): a signature is trusted when its certificate chains to one of the regency's
trust roots and is valid now.
"""

from __future__ import annotations

import asyncio
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from flask_babel import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from kinerja import clock
from kinerja.errors import ValidationFailed

log = logging.getLogger(__name__)
FIELD_NAME = "TTE"


@dataclass(frozen=True)
class Placement:
    """Where a visible signature goes: page 1-based (0 the last), box in PDF points from the lower left."""

    visible: bool
    page: int
    x: int
    y: int
    width: int
    height: int


def load_signer(pkcs12: bytes, passphrase: str) -> signers.SimpleSigner:
    """The signer from the PKCS#12 file; a wrong passphrase or an expired certificate is refused."""
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(pkcs12, other_certs=[], passphrase=passphrase.encode())
    except ValueError as error:
        raise ValidationFailed(_("Passphrase salah, atau berkas sertifikat tidak dapat dibuka."),
                               field="passphrase") from error
    certificate = signer.signing_cert
    now = clock.utcnow()
    if certificate.not_valid_after < now:
        raise ValidationFailed(_("Sertifikat elektronik penanda tangan sudah kedaluwarsa (berlaku sampai "
                                 "%(date)s). Perpanjang sertifikat lebih dulu.",
                                 date=certificate.not_valid_after.date().isoformat()), field="passphrase")
    if certificate.not_valid_before > now:
        raise ValidationFailed(_("Sertifikat elektronik penanda tangan belum berlaku."), field="passphrase")
    return signer


def run_coroutine(coroutine):
    """Run one of pyHanko's coroutines to its end from synchronous code. pyHanko's own synchronous wrappers call
    asyncio.run(), which fails in a thread whose event loop already runs (a worker or tool that uses asyncio);
    there the coroutine runs on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def sign_local(content: bytes, pkcs12: bytes, passphrase: str, placement: Placement, *, reason: str,
               location: str) -> bytes:
    """The PDF with a PAdES signature added as an incremental update (the signed bytes are the input's)."""
    signer = load_signer(pkcs12, passphrase)
    writer = IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
    spec = None
    if placement.visible:
        pages = int(writer.root["/Pages"]["/Count"])
        page = pages - 1 if placement.page == 0 else min(max(placement.page, 1), pages) - 1
        spec = fields.SigFieldSpec(FIELD_NAME, on_page=page, box=(
            placement.x, placement.y, placement.x + placement.width, placement.y + placement.height))
    metadata = signers.PdfSignatureMetadata(field_name=FIELD_NAME, reason=reason, location=location,
                                            subfilter=fields.SigSeedSubFilter.PADES)
    output = io.BytesIO()
    run_coroutine(signers.PdfSigner(metadata, signer=signer, new_field_spec=spec).async_sign_pdf(writer, output=output))
    return output.getvalue()


def certificate_name(certificate: asn1_x509.Certificate) -> str:
    names = certificate.subject.native
    return str(names.get("common_name") or certificate.subject.human_friendly)


@dataclass(frozen=True)
class SignatureCheck:
    signer: str  # the certificate's common name
    issuer: str
    signed_at: datetime | None  # as the signer reported it
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the cryptographic signature is right
    trusted: bool  # the certificate chains to a trust root and is valid now
    whole_file: bool  # nothing was added after the signature

    @property
    def good(self) -> bool:
        return self.intact and self.valid and self.trusted and self.whole_file


def read_trust_roots(pem_bundle: bytes) -> list[asn1_x509.Certificate]:
    roots = []
    if pem.detect(pem_bundle):
        for _type, _headers, der in pem.unarmor(pem_bundle, multiple=True):
            roots.append(asn1_x509.Certificate.load(der))
    elif pem_bundle:
        roots.append(asn1_x509.Certificate.load(pem_bundle))
    return roots


def check_signatures(content: bytes, trust_roots: list[asn1_x509.Certificate]) -> list[SignatureCheck] | None:
    """Each embedded signature's status, in signing order; None when the file cannot be read as a PDF."""
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        embedded = reader.embedded_signatures
    except Exception as error:  # a damaged file: the page says so instead of failing
        log.warning("Signed PDF could not be read: %s", error)
        return None
    checks = []
    for signature in embedded:
        context = ValidationContext(trust_roots=trust_roots, allow_fetching=False, revocation_mode="soft-fail")
        try:
            status = run_coroutine(async_validate_pdf_signature(signature, context))
        except Exception as error:
            log.warning("Signature could not be validated: %s", error)
            checks.append(SignatureCheck("?", "?", None, False, False, False, False))
            continue
        certificate = status.signing_cert
        checks.append(SignatureCheck(
            certificate_name(certificate), str(certificate.issuer.native.get("common_name") or ""),
            status.signer_reported_dt, bool(status.intact), bool(status.valid), bool(status.trusted),
            status.coverage == SignatureCoverageLevel.ENTIRE_FILE))
    return checks
