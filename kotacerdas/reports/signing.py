"""PAdES signatures (pyHanko) with the PKCS#12 signer from configuration, and their verification.

The signer is ``KOTACERDAS_SIGNER_P12`` with ``KOTACERDAS_SIGNER_PASSWORD`` (or ``…_PASSWORD_FILE``). Without
one, the demo signer that ``load-demo`` creates under ``var/signer/`` is used: a local certification
authority and a signing certificate it issued, good for demonstrations and tests, not for real letters.

Documents are *certified* (DocMDP "no changes"): any later change, even a legitimate-looking incremental
update, makes verification fail. Trust anchors are the self-signed certificates found in the PKCS#12 file
(its CA chain), or the signer's own certificate when the file carries no chain.
"""

import hashlib
import io
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Final

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.signers.constants import ESIC_EXTENSION_1
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)
DEMO_P12 = "demo-signer.p12"
DEMO_PASSWORD = "demo-signer.password"
DEMO_CA = "demo-ca.pem"
FIELD_NAME = "TandaTanganKotaCerdas"
# Room for the CMS signature container: ample for an RSA-4096 or ECDSA signer with a chain of a few CAs.
SIGNATURE_BYTES = 16_384


# The documents are PDF/A-2b, which is based on PDF 1.7: the signature must not raise the declared version.
PDF_VERSION: Final = (1, 7)


class SignerNotConfigured(Exception):
    pass


class _Pdf17Signer(signers.PdfSigner):
    """pyHanko's signer without its automatic move to PDF 2.0.

    For an ECDSA key on a curve that ISO 32002 names (P-256 among them) pyHanko registers that extension and
    writes ``/Version /2.0`` into the catalog of the signed revision, so readers call a PDF/A-2b file "PDF
    2.0", which PDF/A-2 does not allow. ECDSA with SHA-256 is already part of PDF 1.7 with the PAdES (ESIC)
    extension, which is all this registers.
    """

    def register_extensions(self, pdf_out: BasePdfFileWriter, *, md_algorithm: str) -> None:
        pdf_out.ensure_output_version(version=PDF_VERSION)  # type: ignore[no-untyped-call]
        pdf_out.register_extension(ESIC_EXTENSION_1)


@dataclass(frozen=True)
class LoadedSigner:
    signer: signers.SimpleSigner
    trust_roots: tuple[asn1_x509.Certificate, ...]
    subject: str
    fingerprint: str


@dataclass(frozen=True)
class SignatureCheck:
    """The cryptographic verdict on a PDF's signature (the register is consulted elsewhere)."""

    ok: bool
    reason: str
    signer_subject: str = ""
    signer_fingerprint: str = ""
    signed_at: datetime | None = None


def _signer_source() -> tuple[Path, bytes]:
    configured = getattr(settings, "REPORT_SIGNER_P12", "")
    if configured:
        return Path(configured), str(getattr(settings, "REPORT_SIGNER_PASSWORD", "")).encode()
    directory = Path(settings.REPORT_DEMO_SIGNER_DIR)
    p12, password = directory / DEMO_P12, directory / DEMO_PASSWORD
    if not p12.exists():
        raise SignerNotConfigured(
            "penanda tangan laporan belum diatur: isi KOTACERDAS_SIGNER_P12 dan KOTACERDAS_SIGNER_PASSWORD "
            "(atau …_PASSWORD_FILE), atau jalankan `kotacerdas load-demo` untuk membuat penanda tangan demo"
        )
    return p12, password.read_text(encoding="utf-8").strip().encode()


def load_signer() -> LoadedSigner:
    """The configured signer, loaded once per process (again when the file changes)."""
    path, password = _signer_source()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise SignerNotConfigured(f"{path}: berkas penanda tangan tidak dapat dibaca") from exc
    return _load_signer(path, stamp, password)


