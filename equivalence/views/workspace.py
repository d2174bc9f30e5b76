"""The committee workspace: pick or walk source courses, see ranked candidates, propose."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from courses.models import Course
from institutions.models import Institution, Membership
from institutions.scoping import scope_for

from .. import services
from ..forms import ProposalForm
from ..models import EquivalenceMapping, MappingCourse

Role = Membership.Role
WORKSPACE_ROLES = (Role.COMMITTEE_REVIEWER, Role.CENTRE_STAFF)
TOP = 10
SEARCH_PAGE_SIZE = 15


@dataclass(frozen=True)
class Reach:
    """The provinces where the user works on equivalences (committee reviewer or centre staff)."""

    national: bool
    province_ids: frozenset[int]

    def q(self, field: str = "institution__province_id") -> Q:
        return Q() if self.national else Q(**{f"{field}__in": sorted(self.province_ids)})


def workspace_reach(user) -> Reach:
    """403 without the role anywhere; the queries below make other provinces a 404."""
    scope = scope_for(user)
    if not scope.has_role_anywhere(*WORKSPACE_ROLES):
        raise PermissionDenied
    ids = frozenset(g.province_id for g in scope.grants if g.role in WORKSPACE_ROLES)
    return Reach(national=scope.is_national, province_ids=ids)


def _source_courses(reach: Reach):
    return Course.objects.public().filter(reach.q()).select_related("institution")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ids(values, limit: int = 10) -> list[int]:
    return sorted({i for i in (_int(v) for v in values[:limit]) if i})


def _neighbours(current, institution):
    """Previous and next approved course of the institution's list (by code), and position."""
    siblings = Course.objects.public().filter(institution=institution)
    after = Q(code__gt=current.code) | Q(code=current.code, pk__gt=current.pk)
    before = Q(code__lt=current.code) | Q(code=current.code, pk__lt=current.pk)
    following = siblings.filter(after).order_by("code", "pk").values_list("pk", flat=True).first()
    previous = siblings.filter(before).order_by("-code", "-pk").values_list("pk", flat=True)
    position = siblings.filter(before).count() + 1
    return previous.first(), following, position, siblings.count()


@login_required
def workspace(request):
    reach = workspace_reach(request.user)
    sources = _source_courses(reach)
    institutions = Institution.objects.filter(reach.q("province_id"), active=True)
    if reach.national:  # every institution of the country would not fit in a list
        institutions = institutions.filter(province__centre_active=True)
    institutions = (
        institutions.filter(courses__status=Course.Status.APPROVED)
        .distinct()
        .order_by("name_th")
        .only("pk", "code", "name_th", "name_en", "province_id")
    )
    walk = None
    walk_id = _int(request.GET.get("institution"))
    if walk_id:
        walk = get_object_or_404(institutions, pk=walk_id)
    course_id = _int(request.GET.get("course"))
    current = None
    if course_id:
        current = get_object_or_404(
            sources.filter(institution=walk) if walk else sources, pk=course_id
        )
    elif walk is not None:
        current = sources.filter(institution=walk).order_by("code", "pk").first()

    previous = following = position = total = None
    if current is not None and walk is not None:
        previous, following, position, total = _neighbours(current, walk)

    targets, target = [], None
    if current is not None:
        targets = [i for i in institutions if i.province_id == current.institution.province_id]
        targets = [i for i in targets if i.pk != current.institution_id]
        target_id = _int(request.GET.get("target"))
        target = next((i for i in targets if i.pk == target_id), None)

    query = request.GET.get("q", "").strip()[:100]
    results = None
    if query:
        found = sources.filter(
            Q(code__icontains=query) | Q(name_th__icontains=query) | Q(name_en__icontains=query)
        ).order_by("institution__name_th", "code", "pk")
        results = Paginator(found, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "equivalence/workspace.html",
        {
            "institutions": institutions,
            "walk": walk,
            "current": current,
            "previous": previous,
            "following": following,
            "position": position,
            "total": total,
            "targets": targets,
            "target": target,
            "q": query,
            "page": results,
        },
    )


def _existing(current, candidate_ids) -> dict[int, tuple[int, str]]:
    """Candidate course id → (mapping id, status) of a live mapping from ``current`` to it."""
    links = (
        MappingCourse.objects.filter(
            side=MappingCourse.Side.TARGET,
            course_id__in=candidate_ids,
            mapping__links__course=current,
            mapping__links__side=MappingCourse.Side.SOURCE,
        )
        .exclude(
            mapping__status__in=[
                EquivalenceMapping.Status.REJECTED,
                EquivalenceMapping.Status.RETIRED,
            ]
        )
        .values_list("course_id", "mapping_id", "mapping__status")
    )
    return {course_id: (mapping_id, status) for course_id, mapping_id, status in links}


