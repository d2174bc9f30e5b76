from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import Course, Level
from institutions.models import Membership, Province
from institutions.scoping import get_for_user, scope_for

from .. import services
from ..models import EquivalenceMapping, MappingCourse

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


def _busiest_province_slug(provinces) -> str:
    """The default province: the one with the most approved mappings (else the first)."""
    from django.db.models import Count

    busiest = (
        EquivalenceMapping.objects.approved()
        .filter(province__centre_active=True)
        .values("province__slug")
        .annotate(n=Count("pk"))
        .order_by("-n", "province__slug")
        .first()
    )
    if busiest:
        return busiest["province__slug"]
    return provinces[0].slug if provinces else ""


def where_it_counts(request):
    """Public: where does a course count (approved mappings only, no personal data)."""
    english = (get_language() or "th").startswith("en")
    provinces = Province.objects.filter(centre_active=True).order_by("code")
    province_slug = request.GET.get("province") or _busiest_province_slug(provinces)
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


def _id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def filtered_mappings(request):
    """The user's mappings filtered by status, level and institution pair (queue and export)."""
    from institutions.models import Institution

    mappings = EquivalenceMapping.objects.for_user(request.user)
    status = request.GET.get("status", "open")
    if status == "open":
        mappings = mappings.filter(status__in=[Status.PROPOSED, Status.UNDER_REVIEW])
    elif status in Status.values:
        mappings = mappings.filter(status=status)
    level = request.GET.get("level", "")
    if level in Level.values:
        links = MappingCourse.objects.filter(course__level=level)
        mappings = mappings.filter(pk__in=links.values("mapping_id"))
    else:
        level = ""
    source, target = _id(request.GET.get("source")), _id(request.GET.get("target"))
    for side, institution_id in (
        (MappingCourse.Side.SOURCE, source),
        (MappingCourse.Side.TARGET, target),
    ):
        if institution_id:
            links = MappingCourse.objects.filter(side=side, course__institution_id=institution_id)
            mappings = mappings.filter(pk__in=links.values("mapping_id"))
    scope = scope_for(request.user)
    institutions = Institution.objects.filter(scope.province_q("province_id"), active=True)
    if scope.is_national:  # every institution of the country would not fit in a list
        institutions = institutions.filter(province__centre_active=True)
    institutions = (
        institutions.exclude(kind__in=Institution.OFFICE_KINDS)
        .order_by("name_th")
        .only("pk", "name_th", "name_en")
    )
    return mappings, {
        "status": status,
        "level": level,
        "source": source,
        "target": target,
        "institutions": institutions,
    }


@login_required
def queue(request):
    scope = scope_for(request.user)
    if not scope.has_role_anywhere(Role.COMMITTEE_REVIEWER, Role.CENTRE_STAFF):
        raise PermissionDenied
    mappings, filters = filtered_mappings(request)
    if request.method == "POST":
        ids = [i for i in (_id(v) for v in request.POST.getlist("mappings")[: PAGE_SIZE * 4]) if i]
        chosen = mappings.filter(pk__in=ids).order_by("pk")
        action, comment = request.POST.get("action"), request.POST.get("comment", "")
        if action not in ("approve", "reject"):
            return redirect(request.get_full_path())
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
        {"page": page, "statuses": Status.choices, "levels": Level.choices, **filters},
    )


