"""Signals other apps listen to, so they never reach into the course services.

``courses_changed`` is sent after the transaction that created, changed, approved, returned or
retired courses has committed (bulk writes use COPY and fire no model signals). Arguments:
``course_ids`` (a list of primary keys) and ``reason`` (``"imported"``, ``"reviewed"``,
``"retired"``). The equivalence suggestion index listens to keep itself current.
"""

from django.db import transaction
from django.dispatch import Signal

courses_changed = Signal()


def send_courses_changed(course_ids, *, reason: str) -> None:
    """Send ``courses_changed`` once the current transaction commits (at once outside one)."""
    ids = sorted(set(course_ids))
    if not ids:
        return
    transaction.on_commit(
        lambda: courses_changed.send(sender=None, course_ids=ids, reason=reason), robust=True
    )