@lru_cache(maxsize=4)
def _load_signer(path: Path, stamp: int, password: bytes) -> LoadedSigner:
    data = path.read_bytes()
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, password or None)
    except ValueError as exc:
        raise SignerNotConfigured(f"{path}: berkas PKCS#12 tidak dapat dibuka (kata sandi salah?)") from exc
    if key is None or certificate is None:
        raise SignerNotConfigured(f"{path}: berkas PKCS#12 tidak memuat kunci dan sertifikat")
    signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=password or None)
    roots = [c for c in chain if c.issuer == c.subject] or [certificate]
    return LoadedSigner(
        signer=signer,
        trust_roots=tuple(
            asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in roots
        ),
        subject=certificate.subject.rfc4514_string(),
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
    )


def sign_pdf(pdf: bytes, *, reason: str, location: str) -> tuple[bytes, LoadedSigner, int]:
    """Certify ``pdf`` with the configured signer (PAdES B-B, SHA-256, no later changes permitted).

    Returns the signed bytes, the signer and the document's page count.
    """
    loaded = load_signer()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    pages = int(writer.root["/Pages"]["/Count"])
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=MDPPerm.NO_CHANGES,
        reason=reason,
        location=location,
    )
    # A fixed reservation spares pyHanko a trial signature to size the container.
    out = _Pdf17Signer(metadata, signer=loaded.signer).sign_pdf(writer, bytes_reserved=SIGNATURE_BYTES)
    return out.getvalue(), loaded, pages


def check_signature(pdf: bytes) -> SignatureCheck:
    """Is ``pdf`` signed by the platform's signer, cryptographically intact and unchanged since signing?"""
    if not pdf.startswith(b"%PDF-"):
        return SignatureCheck(False, "bukan berkas PDF")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except Exception as exc:  # any parse failure means a damaged or altered file
        logger.info("unreadable PDF: %s: %s", type(exc).__name__, exc)
        return SignatureCheck(False, "berkas PDF rusak atau telah diubah")
    if not embedded:
        return SignatureCheck(False, "dokumen tidak bertanda tangan elektronik")
    if len(embedded) > 1:
        return SignatureCheck(False, "dokumen memuat tanda tangan tambahan setelah diterbitkan")
    try:
        loaded = load_signer()
    except SignerNotConfigured as exc:
        return SignatureCheck(False, f"penanda tangan platform tidak tersedia: {exc}")
    context = ValidationContext(trust_roots=list(loaded.trust_roots))
    try:
        status = validate_pdf_signature(embedded[0], context)
    except Exception as exc:
        logger.info("signature not checkable: %s: %s", type(exc).__name__, exc)
        return SignatureCheck(False, "tanda tangan rusak atau tidak dapat diperiksa")
    cert = status.signing_cert
    subject = cert.subject.human_friendly if cert is not None else ""
    fingerprint = hashlib.sha256(cert.dump()).hexdigest() if cert is not None else ""
    if not status.intact or not status.valid:
        ok, reason = False, "isi dokumen telah diubah setelah ditandatangani"
    elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        ok, reason = False, "dokumen telah ditambah atau diubah setelah ditandatangani"
    elif not status.trusted:
        ok, reason = False, "ditandatangani oleh sertifikat yang bukan milik platform ini"
    else:
        ok, reason = True, "tanda tangan utuh dan sah"
    return SignatureCheck(ok, reason, subject, fingerprint, status.signer_reported_dt)


def create_demo_signer(directory: Path) -> bool:
    """A local CA and a signing certificate it issued, as a PKCS#12 file with a random password.

    Returns False (and changes nothing) when the demo signer already exists.
    """
    p12_path = directory / DEMO_P12
    if p12_path.exists():
        return False
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    organisation = x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kota Cerdas (demo)")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kota Cerdas Demo CA"), organisation])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Penanda tangan laporan Kota Cerdas (demo)"), organisation]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    password = secrets.token_urlsafe(24)
    bundle = pkcs12.serialize_key_and_certificates(
        b"kotacerdas-demo-signer",
        key,
        certificate,
        [ca],
        serialization.BestAvailableEncryption(password.encode()),
    )
    _write_private(directory / DEMO_PASSWORD, password.encode())
    (directory / DEMO_CA).write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    _write_private(p12_path, bundle)
    return True


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _write_private(path: Path, data: bytes) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(data)
