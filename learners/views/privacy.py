"""Data-subject rights (PDPA): the learner's copy of their data, and erasure requests that
staff record and answer on a learner's privacy page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from creditbank.documents.xlsx import XLSX_CONTENT_TYPE

from ..models import ErasureRequest, Learner
from ..services import privacy as services
from ..services.learners import STAFF_ROLES
from ..transcript_forms import ErasureAnswerForm, ErasureRecordForm
from .access import learner_of, staff_learner
from .transcripts import _own_learner


def _attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _stem() -> str:
    return f"my-credit-bank-data-{timezone.localdate():%Y%m%d}"


@login_required
@never_cache
def my_data(request):
    learner = learner_of(request.user)
    if learner is None:
        return render(request, "learners/not_linked.html")
    return render(
        request,
        "learners/my_data.html",
        {"learner": learner, "requests": services.learner_erasure_requests(learner)[:20]},
    )


@login_required
@require_GET
def my_data_json(request):
    learner = _own_learner(request)
    return _attachment(
        services.learner_data_json(learner), "application/json; charset=utf-8", f"{_stem()}.json"
    )


@login_required
@require_GET
def my_data_xlsx(request):
    learner = _own_learner(request)
    return _attachment(services.learner_data_xlsx(learner), XLSX_CONTENT_TYPE, f"{_stem()}.xlsx")


# --- staff -------------------------------------------------------------------------------------


@login_required
def learner_privacy(request, pk):
    learner = staff_learner(request.user, pk)
    return render(
        request,
        "learners/learner_privacy.html",
        {
            "learner": learner,
            "requests": services.learner_erasure_requests(learner)[:50],
            "record_form": ErasureRecordForm(),
            "answer_form": ErasureAnswerForm(),
        },
    )


@login_required
@require_POST
def erasure_record(request, pk):
    learner = staff_learner(request.user, pk, roles=STAFF_ROLES)
    form = ErasureRecordForm(request.POST)
    if form.is_valid():
        try:
            services.erasure_request_record(
                actor=request.user, learner=learner, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The erasure request is recorded."))
    return redirect("learners:privacy", pk=learner.pk)


@login_required
@require_POST
def erasure_answer(request, pk):
    erasure = get_object_or_404(
        ErasureRequest.objects.select_related("learner"),
        pk=pk,
        learner__in=Learner.objects.for_user(request.user).values("pk"),
    )
    learner = staff_learner(request.user, erasure.learner_id, roles=STAFF_ROLES)
    form = ErasureAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose erase or refuse."))
        return redirect("learners:privacy", pk=learner.pk)
    try:
        services.erasure_request_answer(
            actor=request.user,
            request=erasure,
            complete=form.cleaned_data["action"] == "complete",
            answer=form.cleaned_data["answer"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if form.cleaned_data["action"] == "complete":
            messages.success(
                request, _("The learner's personal data is erased; the ledger is kept.")
            )
        else:
            messages.info(request, _("The request is refused."))
    return redirect("learners:privacy", pk=learner.pk)
