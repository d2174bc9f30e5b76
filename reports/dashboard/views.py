"""The provincial dashboard: centre staff see their province; the national administrator sees
every province, a province-by-province table, and any province's dashboard."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creditbank.documents.xlsx import SafeWorkbook, write_rows
from creditbank.pagination import count_version
from institutions.models import Institution, Province
from institutions.scoping import scope_for

from ..models import SummaryRefresh
from . import selectors
from .services import DIMENSIONS


def _province_for(request) -> Province | None:
    """The province the user asked for and may see; None for the national overview."""
    scope = scope_for(request.user)
    if not scope.is_national and not scope.centre_province_ids:
        raise Http404  # only centres have a dashboard; for anyone else it does not exist
    slug = request.GET.get("province", "")
    if slug:
        province = get_object_or_404(Province, slug=slug)
        if not scope.is_centre_for(province.pk):
            raise Http404  # another province's dashboard does not exist for this user
        return province
    if scope.is_national:
        return None
    return Province.objects.get(pk=min(scope.centre_province_ids))


def _filters(request, province):
    district = request.GET.get("district", "").strip()[:100]
    institution = None
    raw = request.GET.get("institution", "")
    if raw.isdigit():
        institution = get_object_or_404(Institution, pk=int(raw), province=province)
        district = institution.district
    return district, institution


BODY_CACHE_SECONDS = 3600


def _province_and_refresh(request):
    """The province asked for (None: the national overview) and its last refresh, in one query
    for centre staff on their own dashboard."""
    scope = scope_for(request.user)
    if not request.GET.get("province") and not scope.is_national and scope.centre_province_ids:
        province_id = min(scope.centre_province_ids)
        refresh = (
            SummaryRefresh.objects.select_related("province")
            .filter(province_id=province_id)
            .first()
        )
        if refresh is not None:
            return refresh.province, refresh
        return Province.objects.get(pk=province_id), None
    province = _province_for(request)
    return province, (selectors.refresh_of(province) if province else None)


@login_required
def dashboard(request):
    scope = scope_for(request.user)
    own = (
        not request.GET.get("province")
        and not request.GET.get("institution")
        and not scope.is_national
        and scope.centre_province_ids
    )
    if own:
        # A centre's own dashboard: everything on it changes only with a refresh (which bumps
        # the "dashboard" count version), so a repeat view reads nothing from the database.
        district = request.GET.get("district", "").strip()[:100]
        cache_key = _body_key(min(scope.centre_province_ids), district, None, False)
        cached = cache.get(cache_key)
        if cached is not None:
            return _dashboard_page(request, *cached)
    province, refresh = _province_and_refresh(request)
    if province is None:
        headers, rows = selectors.national_table()
        return render(
            request, "reports/dashboard/national.html", {"headers": headers, "rows": rows}
        )
    district, institution = _filters(request, province)
    is_national = scope.is_national
    cache_key = _body_key(province.pk, district, institution, is_national)
    cached = cache.get(cache_key)
    if cached is None:
        body = _dashboard_body(request, province, district, institution, refresh, is_national)
        cached = (province.slug, province.name, body)
        cache.set(cache_key, cached, BODY_CACHE_SECONDS)
    return _dashboard_page(request, *cached)


def _body_key(province_id, district, institution, is_national) -> str:
    return "dashboard:{}:{}:{}:{}:{}:{}:{}".format(
        province_id,
        hashlib.sha256(district.encode()).hexdigest()[:12],
        institution.pk if institution else 0,
        get_language(),
        int(is_national),
        count_version("institutions"),
        count_version("dashboard"),
    )


def _dashboard_page(request, slug, name, body):
    return render(
        request,
        "reports/dashboard/dashboard.html",
        {"province_slug": slug, "province_name": name, "body": mark_safe(body)},  # noqa: S308
    )


def _dashboard_body(request, province, district, institution, refresh, is_national) -> str:
    charts = selectors.charts(
        province, district=district, institution_id=institution.pk if institution else None
    )
    query = {"province": province.slug}
    if district:
        query["district"] = district
    if institution:
        query["institution"] = institution.pk
    return render_to_string(
        "reports/dashboard/_body.html",
        {
            "province": province,
            "district": district,
            "institution": institution,
            "charts": charts,
            "chart_data": {c.dimension: c.as_json() for c in charts},
            "coverage_rows": selectors.coverage_by_institution(
                province, district=district, institution_id=institution.pk if institution else None
            ),
            "districts": selectors.districts(province) if not district else [],
            "institutions": selectors.institutions(province, district)
            if district and not institution
            else [],
            "refresh": refresh,
            "query": urlencode(query),
            "is_national": is_national,
        },
    )


@login_required
def dashboard_export(request, dimension):
    if dimension not in DIMENSIONS:
        raise Http404
    province = _province_for(request)
    if province is None:
        raise Http404
    district, institution = _filters(request, province)
    chart = selectors.chart(
        province,
        dimension,
        district=district,
        institution_id=institution.pk if institution else None,
    )
    refresh = selectors.refresh_of(province)
    book = SafeWorkbook()
    sheet = book.sheet(chart.title)
    header = [_("Category"), _("Count")]
    if chart.value_label:
        header.append(chart.value_label)
    rows = []
    for _key, label, count, value in chart.rows:
        row = [label, count]
        if chart.value_label:
            row.append(float(value))
        rows.append(row)
    write_rows(sheet, header, rows)
    scope_label = institution.name_th if institution else (district or province.name_th)
    sheet.append([])
    sheet.append([_("Scope"), scope_label])
    sheet.append(
        [
            _("As of"),
            timezone.localtime(refresh.refreshed_at).strftime("%Y-%m-%d %H:%M") if refresh else "-",
        ]
    )
    response = HttpResponse(
        book.to_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="dashboard-{province.slug}-{dimension}.xlsx"'
    )
    return response


@login_required
@require_POST
def dashboard_refresh(request):
    province = _province_for(request) if request.GET.get("province") else None
    if province is None:
        slug = request.POST.get("province", "")
        province = get_object_or_404(Province, slug=slug)
        if not scope_for(request.user).is_centre_for(province.pk):
            raise Http404
    from ..tasks import dashboard_refresh as task

    task.delay(province.pk)
    messages.success(request, _("The figures are being refreshed; reload the page in a moment."))
    return redirect(reverse("reports:dashboard") + "?" + urlencode({"province": province.slug}))
