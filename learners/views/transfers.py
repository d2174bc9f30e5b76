"""Credit transfer pages: ask (the learner, or staff for a learner), a request with its
evaluation, the receiving registrar's queue and decision, withdrawal."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creditbank.pagination import CachedCountPaginator
from institutions.scoping import get_for_user, scope_for

from ..forms import DecisionForm
from ..models import Learner, TransferRequest
from ..services import transfer as services
from ..transfer_forms import TransferAskForm, TransferSearchForm
from .access import learner_of, require_staff, staff_learner

PAGE_SIZE = 25
Status = TransferRequest.Status


def _ask(request, learner, *, template_context):
    form = TransferAskForm(request.POST or None, curricula=services.curricula_for(learner))
    if request.method == "POST" and form.is_valid():
        try:
            created = services.transfer_request_create(
                actor=request.user,
                learner=learner,
                curriculum=form.cleaned_data["curriculum"],
                note=form.cleaned_data["note"],
            )
        except services.TransferError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Your request is sent to the receiving institution."))
            return redirect("learners:transfer_detail", pk=created.pk)
    return render(
        request,
        "learners/transfer_ask.html",
        {"form": form, "learner": learner, **template_context},
    )


@login_required
def ask_mine(request):
    learner = learner_of(request.user)
    if learner is None:
        return render(request, "learners/not_linked.html")
    return _ask(request, learner, template_context={"own": True})


@login_required
def ask_for(request, pk):
    learner = staff_learner(request.user, pk, roles=services.REQUEST_ROLES)
    return _ask(request, learner, template_context={"own": False})


def _transfer(user, pk, **kwargs):
    return get_for_user(
        user,
        TransferRequest.objects.select_related(
            "learner__home_institution",
            "target_institution",
            "target_curriculum__institution",
            "requested_by",
            "decided_by",
        ),
        pk=pk,
        **kwargs,
    )


@login_required
def detail(request, pk):
    transfer = _transfer(request.user, pk)
    own = transfer.learner.user_id == request.user.pk
    if transfer.is_open:
        evaluation = services.request_evaluation(transfer)
        items, rule = evaluation.items, evaluation.rule.snapshot()
        counted, cap = evaluation.counted_credits, evaluation.cap_credits
    else:
        items, rule = services.stored_items(transfer), transfer.rule_snapshot
        counted = sum((i.credits_recognised for i in items if i.counts), Decimal(0))
        cap = None
    can_decide = transfer.is_open and not own and services.can_decide(request.user, transfer)
    return render(
        request,
        "learners/transfer_detail.html",
        {
            "transfer": transfer,
            "own": own,
            "items": items,
            "rule": rule,
            "counted": counted,
            "cap": cap,
            "can_decide": can_decide,
            "can_withdraw": transfer.is_open
            and (own or services.can_request_for(request.user, transfer.learner)),
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
def decide(request, pk):
    transfer = _transfer(request.user, pk, roles=services.DECIDE_ROLES)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("learners:transfer_detail", pk=transfer.pk)
    comment = form.cleaned_data["comment"]
    try:
        if form.cleaned_data["action"] == "approve":
            services.transfer_request_approve(actor=request.user, request=transfer, comment=comment)
            messages.success(request, _("Approved: the credits are recorded as transferred."))
        else:
            services.transfer_request_reject(actor=request.user, request=transfer, comment=comment)
            messages.info(request, _("The request was rejected."))
    except services.TransferError as error:
        messages.error(request, " ".join(error.messages))
    if request.POST.get("next") == "queue":
        return redirect("learners:transfer_queue")
    return redirect("learners:transfer_detail", pk=transfer.pk)


@login_required
@require_POST
def withdraw(request, pk):
    transfer = _transfer(request.user, pk)
    try:
        services.transfer_request_withdraw(actor=request.user, request=transfer)
    except services.TransferError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, _("The request was withdrawn."))
    return redirect("learners:transfer_detail", pk=transfer.pk)


@login_required
def queue(request):
    """Requests to the institutions in the user's scope, open ones first by default."""
    require_staff(request.user, roles=(*services.DECIDE_ROLES, services.Role.CENTRE_STAFF))
    scope = scope_for(request.user)
    form = TransferSearchForm(request.GET or None)
    query, status = "", Status.REQUESTED
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        status = form.cleaned_data["status"] or Status.REQUESTED
    transfers = TransferRequest.objects.filter(scope.q(prefix="target_institution__"))
    if status in Status.values:
        transfers = transfers.filter(status=status)
    else:
        status = "all"
    if query:
        transfers = transfers.filter(
            Q(learner__in=Learner.objects.search(query).values("pk"))
            | Q(target_curriculum__name__icontains=query)
        )
    transfers = (
        transfers.select_related("learner", "target_institution", "target_curriculum")
        .annotate(counted=Sum("items__credits_recognised", filter=Q(items__counts=True)))
        .order_by("requested_at", "pk")
    )
    page = CachedCountPaginator(transfers, PAGE_SIZE, namespace=services.COUNT_NAMESPACE).get_page(
        request.GET.get("page")
    )
    for transfer in page.object_list:
        transfer.can_decide = transfer.is_open and scope.has_role(
            transfer.target_institution, *services.DECIDE_ROLES
        )
    return render(
        request,
        "learners/transfer_queue.html",
        {
            "page": page,
            "q": query,
            "status": status,
            "statuses": [*Status.choices, ("all", _("All"))],
        },
    )
