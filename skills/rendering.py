"""Certificate PDFs: the page of one certificate, and a session's batch laid out once.

The batch is laid out in chunks (progress moves while WeasyPrint works), each page is written
as its certificate's own file, and the chunks' pages are written together as the combined PDF
for printing. Each certificate's file is stored under a name derived from its ID and recorded
with a conditional update, so a retried job (a worker killed mid-batch) keeps exactly one file
per certificate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from creditbank.documents.pdf import render_document

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
        "qr": segno.make(url, error="m").svg_data_uri(scale=4, border=1),
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
    """Each certificate's own file (kept once) and the combined PDF of all of them."""
    progress = progress or (lambda percent, message="": None)
    total = len(certificates)
    pages = []
    first_document = None
    last_percent = -1
    for start in range(0, total, CHUNK):
        chunk = certificates[start : start + CHUNK]
        document = render_document(certificates_html(chunk))
        first_document = first_document or document
        for certificate, page in zip(chunk, document.pages, strict=True):
            if not certificate.pdf:
                store_certificate_pdf(certificate, document.copy([page]).write_pdf())
            pages.append(page)
        percent = 5 + int(85 * min(total, start + CHUNK) / total)
        if percent != last_percent:
            progress(
                percent,
                _("Certificates %(done)s of %(total)s")
                % {"done": min(total, start + CHUNK), "total": total},
            )
            last_percent = percent
    progress(92, _("Writing the combined PDF"))
    return first_document.copy(pages).write_pdf()