@login_required
def detail(request, pk):
    mapping = get_for_user(
        request.user,
        _with_courses(EquivalenceMapping.objects.all()).prefetch_related("evidence"),
        pk=pk,
    )
    scope = scope_for(request.user)
    history = mapping.history.select_related("history_user").order_by("-history_date")[:30]
    can_decide = scope.has_role_in_province(
        mapping.province_id, Role.COMMITTEE_REVIEWER
    ) and mapping.status in (Status.PROPOSED, Status.UNDER_REVIEW)
    return render(
        request,
        "equivalence/detail.html",
        {
            "mapping": mapping,
            "history": history,
            "can_decide": can_decide,
            "can_approve": can_decide and mapping.proposed_by_id != request.user.pk,
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


def _province_for(request, scope):
    provinces = Province.objects.filter(scope.province_q()).order_by("code")
    chosen = request.GET.get("province")
    province = provinces.filter(slug=chosen).first() if chosen else None
    return province or provinces.first(), provinces


@login_required
def coverage(request):
    """Share of approved courses that have an approved mapping; biggest gaps first."""
    from collections import defaultdict

    from django.db.models import Count

    from institutions.models import Institution

    scope = scope_for(request.user)
    if not scope.is_staff_member:
        raise PermissionDenied
    province, provinces = _province_for(request, scope)
    approved = dict(
        Course.objects.approved()
        .filter(institution__province=province)
        .values_list("institution")
        .annotate(n=Count("pk"))
    )
    links = MappingCourse.objects.filter(
        mapping__status=Status.APPROVED, mapping__province=province
    ).values_list("mapping_id", "side", "course_id", "course__institution_id")
    sources, target_institutions = defaultdict(set), defaultdict(set)
    for mapping_id, side, course_id, institution_id in links:
        if side == MappingCourse.Side.SOURCE:
            sources[mapping_id].add((course_id, institution_id))
        else:
            target_institutions[mapping_id].add(institution_id)
    mapped_any, mapped_pair = defaultdict(set), defaultdict(set)
    for mapping_id, source_courses in sources.items():
        for course_id, institution_id in source_courses:
            mapped_any[institution_id].add(course_id)
            for target in target_institutions[mapping_id]:
                mapped_pair[(institution_id, target)].add(course_id)
    names = dict(Institution.objects.filter(pk__in=approved).values_list("pk", "name_th"))
    rows = sorted(
        (
            {
                "name": names.get(pk, pk),
                "approved": total,
                "mapped": len(mapped_any[pk]),
                "gap": total - len(mapped_any[pk]),
                "share": round(100 * len(mapped_any[pk]) / total) if total else 0,
            }
            for pk, total in approved.items()
        ),
        key=lambda row: (-row["gap"], row["name"]),
    )
    pairs = sorted(
        (
            {
                "source": names.get(source, source),
                "target": names.get(target, target),
                "mapped": len(courses),
                "approved": approved.get(source, 0),
                "share": round(100 * len(courses) / approved[source])
                if approved.get(source)
                else 0,
            }
            for (source, target), courses in mapped_pair.items()
        ),
        key=lambda row: (row["share"], row["source"]),
    )
    total = sum(approved.values())
    mapped = sum(len(v) for v in mapped_any.values())
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "equivalence/coverage.html",
        {
            "province": province,
            "provinces": provinces,
            "page": page,
            "pairs": pairs[:200],
            "total": total,
            "mapped": mapped,
            "share": round(100 * mapped / total) if total else 0,
        },
    )


@login_required
def demand(request):
    """Courses people asked to transfer with no approved mapping: oldest first."""
    from django.utils import timezone

    from ..models import TransferDemand

    scope = scope_for(request.user)
    if not scope.is_staff_member:
        raise PermissionDenied
    items = (
        TransferDemand.objects.for_user(request.user)
        .filter(resolved_at__isnull=True)
        .select_related("course__institution", "target_institution")
        .order_by("first_requested_at", "pk")
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for item in page.object_list:
        item.waited_days = (now - item.first_requested_at).days
    return render(
        request,
        "equivalence/demand.html",
        {"page": page, "open_count": items.count()},
    )


@login_required
def evidence(request, pk):
    """Download one evidence file of a mapping the user may see."""
    from django.http import FileResponse

    from ..evidence import CONTENT_TYPES
    from ..models import MappingEvidence

    item = get_object_or_404(
        MappingEvidence.objects.filter(
            mapping__in=EquivalenceMapping.objects.for_user(request.user)
        ),
        pk=pk,
    )
    extension = item.file.name.rsplit(".", 1)[-1].lower()
    return FileResponse(
        item.file.open("rb"),
        as_attachment=extension == "pdf",
        filename=f"evidence-{item.mapping_id}-{item.pk}.{extension}",
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
