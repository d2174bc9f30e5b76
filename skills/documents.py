"""Document renderers (creditbank.documents.jobs): one certificate, or a session's batch."""

from __future__ import annotations

from django.utils.translation import gettext as _

from creditbank.documents.jobs import DocumentError, register_renderer

from .models import Certificate, TestSession
from .rendering import certificate_pdf_bytes, render_batch

CERTIFICATE = "skills.certificate"
SESSION_CERTIFICATES = "skills.session_certificates"


@register_renderer(CERTIFICATE)
def certificate(document, progress):
    found = (
        Certificate.objects.select_related("standard")
        .filter(pk=document.parameters.get("certificate"))
        .first()
    )
    if found is None:
        raise DocumentError(_("The certificate no longer exists."))
    progress(20, _("Drawing the certificate"))
    return f"{found.serial}.pdf", "application/pdf", certificate_pdf_bytes(found)


@register_renderer(SESSION_CERTIFICATES)
def session_certificates(document, progress):
    session = TestSession.objects.filter(pk=document.parameters.get("session")).first()
    if session is None:
        raise DocumentError(_("The session no longer exists."))
    certificates = list(
        Certificate.objects.filter(
            result__candidate__session=session, status=Certificate.Status.VALID
        )
        .select_related("standard")
        .order_by("sequence")
    )
    if not certificates:
        raise DocumentError(_("This session has no valid certificates to print."))
    progress(3, _("Laying out the certificates"))
    data = render_batch(certificates, progress)
    return f"certificates-session-{session.pk}.pdf", "application/pdf", data
