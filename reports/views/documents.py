"""Generating a round's report and downloading any earlier generation (centre staff)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creditbank.htmx import is_htmx
from creditbank.models import GeneratedDocument

from ..models import InspectionRound, RoundDocument
from ..services import access
from ..services import documents as services


def _round_for_centre(user, pk) -> InspectionRound:
    round_ = get_object_or_404(
        InspectionRound.objects.for_user(user).select_related("province"), pk=pk
    )
    if not access.is_centre_for(user, round_):
        raise Http404  # an agency does not learn which reports exist
    return round_


@login_required
@require_POST
def round_generate(request, pk):
    round_ = _round_for_centre(request.user, pk)
    fmt = request.POST.get("format", "pdf")
    thai_digits = request.POST.get("digits", "thai") != "arabic"
    try:
        generated = services.report_request(
            actor=request.user, round_=round_, fmt=fmt, thai_digits=thai_digits
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:round", pk=round_.pk)
    if generated.missing_parts:
        messages.warning(
            request,
            _("Generated with parts not submitted, each marked in the report: %(names)s")
            % {"names": ", ".join(generated.missing_parts)},
        )
    if is_htmx(request):
        return render(request, "documents/status.html", {"document": generated.document})
    return redirect("documents:status", pk=generated.document.pk)


@login_required
def round_document_download(request, pk):
    """Any centre staff member of the province may fetch what was generated (and sent)."""
    generated = get_object_or_404(RoundDocument.objects.select_related("round", "document"), pk=pk)
    if not access.is_centre_for(request.user, generated.round):
        raise Http404
    document = generated.document
    if document.status != GeneratedDocument.Status.DONE or not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.filename, content_type=document.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
