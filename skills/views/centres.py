"""Test centres: their page, branch requests, equipment needs, new sessions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from institutions.scoping import scope_for

from ..forms import BranchRequestForm, DecisionForm, EquipmentForm, SessionForm
from ..models import BranchRequest, EquipmentNeed, OccupationalStandard, TestSession
from ..services import centres as services
from ..services import sessions as session_services
from .access import can_manage, centre_for_user, centres_queryset, require_staff

PAGE_SIZE = 25


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def centre_list(request):
    require_staff(request.user)
    centres = centres_queryset(request.user).select_related("province")
    query = request.GET.get("q", "").strip()[:100]
    if query:
        centres = centres.filter(name_th__icontains=query) | centres.filter(code__icontains=query)
    page = Paginator(centres.order_by("name_th", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "skills/centre_list.html", {"page": page, "q": query})


@login_required
def centre_detail(request, pk):
    centre = centre_for_user(request.user, pk)
    standards = (
        OccupationalStandard.objects.active()
        .filter(services.standards_testable_q(centre))
        .select_related("nqf_level")
        .order_by("branch", "level", "code")
    )
    sessions = (
        TestSession.objects.filter(centre=centre)
        .select_related("standard")
        .annotate(candidate_count=Count("candidates"))
        .order_by("-starts_on", "-pk")
    )
    scope = scope_for(request.user)
    return render(
        request,
        "skills/centre_detail.html",
        {
            "centre": centre,
            "branches": list(centre.skill_branches.order_by("branch")),
            "standards": list(standards[:200]),
            "own_standards": list(
                OccupationalStandard.objects.filter(owner=centre)
                .select_related("nqf_level")
                .order_by("code", "level")[:200]
            ),
            "sessions": Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page")),
            "requests": list(
                BranchRequest.objects.filter(centre=centre).select_related("requested_by")[:50]
            ),
            "needs": list(EquipmentNeed.objects.filter(centre=centre)[:200]),
            "can_manage": can_manage(request.user, centre),
            "can_decide": scope.is_centre_for(centre.province_id),
            "request_form": BranchRequestForm(),
            "equipment_form": EquipmentForm(),
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
def branch_request(request, pk):
    centre = centre_for_user(request.user, pk, write=True)
    form = BranchRequestForm(request.POST)
    if form.is_valid():
        try:
            services.branch_request_submit(actor=request.user, centre=centre, **form.cleaned_data)
            messages.success(request, _("The request has been sent to the provincial centre."))
        except ValidationError as error:
            _errors(request, error)
    else:
        messages.error(request, _("Name the occupation branch."))
    return redirect("skills:centre", pk=centre.pk)


@login_required
@require_POST
def branch_request_decide(request, pk):
    found = get_object_or_404(BranchRequest.objects.for_user(request.user), pk=pk)
    if not scope_for(request.user).is_centre_for(found.centre.province_id):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.branch_request_decide(
                actor=request.user, request=found, approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
            )  # fmt: skip
            messages.success(request, _("Decision saved."))
        except ValidationError as error:
            _errors(request, error)
    return redirect("skills:centre", pk=found.centre_id)


@login_required
@require_POST
def equipment_add(request, pk):
    centre = centre_for_user(request.user, pk, write=True)
    form = EquipmentForm(request.POST)
    if form.is_valid():
        try:
            services.equipment_need_save(actor=request.user, centre=centre, **form.cleaned_data)
            messages.success(request, _("Equipment need saved."))
        except ValidationError as error:
            _errors(request, error)
    else:
        messages.error(request, _("Check the item, quantity and branch."))
    return redirect("skills:centre", pk=centre.pk)


@login_required
@require_POST
def equipment_status(request, pk):
    need = get_object_or_404(EquipmentNeed.objects.for_user(request.user), pk=pk)
    if not can_manage(request.user, need.centre):
        raise PermissionDenied
    status = request.POST.get("status", "")
    if status in EquipmentNeed.Status.values:
        services.equipment_need_save(
            actor=request.user, centre=need.centre, need=need, item=need.item,
            quantity=need.quantity, branch=need.branch, status=status, note=need.note,
        )  # fmt: skip
    return redirect("skills:centre", pk=need.centre_id)


@login_required
def session_create(request, pk):
    centre = centre_for_user(request.user, pk, write=True)
    standards = OccupationalStandard.objects.active().filter(services.standards_testable_q(centre))
    form = SessionForm(request.POST or None, standards=standards)
    if request.method == "POST" and form.is_valid():
        try:
            session = session_services.session_create(
                actor=request.user, centre=centre, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("skills:session", pk=session.pk)
    return render(request, "skills/session_create.html", {"centre": centre, "form": form})
