"""Thin Celery wrappers: each calls one service; running one twice is harmless."""

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="equivalence.suggest_index_update",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def suggest_index_update(course_ids: list[int]) -> dict[str, int]:
    from .services.suggestions import suggest_index_update as update

    return update(course_ids=course_ids)


@shared_task(name="equivalence.suggest_index_rebuild", acks_late=True)
def suggest_index_rebuild() -> dict[str, int]:
    from .services.suggestions import suggest_index_rebuild as rebuild

    return rebuild()
