"""The signed-in learner's own pages. Nothing here takes a learner id: the learner is the one
linked to the account, so another learner's record cannot even be named."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from ..models import TransferRequest
from ..services.ledger import learner_summary, learner_timeline
from .access import breakdowns, learner_of

TIMELINE_PAGE = 50


@login_required
def my_credits(request):
    learner = learner_of(request.user)
    if learner is None:
        return render(request, "learners/not_linked.html")
    summary = learner_summary(learner)
    page = Paginator(learner_timeline(learner), TIMELINE_PAGE).get_page(request.GET.get("page"))
    transfers = (
        TransferRequest.objects.filter(learner=learner)
        .select_related("target_institution", "target_curriculum")
        .order_by("-requested_at", "-pk")[:20]
    )
    return render(
        request,
        "learners/my_credits.html",
        {
            "learner": learner,
            "summary": summary,
            "breakdowns": breakdowns(summary),
            "page": page,
            "transfers": transfers,
        },
    )
