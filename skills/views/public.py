"""Pages anyone may open: the standards catalogue, a standard, verification, badges, keys."""

from __future__ import annotations

import unicodedata

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from courses.models import Course
from creditbank import signing
from creditbank.ratelimit import rate_limited
from institutions.models import Province
from institutions.scoping import scope_for

from .. import badges
from ..forms import CatalogueFilterForm
from ..models import Certificate, OccupationalStandard
from ..services import certificates as certificate_services
from ..services.centres import centres_for_standard

PAGE_SIZE = 25


@require_GET
def catalogue(request):
    form = CatalogueFilterForm(request.GET or None)
    standards = OccupationalStandard.objects.active().select_related("nqf_level")
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        standards = standards.search(data["q"])
        if data["body"]:
            standards = standards.filter(body=data["body"])
        if data["branch"]:
            standards = standards.filter(branch__icontains=data["branch"].strip())
        if data["level"]:
            standards = standards.filter(level=data["level"])
        if data["nqf"]:
            standards = standards.filter(nqf_level=data["nqf"])
        filters = data
    standards = standards.annotate(course_count=Count("courses", distinct=True))
    page = Paginator(standards.order_by("branch", "level", "code", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    branches = (
        OccupationalStandard.objects.active()
        .order_by("branch")
        .values_list("branch", flat=True)
        .distinct()
    )
    return render(
        request,
        "skills/catalogue.html",
        {"form": form, "page": page, "filters": filters, "branches": list(branches)},
    )


def _province(request):
    """The province whose courses and centres a standard's page shows: ?province=slug, the
    signed-in user's own, or the first active centre."""
    slug = request.GET.get("province")
    provinces = Province.objects.filter(centre_active=True)
    if slug:
        return get_object_or_404(provinces, slug=slug)
    ids = scope_for(request.user).province_ids
    if ids:
        found = provinces.filter(pk__in=sorted(ids)).first()
        if found:
            return found
    return provinces.order_by("code").first()


@require_GET
def standard_detail(request, pk):
    standard = get_object_or_404(
        OccupationalStandard.objects.active().select_related("nqf_level", "owner"), pk=pk
    )
    province = _province(request)
    province_q = Q(institution__province=province) if province else Q()
    courses = (
        standard.courses.filter(province_q)
        .filter(status=Course.Status.APPROVED, institution__active=True)
        .select_related("institution")
        .order_by("institution__name_th", "code")
    )
    centres = centres_for_standard(standard)
    if province:
        centres = centres.filter(province=province)
    centres = centres.distinct().order_by("name_th")
    provinces = Province.objects.filter(centre_active=True).order_by("code")
    return render(
        request,
        "skills/standard_detail.html",
        {
            "standard": standard,
            "courses": list(courses[:200]),
            "centres": list(centres[:100]),
            "province": province,
            "provinces": list(provinces),
        },
    )


def _mask(name: str) -> str:
    """ผู้ใหญ่ญาติ น้ำฐานปั้น → ผู้ใหญ่ญาติ น••• : the first name and the first letter of the
    rest (with its marks), enough to match a person in front of you, not to find them."""
    parts = name.split()
    if not parts:
        return ""
    if len(parts) == 1:
        return _initial(parts[0]) + "•••"
    first = parts[:-1]
    return " ".join([*first, _initial(parts[-1]) + "•••"])


def _initial(word: str) -> str:
    """The first letter without its marks (a Thai leading vowel keeps its consonant)."""
    letters = [char for char in word if unicodedata.category(char) != "Mn"]
    if letters and letters[0] in "เแโใไ":
        return "".join(letters[:2])
    return "".join(letters[:1])


@never_cache
@rate_limited("verify", limit_setting="SKILLS_VERIFY_RATE_PER_MINUTE", default_limit=30)
@require_GET
def verify(request, public_id, token):
    status, certificate = certificate_services.verify(public_id, token)
    response = render(
        request,
        "skills/verify.html",
        {
            "status": status,
            "status_label": Certificate.Shown(status).label,
            "certificate": certificate,
            "holder": _mask(certificate.holder_name) if certificate else "",
            "badge_url": request.path + "badge.json" if certificate else "",
        },
        status=200 if certificate else 404,
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@rate_limited("verify", limit_setting="SKILLS_VERIFY_RATE_PER_MINUTE", default_limit=30)
@require_GET
def badge(request, public_id, token):
    _status, certificate = certificate_services.verify(public_id, token)
    if certificate is None:
        raise Http404
    response = JsonResponse(
        badges.credential(certificate), json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Type"] = "application/vc+ld+json; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="{certificate.serial}.json"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_GET
def status_list(request):
    response = JsonResponse(
        badges.status_list_credential(), json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Type"] = "application/vc+ld+json; charset=utf-8"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def key(request, kid):
    try:
        document = badges.key_document(kid)
    except signing.SigningError:
        raise Http404 from None
    return JsonResponse(document)
