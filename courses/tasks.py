from celery import shared_task


@shared_task(name="courses.upload_check", acks_late=True, max_retries=2)
def course_upload_check_task(upload_id: int) -> str:
    from .services import course_upload_check

    return course_upload_check(upload_id=upload_id).status
