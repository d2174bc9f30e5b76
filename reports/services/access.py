"""Who may do what in an inspection round (called by the services, not only by views)."""

from django.core.exceptions import PermissionDenied

from institutions.models import Membership
from institutions.scoping import scope_for

Role = Membership.Role


def is_centre_for(user, round_) -> bool:
    return user is not None and scope_for(user).is_centre_for(round_.province_id)


def require_centre(user, round_) -> None:
    """Centre staff of the round's province (or the national administrator)."""
    if not is_centre_for(user, round_):
        raise PermissionDenied


def can_write(user, contribution) -> bool:
    """The agency's administrators write its part; centre staff may edit every part."""
    if user is None:
        return False
    scope = scope_for(user)
    if scope.is_centre_for(contribution.round.province_id):
        return True
    return scope.has_role(contribution.institution, Role.INSTITUTION_ADMIN)


def require_writer(user, contribution) -> None:
    if not can_write(user, contribution):
        raise PermissionDenied


def can_keep_log(user, institution) -> bool:
    return user is not None and scope_for(user).has_role(
        institution, Role.INSTITUTION_ADMIN, Role.CENTRE_STAFF
    )
