from celery import shared_task
from django.db import connection
from django.utils import timezone


@shared_task(name="creditbank.tasks.health", acks_late=True)
def health() -> dict:
    """Proves a worker can reach the database; beat runs it every few minutes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"database": one == 1, "at": timezone.now().isoformat()}
