from celery import shared_task
from django.db import OperationalError, connection
from django.utils import timezone


@shared_task(name="creditbank.tasks.health", acks_late=True)
def health() -> dict:
    """Proves a worker can reach the database; beat runs it every few minutes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"database": one == 1, "at": timezone.now().isoformat()}


@shared_task(
    name="creditbank.tasks.document_render",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def document_render(document_id: int) -> str | None:
    """Renders one GeneratedDocument; harmless to run twice (a finished one is left alone)."""
    from .documents.jobs import document_render as render

    document = render(document_id=document_id)
    return document.status if document else None
