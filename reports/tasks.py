"""Thin Celery wrappers around the dashboard's refresh service."""

from celery import shared_task


@shared_task(name="reports.dashboard_refresh", acks_late=True)
def dashboard_refresh(province_id: int | None = None) -> int:
    from institutions.models import Province

    from .dashboard.services import summaries_refresh, summaries_refresh_all

    if province_id is None:
        return summaries_refresh_all()
    province = Province.objects.filter(pk=province_id).first()
    if province is None:
        return 0
    summaries_refresh(province=province)
    return 1
