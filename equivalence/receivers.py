"""Keep the suggestion index current: course changes queue an incremental update."""

from django.dispatch import receiver

from courses.signals import courses_changed


@receiver(courses_changed, dispatch_uid="equivalence.suggest_index_update")
def queue_suggest_index_update(sender, course_ids, reason, **kwargs):
    from .tasks import suggest_index_update

    suggest_index_update.delay(list(course_ids))
