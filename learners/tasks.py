from celery import shared_task


@shared_task(name="learners.results_upload_check", acks_late=True, max_retries=2)
def results_upload_check_task(upload_id: int) -> str:
    from .services.results import results_upload_check

    return results_upload_check(upload_id=upload_id).status
