"""Staff pages: the learner list, a learner's record, unmasking (logged), account linking."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creditbank.pagination import CachedCountPaginator
from institutions.scoping import get_for_user

from ..forms import LearnerCreateForm, LearnerSearchForm, LinkAccountForm, UnmaskForm
from ..models import Learner, Transcript, UnmaskLog
from ..services import learners as services
from ..services.ledger import learner_summary, learner_timeline
from ..services.transcripts import learner_transcripts
from ..transcript_forms import TranscriptRevokeForm
from .access import breakdowns, require_staff, staff_learner
from .transcripts import revoke

PAGE_SIZE = 25
TRANSCRIPTS_SHOWN = 20


@login_required
def learner_list(request):
    require_staff(request.user, roles=())
    form = LearnerSearchForm(request.GET or None)
    learners = Learner.objects.for_user(request.user).select_related("home_institution")
    query = ""
    if form.is_valid() and (query := form.cleaned_data["q"].strip()):
        learners = learners.search(query)
    page = CachedCountPaginator(
        learners.order_by("first_name_th", "last_name_th", "pk"), PAGE_SIZE, namespace="learners"
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "learners/learner_list.html",
        {"page": page, "q": query, "can_create": bool(_creatable(request.user))},
    )


def _creatable(user):
    from ..forms import institutions_with_role

    return institutions_with_role(user, services.STAFF_ROLES)


@login_required
def learner_create(request):
    require_staff(request.user)
    form = LearnerCreateForm(request.POST or None, user=request.user, roles=services.STAFF_ROLES)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        get_for_user(
            request.user,
            type(data["home_institution"]),
            roles=services.STAFF_ROLES,
            pk=data["home_institution"].pk,
        )
        try:
            learner = services.learner_create(actor=request.user, **data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The learner is registered."))
            return redirect("learners:detail", pk=learner.pk)
    return render(request, "learners/learner_create.html", {"form": form})


@login_required
def learner_detail(request, pk):
    learner = staff_learner(request.user, pk)
    summary = learner_summary(learner)
    timeline = learner_timeline(learner)[:100]
    unmask_logs = UnmaskLog.objects.filter(learner=learner).select_related("user")[:20]
    transcripts = learner_transcripts(learner).select_related("revoked_by")[:TRANSCRIPTS_SHOWN]
    return render(
        request,
        "learners/learner_detail.html",
        {
            "learner": learner,
            "summary": summary,
            "breakdowns": breakdowns(summary),
            "timeline": timeline,
            "unmask_logs": unmask_logs,
            "unmask_form": UnmaskForm(),
            "link_form": LinkAccountForm(),
            "transcripts": transcripts,
            "revoke_form": TranscriptRevokeForm(),
        },
    )


@login_required
@require_POST
def learner_unmask(request, pk):
    learner = staff_learner(request.user, pk, roles=services.STAFF_ROLES)
    form = UnmaskForm(request.POST)
    shown = None
    if form.is_valid():
        try:
            shown = services.learner_unmask(
                actor=request.user, learner=learner, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
    return render(
        request,
        "learners/unmask.html",
        {"learner": learner, "form": form, "shown": shown},
        status=200 if shown else 400,
    )


@login_required
@require_POST
def transcript_revoke(request, pk, transcript_pk):
    learner = staff_learner(request.user, pk, roles=services.STAFF_ROLES)
    transcript = get_object_or_404(Transcript, pk=transcript_pk, learner=learner)
    return revoke(
        request, transcript, reverse("learners:detail", args=[pk]) + f"#transcript-{transcript.pk}"
    )


@login_required
@require_POST
def learner_link(request, pk):
    learner = staff_learner(request.user, pk, roles=services.STAFF_ROLES)
    form = LinkAccountForm(request.POST)
    if form.is_valid():
        try:
            services.learner_link_user(actor=request.user, learner=learner, user=form.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The account is linked to this learner."))
    else:
        messages.error(request, " ".join(form.errors.get("username", [])))
    return redirect("learners:detail", pk=learner.pk)
