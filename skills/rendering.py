"""Certificate PDFs: the page of one certificate, and a session's batch laid out once.

The batch is laid out in chunks (progress moves while WeasyPrint works), each page is written
as its certificate's own file, and the chunks' pages are written together as the combined PDF
for printing. Each certificate's file is stored under a name derived from its ID and recorded
with a conditional update, so a retried job (a worker killed mid-batch) keeps exactly one file
per certificate.
"""

from __future__ import annotations

import base64
import logging
import struct
import zlib
from collections.abc import Callable, Sequence

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from creditbank.documents.pdf import render_document

from . import pdfsplit
from .models import Body, Certificate
from .services.certificates import verify_path

logger = logging.getLogger(__name__)

CHUNK = 25

KIND_TITLES = {
    Body.DSD: "หนังสือรับรองความรู้ความสามารถตามมาตรฐานฝีมือแรงงานแห่งชาติ",
    Body.TPQI: "ประกาศนียบัตรคุณวุฒิวิชาชีพ",
    Body.OWN: "ประกาศนียบัตร",
}


def public_url(path: str) -> str:
    base = getattr(settings, "PUBLIC_BASE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + path


def verify_url(certificate: Certificate) -> str:
    return public_url(verify_path(certificate))


def qr_data_uri(url: str) -> str:
    """The QR code as a one-pixel-per-module grey PNG (the page scales it up unsmoothed).

    A fixed mask skips segno's search over the eight masks (5x faster; any mask makes a valid
    code), the PNG is packed here from the module matrix (segno's writer is pure Python and
    slower than the rest of the page), and a PNG draws far faster in WeasyPrint than an SVG
    path of the same modules.
    """
    matrix = segno.make(url, error="m", mask=0, boost_error=False).matrix
    return "data:image/png;base64," + base64.b64encode(_grey_png(matrix, border=1)).decode()


def _grey_png(matrix, *, border: int) -> bytes:
    size = len(matrix) + 2 * border
    blank = b"\x00" + b"\xff" * size
    rows = [blank] * border
    margin = b"\xff" * border
    for row in matrix:
        rows.append(b"\x00" + margin + bytes(0 if dark else 255 for dark in row) + margin)
    rows += [blank] * border

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )  # fmt: skip

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def _page_context(certificate: Certificate) -> dict:
    url = verify_url(certificate)
    return {
        "issuer_name": certificate.issuer_name,
        "kind_title": KIND_TITLES.get(certificate.standard.body, KIND_TITLES[Body.OWN]),
        "holder_name": certificate.holder_name,
        "standard_name": certificate.standard_name,
        "standard_code": certificate.standard_code,
        "level": certificate.level,
        "nqf_level": certificate.nqf_level,
        "issued_on": certificate.issued_on,
        "expires_on": certificate.expires_on,
        "serial": certificate.serial,
        "public_id": certificate.public_id,
        "kid": certificate.signature.split(".", 1)[0],
        "qr": qr_data_uri(url),
        "url": url,
    }


def certificates_html(certificates: Sequence[Certificate]) -> str:
    """The certificates as one HTML document, one A4 page each, always in Thai."""
    with translation.override("th"):
        return render_to_string(
            "skills/certificate_pdf.html",
            {
                "title": certificates[0].serial if len(certificates) == 1 else "ประกาศนียบัตร",
                "certificates": [_page_context(c) for c in certificates],
                "document_language": "th",
            },
        )


def storage_name(certificate: Certificate) -> str:
    return f"certificates/{certificate.year}/{certificate.public_id}.pdf"


def store_certificate_pdf(certificate: Certificate, data: bytes) -> str:
    """Keep ``data`` as the certificate's file unless it already has one; idempotent."""
    current = Certificate.objects.filter(pk=certificate.pk).values_list("pdf", flat=True).first()
    if current:
        certificate.pdf.name = current
        return current
    storage = certificate.pdf.storage
    name = storage_name(certificate)
    if storage.exists(name):  # left by an attempt killed before it recorded the file
        storage.delete(name)
    stored = storage.save(name, ContentFile(data))
    updated = Certificate.objects.filter(pk=certificate.pk, pdf="").update(pdf=stored)
    if not updated:  # another attempt recorded its file first: keep that one
        storage.delete(stored)
        stored = Certificate.objects.filter(pk=certificate.pk).values_list("pdf", flat=True)[0]
    certificate.pdf.name = stored
    return stored


def certificate_pdf_bytes(certificate: Certificate) -> bytes:
    """The certificate's stored PDF, rendered and stored first if it has none."""
    if certificate.pdf:
        try:
            with certificate.pdf.open("rb") as handle:
                return handle.read()
        except FileNotFoundError:
            logger.warning("certificate %s: file %s missing", certificate.pk, certificate.pdf.name)
            Certificate.objects.filter(pk=certificate.pk).update(pdf="")
            certificate.pdf.name = ""
    data = render_document(certificates_html([certificate])).write_pdf()
    store_certificate_pdf(certificate, data)
    return data


def render_batch(
    certificates: Sequence[Certificate], progress: Callable[[int, str], None] | None = None
) -> bytes:
    """Each certificate's own file (kept once) and the combined PDF of all of them.

    Each chunk is laid out and drawn once (uncompressed); pdfsplit cuts the drawing into one
    file per certificate and merges the chunks into the combined PDF, so no page is drawn
    twice. Should the drawing not be what pdfsplit expects, single pages are written by
    WeasyPrint instead (slower, same result).
    """
    progress = progress or (lambda percent, message="": None)
    total = len(certificates)
    parts: list[pdfsplit.ParsedPdf] = []
    cache: dict = {}
    documents = []
    split_ok = True
    for index, start in enumerate(range(0, total, CHUNK)):
        chunk = certificates[start : start + CHUNK]
        document = render_document(certificates_html(chunk))
        files = None
        if split_ok:
            try:
                parsed = pdfsplit.ParsedPdf(document.write_pdf(uncompressed_pdf=True))
                files = pdfsplit.split_pages(parsed, cache, key=index)
                if len(files) != len(chunk):
                    raise pdfsplit.PdfSplitError("pages and certificates differ")
                parts.append(parsed)
            except pdfsplit.PdfSplitError:
                logger.warning("certificate batch: splitting failed, drawing pages", exc_info=True)
                split_ok = False
                files = None
        documents.append(document)
        for position, (certificate, page) in enumerate(zip(chunk, document.pages, strict=True)):
            if not certificate.pdf:
                data = files[position] if files else document.copy([page]).write_pdf()
                store_certificate_pdf(certificate, data)
        done = min(total, start + CHUNK)
        progress(
            5 + int(85 * done / total),
            _("Certificates %(done)s of %(total)s") % {"done": done, "total": total},
        )
    progress(92, _("Writing the combined PDF"))
    if split_ok:
        return pdfsplit.merge(parts, cache)
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
