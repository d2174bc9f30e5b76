"""Create and edit occupational standards: a centre's own, or (superusers) national ones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from institutions.models import Institution
from institutions.scoping import get_for_user

from ..forms import StandardForm
from ..models import OccupationalStandard
from ..services import centres as services
from ..services.access import CENTRE_ROLES
from .access import centre_for_user


def _save(request, form, *, centre, standard):
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.standard_save(
                actor=request.user, replace_courses=True, **form.service_kwargs()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Standard saved."))
            return redirect("skills:standard", pk=saved.pk)
    return render(
        request,
        "skills/standard_form.html",
        {"form": form, "centre": centre, "standard": standard},
    )


@login_required
def standard_create(request, pk):
    """A centre's own standard (its test officers and admins)."""
    centre = centre_for_user(request.user, pk, write=True)
    form = StandardForm(request.POST or None, owner=centre)
    return _save(request, form, centre=centre, standard=None)


@login_required
def national_standard_create(request):
    if not request.user.is_superuser:
        raise PermissionDenied
    form = StandardForm(request.POST or None)
    return _save(request, form, centre=None, standard=None)


@login_required
def standard_edit(request, pk):
    """404 for another province's own standard; 403 without a centre role (or, for a national
    standard, without being a superuser)."""
    standard = get_object_or_404(
        OccupationalStandard.objects.select_related("owner", "nqf_level"), pk=pk
    )
    centre = None
    if standard.owner_id is None:
        if not request.user.is_superuser:
            raise PermissionDenied
    else:
        centre = get_for_user(
            request.user, Institution.objects, roles=CENTRE_ROLES, pk=standard.owner_id
        )
    form = StandardForm(request.POST or None, owner=centre, standard=standard)
    return _save(request, form, centre=centre, standard=standard)
