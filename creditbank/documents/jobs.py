"""Document jobs: every app's PDF or xlsx is a GeneratedDocument rendered by a Celery task.

An app registers a renderer for its kind of document, usually in ``<app>/documents.py`` (found
by autodiscovery)::

    @register_renderer("learners.transcript")
    def transcript(document, progress):
        learner = Learner.objects.get(pk=document.parameters["learner"])
        progress(30, _("Reading the credit ledger"))
        ...
        return f"transcript-{learner.pk}.pdf", "application/pdf", render_template_pdf(...)

and a view asks for one with ``document_request(actor=..., kind=..., title=..., parameters=...)``.
The row exists before the task is queued; the task claims it, calls the renderer and stores the
file, or records the error and keeps no file. Re-running a finished document does nothing.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from ..models import GeneratedDocument

logger = logging.getLogger(__name__)

Status = GeneratedDocument.Status
Progress = Callable[..., None]
Renderer = Callable[[GeneratedDocument, Progress], tuple[str, str, bytes]]

_renderers: dict[str, Renderer] = {}
_discovered = False


class DocumentError(Exception):
    """A renderer or a document action failed with a message the requester may read."""


def register_renderer(kind: str):
    """Decorator: ``fn(document, progress) -> (filename, content_type, bytes)`` renders ``kind``.

    ``progress(percent, message="")`` stores how far the job got (the page polls it). Raise
    ``DocumentError`` with a readable message for failures the requester can act on.
    """

    def decorator(renderer: Renderer) -> Renderer:
        existing = _renderers.get(kind)
        if existing is not None and existing.__qualname__ != renderer.__qualname__:
            raise ValueError(f"document kind {kind!r} already has a renderer: {existing!r}")
        _renderers[kind] = renderer
        return renderer

    return decorator


def renderer_for(kind: str) -> Renderer | None:
    global _discovered
    if kind not in _renderers and not _discovered:
        autodiscover_modules("documents")
        _discovered = True
    return _renderers.get(kind)


def _enqueue(document: GeneratedDocument) -> None:
    from ..tasks import document_render as task

    document_id = document.pk
    transaction.on_commit(lambda: task.delay(document_id))


@transaction.atomic
def document_request(
    *, actor, kind: str, title: str, parameters: dict | None = None
) -> GeneratedDocument:
    """Create the job row and queue its rendering once the transaction commits."""
    if renderer_for(kind) is None:
        raise DocumentError(_("Unknown kind of document: %(kind)s") % {"kind": kind})
    if parameters is not None and not isinstance(parameters, dict):
        raise TypeError("document parameters must be a dict")
    document = GeneratedDocument(
        kind=kind, title=title[:255], parameters=parameters or {}, created_by=actor
    )
    document.full_clean()
    document.save()
    _enqueue(document)
    return document


def document_set_progress(document: GeneratedDocument, percent: int, message: str = "") -> None:
    """Record progress (0–100) for the polling page; never moves a finished job."""
    percent = max(0, min(100, int(percent)))
    message = str(message)[:255]
    GeneratedDocument.objects.filter(pk=document.pk, status=Status.RUNNING).update(
        progress=percent, progress_message=message
    )
    document.progress, document.progress_message = percent, message


@transaction.atomic
def document_retry(*, actor, document: GeneratedDocument) -> GeneratedDocument:
    """Queue a failed document again, for the person who asked for it."""
    document = GeneratedDocument.objects.select_for_update().get(pk=document.pk)
    if document.created_by_id != actor.pk:
        raise DocumentError(_("Only the person who asked for a document can retry it."))
    if not document.is_retryable:
        raise DocumentError(_("Only a failed document can be retried."))
    _discard_file(document)
    document.status = Status.QUEUED
    document.progress = 0
    document.progress_message = ""
    document.error = ""
    document.started_at = document.finished_at = None
    document.save()
    _enqueue(document)
    return document


def _claim(document_id: int) -> GeneratedDocument | None:
    """Mark the job running for this attempt, or None if there is nothing to do."""
    with transaction.atomic():
        document = GeneratedDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.status in (Status.DONE, Status.FAILED):
            return None  # finished; a failed one runs again only through document_retry
        if document.status == Status.RUNNING and not document.is_stuck:
            return None  # another worker has it (a redelivered message)
        document.status = Status.RUNNING
        document.attempts += 1
        document.started_at = timezone.now()
        document.finished_at = None
        document.progress = 0
        document.progress_message = ""
        document.error = ""
        document.save()
        return document


def document_render(*, document_id: int) -> GeneratedDocument | None:
    """Run one job: claim it, render, store the file, or record why it failed.

    Idempotent: a finished document, or one another worker is rendering, is left alone.
    """
    document = _claim(document_id)
    if document is None:
        return GeneratedDocument.objects.filter(pk=document_id).first()
    attempt = document.attempts
    renderer = renderer_for(document.kind)
    try:
        if renderer is None:
            raise DocumentError(_("Unknown kind of document: %(kind)s") % {"kind": document.kind})
        filename, content_type, data = renderer(
            document, lambda percent, message="": document_set_progress(document, percent, message)
        )
        if not isinstance(data, bytes | bytearray) or not data:
            raise DocumentError(_("The document came out empty."))
    except Exception as exc:
        if isinstance(exc, DocumentError):
            message = str(exc)
            logger.info("document %s (%s) failed: %s", document.pk, document.kind, message)
        else:
            logger.exception("document %s (%s) failed", document.pk, document.kind)
            message = _(
                "The document could not be generated (%(error)s). The administrators have "
                "the details."
            ) % {"error": type(exc).__name__}
        _finish_failed(document, attempt, message)
        return document
    try:
        _finish_done(document, attempt, filename, content_type, bytes(data))
    except Exception:
        logger.exception("document %s (%s): storing the file failed", document.pk, document.kind)
        _finish_failed(document, attempt, _("The document could not be stored; try again."))
    return document


def _storage_name(filename: str) -> str:
    # Unguessable and ASCII: the download name travels in Content-Disposition instead.
    extension = os.path.splitext(filename)[1].lower()
    if not extension[1:].isalnum() or len(extension) > 8:
        extension = ""
    return f"{secrets.token_urlsafe(18)}{extension}"


def _finish_done(document, attempt, filename, content_type, data) -> None:
    field_file = document.file
    name = field_file.field.generate_filename(document, _storage_name(filename))
    try:
        stored = field_file.storage.save(name, ContentFile(data), max_length=255)
    except Exception:
        _delete_quietly(field_file.storage, name)  # a half-written file
        raise
    now = timezone.now()
    try:
        with transaction.atomic():
            updated = GeneratedDocument.objects.filter(
                pk=document.pk, status=Status.RUNNING, attempts=attempt
            ).update(
                status=Status.DONE,
                file=stored,
                filename=os.path.basename(filename)[:255],
                content_type=content_type[:100],
                progress=100,
                progress_message="",
                error="",
                finished_at=now,
            )
    except Exception:
        _delete_quietly(field_file.storage, stored)
        raise
    if not updated:  # the job was taken over meanwhile: the other attempt's result wins
        _delete_quietly(field_file.storage, stored)
    document.refresh_from_db()


def _delete_quietly(storage, name) -> None:
    try:
        storage.delete(name)
    except Exception:
        logger.warning("could not delete %s", name, exc_info=True)


def _finish_failed(document, attempt, message) -> None:
    now = timezone.now()
    GeneratedDocument.objects.filter(
        pk=document.pk, status=Status.RUNNING, attempts=attempt
    ).update(status=Status.FAILED, error=message, progress_message="", finished_at=now)
    document.refresh_from_db()


@transaction.atomic
def document_discard(*, document: GeneratedDocument) -> GeneratedDocument:
    """Delete a document's file for good (e.g. personal data erased): the row stays, without
    a file, and its pages say the file is no longer available."""
    document = GeneratedDocument.objects.select_for_update().get(pk=document.pk)
    name = document.file.name if document.file else ""
    storage = document.file.storage
    document.file = ""
    document.save(update_fields=["file"])
    if name:
        transaction.on_commit(lambda: _delete_quietly(storage, name))
    return document


def _discard_file(document: GeneratedDocument) -> None:
    if document.file:
        document.file.delete(save=False)
    document.file = ""
    document.filename = ""
    document.content_type = ""
