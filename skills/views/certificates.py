"""A certificate's page, its PDF, revocation, and a learner's own certificates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..forms import ReasonForm
from ..models import Certificate
from ..rendering import verify_url
from ..services import certificates as services
from ..services.certificates import verify_path
from .access import can_manage

PAGE_SIZE = 25


def _certificate(user, pk) -> Certificate:
    """The holder's own, or one of a centre in the user's scope; anything else is a 404."""
    return get_object_or_404(
        Certificate.objects.for_user(user).select_related("centre", "standard", "learner"), pk=pk
    )


@login_required
def certificate_detail(request, pk):
    certificate = _certificate(request.user, pk)
    return render(
        request,
        "skills/certificate_detail.html",
        {
            "certificate": certificate,
            "can_manage": can_manage(request.user, certificate.centre),
            "verify_path": verify_path(certificate),
            "verify_url": verify_url(certificate),
            "revoke_form": ReasonForm(),
        },
    )


@login_required
@never_cache
def certificate_pdf(request, pk):
    """The stored PDF; drawn by a job first (with its progress page) when there is none yet."""
    certificate = _certificate(request.user, pk)
    try:
        services.certificate_for_download(actor=request.user, certificate=certificate)
    except PermissionDenied:
        raise Http404 from None
    if certificate.pdf:
        try:
            handle = certificate.pdf.open("rb")
        except FileNotFoundError:
            handle = None
        if handle is not None:
            return FileResponse(
                handle, as_attachment=True, filename=f"{certificate.serial}.pdf",
                content_type="application/pdf",
            )  # fmt: skip
    document = services.certificate_render(actor=request.user, certificate=certificate)
    return redirect("documents:status", pk=document.pk)


@login_required
@require_POST
def revoke(request, pk):
    certificate = _certificate(request.user, pk)
    if not can_manage(request.user, certificate.centre):
        raise PermissionDenied
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the certificate is revoked."))
        return redirect("skills:certificate", pk=certificate.pk)
    try:
        services.certificate_revoke(
            actor=request.user, certificate=certificate, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The certificate is revoked."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("skills:certificate", pk=certificate.pk)


@login_required
def mine(request):
    certificates = (
        Certificate.objects.of_learner_user(request.user)
        .select_related("centre", "standard")
        .order_by("-issued_on", "-pk")
    )
    page = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("page"))
    for certificate in page.object_list:
        certificate.verify = verify_path(certificate)
    return render(request, "skills/mine.html", {"page": page})