@login_required
def workspace_candidates(request):
    """The ranked candidates for one source course (an htmx fragment of the workspace)."""
    reach = workspace_reach(request.user)
    current = get_object_or_404(
        _source_courses(reach).select_related("institution__province"),
        pk=_int(request.GET.get("course")),
    )
    target = None
    target_id = _int(request.GET.get("target"))
    if target_id:
        target = get_object_or_404(
            Institution.objects.filter(province_id=current.institution.province_id, active=True),
            pk=target_id,
        )
    candidates = services.suggest_for_course(course=current, target_institution=target, top=TOP)
    existing = _existing(current, [c.course.pk for c in candidates]) if candidates else {}
    lang = "en" if (get_language() or "th").startswith("en") else "th"
    statuses = dict(EquivalenceMapping.Status.choices)
    rows = [
        {
            "candidate": c,
            "percent": round(c.score * 100),
            "explanation": c.explanation(lang),
            "existing": existing.get(c.course.pk),
            "existing_status": statuses.get(existing.get(c.course.pk, (0, ""))[1], ""),
        }
        for c in candidates
    ]
    return render(
        request,
        "equivalence/_candidates.html",
        {"current": current, "target": target, "rows": rows},
    )


def _prefill(sources, targets, rationale: str) -> dict:
    total_source = sum((c.credits for c in sources), 0)
    total_target = sum((c.credits for c in targets), 0)
    return {
        "sources": [c.pk for c in sources],
        "targets": [c.pk for c in targets],
        "kind": EquivalenceMapping.Kind.FULL,
        "direction": EquivalenceMapping.Direction.ONE_WAY,
        "credits_recognised": min(total_source, total_target) or total_target,
        "rationale": rationale,
    }


def _explanation_for(sources, targets) -> str:
    if len(sources) != 1 or len(targets) != 1:
        return ""
    lang = "en" if (get_language() or "th").startswith("en") else "th"
    found = services.suggest_explain(course=sources[0], target=targets[0])
    if found is None:
        return ""
    return _("Suggested (score %(score)s): %(why)s.") % {
        "score": f"{found.score:.2f}",
        "why": found.explain_text(lang),
    }


def _with_added_courses(request, form: ProposalForm, courses) -> ProposalForm:
    """The form again with the courses typed in the "add" fields moved onto their sides."""
    initial = {name: form.data.get(name) for name in form.fields if name != "evidence"}
    for side in ("sources", "targets"):
        found, unknown = form.added(f"add_{side}")
        kept = list(courses.filter(pk__in=_ids(form.data.getlist(side), limit=20)))
        initial[side] = list(dict.fromkeys([c.pk for c in kept] + [c.pk for c in found]))
        initial[f"add_{side}"] = "; ".join(unknown)
        if unknown:
            messages.error(
                request,
                _("Unknown course codes: %(codes)s (write institution code:course code).")
                % {"codes": ", ".join(unknown)},
            )
    return ProposalForm(initial=initial, courses=courses)


@login_required
def propose(request):
    """The proposal form, prefilled from the accepted candidate; submitting calls the service."""
    reach = workspace_reach(request.user)
    courses = _source_courses(reach)
    data = request.POST if request.method == "POST" else None
    form = ProposalForm(data, request.FILES or None, courses=courses)
    if request.method == "GET":
        wanted_sources = _ids(request.GET.getlist("sources"))
        wanted_targets = _ids(request.GET.getlist("targets"))
        if not wanted_sources or not wanted_targets:
            return redirect("equivalence:workspace")
        chosen_sources = list(courses.filter(pk__in=wanted_sources))
        chosen_targets = list(courses.filter(pk__in=wanted_targets))
        if len(chosen_sources) != len(wanted_sources) or len(chosen_targets) != len(wanted_targets):
            raise Http404  # a course outside the user's provinces, or not approved
        form = ProposalForm(
            initial=_prefill(
                chosen_sources, chosen_targets, _explanation_for(chosen_sources, chosen_targets)
            ),
            courses=courses,
        )
    elif request.POST.get("step") == "add":
        form = _with_added_courses(request, form, courses)
    elif form.is_valid():
        data = form.cleaned_data
        sources, targets = list(data["sources"]), list(data["targets"])
        try:
            mapping = services.mapping_propose(
                actor=request.user,
                province=sources[0].institution.province,
                sources=sources,
                targets=targets,
                credits_recognised=data["credits_recognised"],
                kind=data["kind"],
                direction=data["direction"],
                min_grade=data["min_grade"],
                conditions=data["conditions"],
                rationale=data["rationale"],
                valid_from_year=data["valid_from_year"],
                valid_to_year=data["valid_to_year"],
                evidence=data["evidence"],
                evidence_description=data["evidence_description"],
            )
        except services.MappingError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, _("Mapping proposed: a second reviewer can now decide."))
            return redirect("equivalence:detail", pk=mapping.pk)
    chosen = form["sources"].value() or [], form["targets"].value() or []
    picked = {
        c.pk: c
        for c in courses.filter(pk__in=[_int(v) for v in [*chosen[0], *chosen[1]] if _int(v)])
    }
    return render(
        request,
        "equivalence/propose.html",
        {
            "form": form,
            "source_courses": [picked[_int(v)] for v in chosen[0] if _int(v) in picked],
            "target_courses": [picked[_int(v)] for v in chosen[1] if _int(v) in picked],
        },
        status=400 if request.method == "POST" and form.is_bound else 200,
    )
