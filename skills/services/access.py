"""Who may do what at a test centre."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from institutions.models import Institution, Membership
from institutions.scoping import scope_for

Role = Membership.Role
# Run sessions, record results, issue and revoke certificates, report equipment.
CENTRE_ROLES = (Role.TEST_OFFICER, Role.INSTITUTION_ADMIN)
# Decide a centre's request to test another branch: the provincial centre.
DECIDER_ROLES = (Role.CENTRE_STAFF,)


def require_centre_role(actor, centre: Institution) -> None:
    """``actor=None`` is the system itself (seed data, management commands)."""
    if actor is None:
        return
    if not scope_for(actor).has_role(centre, *CENTRE_ROLES):
        raise PermissionDenied


def require_decider(actor, centre: Institution) -> None:
    if actor is None:
        return
    if not scope_for(actor).is_centre_for(centre.province_id):
        raise PermissionDenied
