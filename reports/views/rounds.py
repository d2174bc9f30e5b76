"""Inspection rounds, each agency's part (with autosave) and the agencies' activity logs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creditbank.htmx import is_htmx
from institutions.models import Institution, Membership
from institutions.scoping import scope_for

from ..forms import ActivityForm, RoundCreateForm
from ..models import Activity, AgencyContribution, InspectionRound, RoundDocument, SectionBlock
from ..services import access, contributions, rounds
from ..services import activities as activity_services

Role = Membership.Role
PAGE_SIZE = 25


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- rounds -----------------------------------------------------------------------------------


@login_required
def round_list(request):
    scope = scope_for(request.user)
    if not scope.is_staff_member:
        raise PermissionDenied
    rounds_ = InspectionRound.objects.for_user(request.user).select_related("province")
    year = request.GET.get("year", "").strip()
    if year.isdigit():
        rounds_ = rounds_.filter(fiscal_year=int(year))
    state = request.GET.get("state", "")
    if state in InspectionRound.State.values:
        rounds_ = rounds_.filter(state=state)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        rounds_ = rounds_.filter(
            Q(province__name_th__icontains=query) | Q(province__name_en__icontains=query)
        )
    rounds_ = rounds_.annotate(
        parts=Count("contributions", distinct=True),
        submitted=Count(
            "contributions",
            filter=Q(contributions__status=AgencyContribution.Status.SUBMITTED),
            distinct=True,
        ),
    ).order_by("-fiscal_year", "-number", "province__name_th")
    page = Paginator(rounds_, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/rounds/round_list.html",
        {
            "page": page,
            "q": query,
            "year": year,
            "state": state,
            "states": InspectionRound.State.choices,
            "can_open": bool(scope.centre_province_ids),
        },
    )


def _centre_office(user) -> Institution:
    scope = scope_for(user)
    grant = next((g for g in scope.grants if g.role == Role.CENTRE_STAFF), None)
    if grant is None:
        raise PermissionDenied
    return Institution.objects.select_related("province").get(pk=grant.institution_id)


@login_required
def round_create(request):
    office = _centre_office(request.user)
    form = RoundCreateForm(request.POST or None, province=office.province)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = rounds.round_create(
                actor=request.user,
                filing_office=office,
                fiscal_year=data["fiscal_year"],
                number=data["number"],
                policy=data["policy"],
                focus_point=data["focus_point"],
                agencies=data["agencies"],
                deadline=data["deadline"],
            )
        except ValidationError as error:
            form.add_error(None, _messages_of(error))
        else:
            messages.success(request, _("The round is open; the agencies can write their parts."))
            return redirect("reports:round", pk=round_.pk)
    return render(request, "reports/rounds/round_create.html", {"form": form, "office": office})


def _round_for(user, pk) -> InspectionRound:
    return get_object_or_404(
        InspectionRound.objects.for_user(user).select_related(
            "province", "policy", "focus_point", "filing_office", "locked_by"
        ),
        pk=pk,
    )


@login_required
def round_detail(request, pk):
    round_ = _round_for(request.user, pk)
    is_centre = access.is_centre_for(request.user, round_)
    parts = AgencyContribution.objects.filter(round=round_).select_related(
        "institution", "updated_by", "submitted_by"
    )
    if not is_centre:
        parts = parts & AgencyContribution.objects.for_user(request.user)
    parts = list(parts.annotate(block_count=Count("blocks")).order_by("position", "pk"))
    documents = []
    if is_centre:
        documents = list(
            RoundDocument.objects.filter(round=round_)
            .select_related("document", "document__created_by")
            .order_by("-document__created_at", "-pk")[:10]
        )
    return render(
        request,
        "reports/rounds/round_detail.html",
        {
            "round": round_,
            "parts": parts,
            "is_centre": is_centre,
            "missing": [p for p in parts if not p.is_submitted],
            "next_state": rounds.NEXT_STATE.get(round_.state),
            "states": InspectionRound.State,
            "documents": documents,
            "locked_message": rounds.locked_message(round_) if round_.is_locked else "",
        },
    )


@login_required
@require_POST
def round_state(request, pk):
    round_ = _round_for(request.user, pk)
    if not access.is_centre_for(request.user, round_):
        raise PermissionDenied
    try:
        rounds.round_set_state(actor=request.user, round_=round_, state=request.POST.get("state"))
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, _("The round's state was changed."))
    return redirect("reports:round", pk=round_.pk)


@login_required
@require_POST
def round_reorder(request, pk):
    round_ = _round_for(request.user, pk)
    if not access.is_centre_for(request.user, round_):
        raise PermissionDenied
    ids = list(round_.contributions.order_by("position", "pk").values_list("pk", flat=True))
    try:
        moved = int(request.POST.get("part", ""))
        index = ids.index(moved)
    except ValueError:
        messages.error(request, _("Choose an agency of this round."))
        return redirect("reports:round", pk=round_.pk)
    step = -1 if request.POST.get("direction") == "up" else 1
    other = index + step
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
        try:
            rounds.contributions_reorder(actor=request.user, round_=round_, ordered_ids=ids)
        except ValidationError as error:
            messages.error(request, _messages_of(error))
    return redirect(reverse("reports:round", args=[round_.pk]) + "#parts")


# --- an agency's part -------------------------------------------------------------------------


def _part_for(user, pk) -> AgencyContribution:
    return get_object_or_404(
        AgencyContribution.objects.for_user(user).select_related(
            "round__province",
            "round__policy",
            "round__focus_point",
            "round__locked_by",
            "institution",
            "updated_by",
        ),
        pk=pk,
    )


def _editor_context(request, part):
    round_ = part.round
    blocks: dict[str, list[SectionBlock]] = {}
    for block in part.blocks.order_by("section", "position"):
        blocks.setdefault(block.section, []).append(block)
    sections = [
        {"key": key, "title": title, "blocks": blocks.get(key, [])}
        for key, title in round_.sections()
    ]
    activities = Activity.objects.filter(institution=part.institution).order_by("-start_date")[:100]
    inserted = set(part.blocks.exclude(activity=None).values_list("activity_id", flat=True))
    can_write = access.can_write(request.user, part) and not round_.is_locked
    return {
        "part": part,
        "round": round_,
        "sections": sections,
        "activities": activities,
        "inserted": inserted,
        "can_write": can_write,
        "locked_message": rounds.locked_message(round_) if round_.is_locked else "",
        "kinds": SectionBlock.Kind.choices,
    }


@login_required
def part_edit(request, pk):
    part = _part_for(request.user, pk)
    return render(request, "reports/rounds/part_edit.html", _editor_context(request, part))


def _posted_blocks(request) -> list[dict]:
    kinds = request.POST.getlist("kind")
    texts = request.POST.getlist("text")
    activities = request.POST.getlist("activity")
    blocks = []
    for index, text in enumerate(texts):
        activity = activities[index] if index < len(activities) else ""
        blocks.append(
            {
                "kind": kinds[index] if index < len(kinds) else SectionBlock.Kind.PARAGRAPH,
                "text": text,
                "activity": int(activity) if activity.isdigit() else None,
            }
        )
    return blocks


def _refused(request, part, message, *, status=409):
    if is_htmx(request):
        return render(
            request,
            "reports/rounds/_save_status.html",
            {"part": part, "error": message, "section": request.POST.get("section", "")},
            status=200,  # htmx swaps only 2xx; the editor keeps the text either way
        )
    messages.error(request, message)
    response = redirect("reports:part", pk=part.pk)
    return response


@login_required
@require_POST
def section_save(request, pk, section):
    part = _part_for(request.user, pk)
    if not access.can_write(request.user, part):
        raise PermissionDenied
    version = request.POST.get("version", "")
    try:
        part = contributions.section_save(
            actor=request.user,
            contribution=part,
            section=section,
            blocks=_posted_blocks(request),
            expected_version=int(version) if version.isdigit() else None,
        )
    except ValidationError as error:
        return _refused(request, part, _messages_of(error))
    if is_htmx(request):
        return render(
            request,
            "reports/rounds/_save_status.html",
            {"part": part, "saved_at": timezone.localtime(), "section": section},
        )
    messages.success(request, _("Saved."))
    return redirect(reverse("reports:part", args=[part.pk]) + f"#section-{section}")


@login_required
@require_POST
def part_insert_activities(request, pk):
    part = _part_for(request.user, pk)
    if not access.can_write(request.user, part):
        raise PermissionDenied
    section = request.POST.get("section", "")
    chosen = Activity.objects.filter(
        institution=part.institution,
        pk__in=[v for v in request.POST.getlist("activities") if v.isdigit()],
    )
    try:
        contributions.activities_insert(
            actor=request.user, contribution=part, section=section, activities=chosen
        )
    except ValidationError as error:
        messages.error(request, _messages_of(error))
        return redirect("reports:part", pk=part.pk)
    messages.success(request, _("The activities were added as numbered items."))
    return redirect(reverse("reports:part", args=[part.pk]) + f"#section-{section}")


@login_required
@require_POST
def part_submit(request, pk):
    part = _part_for(request.user, pk)
    if not access.can_write(request.user, part):
        raise PermissionDenied
    try:
        if request.POST.get("action") == "withdraw":
            contributions.contribution_withdraw(actor=request.user, contribution=part)
            messages.success(request, _("Your part is a draft again."))
        else:
            contributions.contribution_submit(actor=request.user, contribution=part)
            messages.success(request, _("Your part was sent to the centre."))
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    return redirect("reports:part", pk=part.pk)


# --- activity log -----------------------------------------------------------------------------


def _log_institutions(user):
    """Agencies whose log the user keeps: where they administer, and for centre staff every
    office of their province."""
    scope = scope_for(user)
    direct = [g.institution_id for g in scope.grants if g.role == Role.INSTITUTION_ADMIN]
    query = Q(pk__in=direct)
    if scope.centre_province_ids:
        query |= Q(
            province_id__in=sorted(scope.centre_province_ids),
            kind__in=Institution.OFFICE_KINDS | {Institution.Kind.TEST_CENTRE},
        )
    if scope.is_national:
        query = Q(kind__in=Institution.OFFICE_KINDS)
    return Institution.objects.filter(query, active=True).order_by("name_th")


@login_required
def activity_list(request):
    scope = scope_for(request.user)
    if not scope.is_staff_member:
        raise PermissionDenied
    activities = Activity.objects.for_user(request.user).select_related("institution")
    query = request.GET.get("q", "").strip()[:100]
    if query:
        activities = activities.filter(
            Q(title__icontains=query) | Q(place__icontains=query) | Q(partners__icontains=query)
        )
    year = request.GET.get("year", "").strip()
    if year.isdigit():
        activities = activities.filter(start_date__year=int(year) - 543)
    page = Paginator(activities.order_by("-start_date", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reports/rounds/activity_list.html",
        {
            "page": page,
            "q": query,
            "year": year,
            "can_add": _log_institutions(request.user).exists(),
        },
    )


@login_required
def activity_create(request):
    institutions = _log_institutions(request.user)
    if not institutions.exists():
        raise PermissionDenied
    form = ActivityForm(request.POST or None, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "institution"}
        try:
            activity_services.activity_create(
                actor=request.user, institution=form.cleaned_data["institution"], **data
            )
        except ValidationError as error:
            form.add_error(None, _messages_of(error))
        else:
            messages.success(request, _("The activity was added to the log."))
            return redirect("reports:activities")
    return render(request, "reports/rounds/activity_form.html", {"form": form})


def _activity_for(user, pk) -> Activity:
    activity = get_object_or_404(
        Activity.objects.for_user(user).select_related("institution"), pk=pk
    )
    if not access.can_keep_log(user, activity.institution):
        raise PermissionDenied
    return activity


@login_required
def activity_edit(request, pk):
    activity = _activity_for(request.user, pk)
    institutions = Institution.objects.filter(pk=activity.institution_id)
    form = ActivityForm(request.POST or None, instance=activity, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "institution"}
        try:
            activity_services.activity_update(actor=request.user, activity=activity, **data)
        except ValidationError as error:
            form.add_error(None, _messages_of(error))
        else:
            messages.success(request, _("The activity was saved."))
            return redirect("reports:activities")
    return render(
        request, "reports/rounds/activity_form.html", {"form": form, "activity": activity}
    )


@login_required
@require_POST
def activity_delete(request, pk):
    activity = _activity_for(request.user, pk)
    activity_services.activity_delete(actor=request.user, activity=activity)
    messages.success(request, _("The activity was removed from the log."))
    return redirect("reports:activities")
