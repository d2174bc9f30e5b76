"""Reads other apps may use (the inspection report's "problems" draws on equipment needs)."""

from __future__ import annotations

from .models import EquipmentNeed


def equipment_needs_open(*, province_id: int | None = None):
    """Equipment still missing at test centres (needed or budget requested), by centre."""
    needs = EquipmentNeed.objects.filter(
        status__in=[EquipmentNeed.Status.NEEDED, EquipmentNeed.Status.REQUESTED]
    ).select_related("centre")
    if province_id is not None:
        needs = needs.filter(centre__province_id=province_id)
    return needs.order_by("centre__name_th", "branch", "item")
