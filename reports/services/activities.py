"""An agency's year-round activity log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from institutions.models import Institution

from ..models import Activity
from .access import can_keep_log

FIELDS = ("start_date", "end_date", "title", "place", "partners", "notes")


@transaction.atomic
def activity_create(*, actor, institution: Institution, **data) -> Activity:
    if actor is not None and not can_keep_log(actor, institution):
        raise PermissionDenied
    activity = Activity(institution=institution, created_by=actor, **_only(data))
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def activity_update(*, actor, activity: Activity, **data) -> Activity:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if actor is not None and not can_keep_log(actor, activity.institution):
        raise PermissionDenied
    for name, value in _only(data).items():
        setattr(activity, name, value)
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def activity_delete(*, actor, activity: Activity) -> None:
    """Items already inserted into a report keep their text; they just lose the link."""
    if actor is not None and not can_keep_log(actor, activity.institution):
        raise PermissionDenied
    activity.delete()


def _only(data: dict) -> dict:
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    return data
