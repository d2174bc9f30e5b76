from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from creditbank.htmx import is_htmx

from ..models import GeneratedDocument
from . import jobs


def _get_document_for_user(user, pk) -> GeneratedDocument:
    """Someone else's document is a 404, exactly like one that does not exist."""
    return get_object_or_404(GeneratedDocument.objects.for_user(user), pk=pk)


def _status_response(request, document, *, status=200):
    template = "documents/status.html" if is_htmx(request) else "documents/status_page.html"
    return render(request, template, {"document": document}, status=status)


@login_required
@never_cache
def document_status(request, pk):
    """The progress bar (polled by htmx while the job runs); a whole page when opened directly."""
    document = _get_document_for_user(request.user, pk)
    return _status_response(request, document)


@login_required
@never_cache
def document_download(request, pk):
    document = _get_document_for_user(request.user, pk)
    if not document.is_done:
        raise Http404("document not ready")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("document file missing") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.filename or document.file.name.rsplit("/", 1)[-1],
        content_type=document.content_type or "application/octet-stream",
    )


@login_required
@require_POST
def document_retry(request, pk):
    document = _get_document_for_user(request.user, pk)
    try:
        document = jobs.document_retry(actor=request.user, document=document)
    except jobs.DocumentError as exc:
        if is_htmx(request):
            return _status_response(request, document, status=409)
        messages.error(request, str(exc))
        return redirect("documents:status", pk=document.pk)
    if is_htmx(request):
        document.refresh_from_db()  # in-process Celery may have finished it already
        return _status_response(request, document)
    return redirect("documents:status", pk=document.pk)
