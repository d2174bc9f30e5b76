from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import Course
from institutions.models import Membership, Province
from institutions.scoping import get_for_user, scope_for

from . import services
from .models import EquivalenceMapping, MappingCourse

Role = Membership.Role
Status = EquivalenceMapping.Status
PAGE_SIZE = 25


def _with_courses(queryset):
    return queryset.select_related("province", "proposed_by", "decided_by").prefetch_related(
        Prefetch(
            "links",
            queryset=MappingCourse.objects.select_related("course__institution").order_by(
                "side", "course__code"
            ),
        )
    )


def where_it_counts(request):
    """Public: where does a course count (approved mappings only, no personal data)."""
    english = (get_language() or "th").startswith("en")
    provinces = Province.objects.filter(centre_active=True).order_by("code")
    province_slug = request.GET.get("province") or (provinces[0].slug if provinces else "")
    query = request.GET.get("q", "").strip()
    direction = "to" if request.GET.get("direction") == "to" else "from"
    results = []
    courses = Course.objects.none()
    if query:
        courses = (
            Course.objects.public()
            .filter(institution__province__slug=province_slug)
            .filter(
                Q(code__icontains=query) | Q(name_th__icontains=query) | Q(name_en__icontains=query)
            )
            .select_related("institution")
            .order_by("institution__name_th", "code")[:20]
        )
        course_ids = [c.pk for c in courses]
        own_side = MappingCourse.Side.SOURCE if direction == "from" else MappingCourse.Side.TARGET
        mirrored_side = (
            MappingCourse.Side.TARGET if direction == "from" else MappingCourse.Side.SOURCE
        )
        mappings = _with_courses(
            EquivalenceMapping.objects.approved()
            .filter(
                Q(links__course_id__in=course_ids, links__side=own_side)
                | Q(
                    links__course_id__in=course_ids,
                    links__side=mirrored_side,
                    direction=EquivalenceMapping.Direction.MIRRORED,
                )
            )
            .distinct()
        )
        by_course = {c.pk: [] for c in courses}
        for mapping in mappings:
            links = list(mapping.links.all())
            mirrored = mapping.direction == EquivalenceMapping.Direction.MIRRORED
            for link in links:
                if link.course_id not in by_course:
                    continue
                if link.side != own_side and not mirrored:
                    continue  # a one-way mapping counts only from its source side
                counts_as = [x.course for x in links if x.side != link.side]
                by_course[link.course_id].append({"mapping": mapping, "others": counts_as})
        results = [(course, by_course[course.pk]) for course in courses]
    return render(
        request,
        "equivalence/where_it_counts.html",
        {
            "provinces": [(p.slug, p.name_en if english else p.name_th) for p in provinces],
            "province_slug": province_slug,
            "q": query,
            "direction": direction,
            "results": results,
        },
    )


@login_required
def queue(request):
    scope = scope_for(request.user)
    if not scope.has_role_anywhere(Role.COMMITTEE_REVIEWER, Role.CENTRE_STAFF):
        raise PermissionDenied
    mappings = EquivalenceMapping.objects.for_user(request.user)
    status = request.GET.get("status", "open")
    if status == "open":
        mappings = mappings.filter(status__in=[Status.PROPOSED, Status.UNDER_REVIEW])
    elif status in Status.values:
        mappings = mappings.filter(status=status)
    level = request.GET.get("level", "")
    if level:
        mappings = mappings.filter(links__course__level=level).distinct()
    if request.method == "POST":
        chosen = mappings.filter(pk__in=request.POST.getlist("mappings"))
        action, comment = request.POST.get("action"), request.POST.get("comment", "")
        done, refused = 0, []
        for mapping in chosen:
            try:
                if action == "approve":
                    services.mapping_approve(actor=request.user, mapping=mapping, comment=comment)
                else:
                    services.mapping_reject(actor=request.user, mapping=mapping, comment=comment)
                done += 1
            except services.MappingError as error:
                refused.append(f"#{mapping.pk}: {' '.join(error.messages)}")
        if done:
            messages.success(request, _("%(count)s mappings decided.") % {"count": done})
        for line in refused:
            messages.error(request, line)
        return redirect(request.get_full_path())
    page = Paginator(_with_courses(mappings.order_by("proposed_at", "pk")), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "equivalence/queue.html",
        {"page": page, "status": status, "statuses": Status.choices, "level": level},
    )


@login_required
def detail(request, pk):
    mapping = get_for_user(request.user, _with_courses(EquivalenceMapping.objects.all()), pk=pk)
    scope = scope_for(request.user)
    history = mapping.history.select_related("history_user").order_by("-history_date")[:30]
    return render(
        request,
        "equivalence/detail.html",
        {
            "mapping": mapping,
            "history": history,
            "can_decide": scope.has_role_in_province(mapping.province_id, Role.COMMITTEE_REVIEWER)
            and mapping.status in (Status.PROPOSED, Status.UNDER_REVIEW),
        },
    )


@login_required
@require_POST
def decide(request, pk):
    mapping = get_for_user(request.user, EquivalenceMapping, pk=pk)
    if not scope_for(request.user).has_role_in_province(
        mapping.province_id, Role.COMMITTEE_REVIEWER
    ):
        raise PermissionDenied
    comment = request.POST.get("comment", "")
    try:
        if request.POST.get("action") == "approve":
            services.mapping_approve(
                actor=request.user,
                mapping=mapping,
                comment=comment,
                meeting=request.POST.get("meeting", "")[:200],
                decision_number=request.POST.get("decision_number", "")[:50],
            )
            messages.success(request, _("Mapping approved."))
        else:
            services.mapping_reject(actor=request.user, mapping=mapping, comment=comment)
            messages.success(request, _("Mapping rejected."))
    except services.MappingError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("equivalence:detail", pk=mapping.pk)
