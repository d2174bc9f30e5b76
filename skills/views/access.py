"""The access helpers every skills staff view calls first."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from institutions.models import Institution
from institutions.scoping import get_for_user, scope_for

from ..services.access import CENTRE_ROLES
from ..services.centres import CENTRE_KINDS


def centres_queryset(user):
    """Test centres, and colleges accredited as centres, in the user's scope."""
    return (
        Institution.objects.for_user(user)
        .filter(
            Q(kind=Institution.Kind.TEST_CENTRE)
            | Q(kind__in=CENTRE_KINDS, skill_branches__isnull=False)
        )
        .distinct()
    )


def centre_for_user(user, pk, *, write=False) -> Institution:
    """404 outside the user's scope (or not a centre), 403 for a write without a centre role."""
    centre = get_object_or_404(centres_queryset(user).select_related("province"), pk=pk)
    if write and not scope_for(user).has_role(centre, *CENTRE_ROLES):
        raise PermissionDenied
    return centre


def object_for_user(user, queryset, pk, *, write=False):
    return get_for_user(user, queryset, roles=CENTRE_ROLES if write else (), pk=pk)


def can_manage(user, centre) -> bool:
    return scope_for(user).has_role(centre, *CENTRE_ROLES)


def require_staff(user):
    if not scope_for(user).is_staff_member:
        raise PermissionDenied
