"""The access helpers every learners view calls first."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from institutions.scoping import scope_for

from ..models import Learner
from ..services.learners import STAFF_ROLES


def learner_of(user) -> Learner | None:
    """The learner record linked to the signed-in account, if any."""
    return Learner.objects.filter(user=user).select_related("home_institution").first()


def staff_learner(user, pk: int, *, roles=()) -> Learner:
    """A learner seen by staff: 404 outside the user's scope (and to non-staff, learners
    included, whatever the pk), 403 inside it without one of ``roles``."""
    scope = scope_for(user)
    if not scope.is_staff_member:
        raise Http404
    learner = get_object_or_404(
        Learner.objects.for_user(user).select_related("home_institution", "user"), pk=pk
    )
    if roles and not scope.has_role_anywhere(*roles):
        raise PermissionDenied
    return learner


def require_staff(user, roles=STAFF_ROLES):
    scope = scope_for(user)
    if not scope.is_staff_member:
        raise PermissionDenied
    if roles and not scope.has_role_anywhere(*roles):
        raise PermissionDenied
    return scope


def breakdowns(summary):
    """The breakdowns a summary card shows, titled."""
    from django.utils.translation import gettext as _

    return [
        (_("By institution"), summary.by_institution),
        (_("By level"), summary.by_level),
        (_("By subject group"), summary.by_subject_group),
        (_("By source"), summary.by_source),
        (_("By academic year"), summary.by_year),
        (_("Recognised through transfers"), summary.transferred_by_institution),
    ]
