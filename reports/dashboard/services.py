"""Rebuilding the dashboard's summary rows of a province (one transaction per province)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from courses.models import Course
from equivalence.models import EquivalenceMapping, MappingCourse
from institutions.models import Institution, Province
from learners.models import CreditEntry, SourceKind, TransferRequest
from skills.models import Certificate

from ..models import SummaryRefresh, SummaryRow

# The charts, in the order the page shows them.
DIMENSIONS = (
    "courses_level",
    "courses_subject",
    "courses_field",
    "collection",
    "coverage",
    "learners_month",
    "transfers",
    "certificates_branch",
    "certificates_level",
)
NONE_KEY = "-"


def _rows(province, districts, dimension, grouped: Iterable[dict], *, key, count, value=None):
    for row in grouped:
        institution_id = row["institution"]
        yield SummaryRow(
            province=province,
            institution_id=institution_id,
            district=districts.get(institution_id, ""),
            dimension=dimension,
            key=str(key(row) or NONE_KEY)[:120],
            count=row.get(count) or 0,
            value=(row.get(value) or Decimal(0)) if value else Decimal(0),
        )


def _build(province: Province) -> tuple[list[SummaryRow], int | None]:
    districts = dict(Institution.objects.filter(province=province).values_list("pk", "district"))
    in_province = Q(institution__province=province)
    approved = Course.objects.filter(in_province, status=Course.Status.APPROVED)
    rows: list[SummaryRow] = []

    for dimension, field in (
        ("courses_level", "level"),
        ("courses_subject", "subject_group"),
        ("courses_field", "occupational_field"),
    ):
        grouped = approved.values("institution", field).annotate(n=Count("pk")).order_by()
        rows += _rows(
            province, districts, dimension, grouped, key=lambda r, f=field: r[f], count="n"
        )

    year = Course.objects.filter(in_province).aggregate(year=Max("academic_year"))["year"]
    sent = set(
        Course.objects.filter(
            in_province,
            academic_year=year,
            status__in=[Course.Status.SUBMITTED, Course.Status.APPROVED],
        )
        .values_list("institution", flat=True)
        .distinct()
    )
    targets = (
        Institution.objects.filter(province=province, active=True)
        .exclude(kind__in=Institution.OFFICE_KINDS)
        .values_list("pk", flat=True)
    )
    rows += _rows(
        province,
        districts,
        "collection",
        ({"institution": pk, "n": 1, "sent": pk in sent} for pk in targets),
        key=lambda r: "submitted" if r["sent"] else "missing",
        count="n",
    )

    mapped = MappingCourse.objects.filter(
        course=OuterRef("pk"), mapping__status=EquivalenceMapping.Status.APPROVED
    )
    coverage = (
        approved.annotate(mapped=Exists(mapped))
        .values("institution")
        .annotate(n=Count("pk"), m=Count("pk", filter=Q(mapped=True)))
        .order_by()
    )
    for row in coverage:
        rows += _rows(province, districts, "coverage", [row], key=lambda r: "approved", count="n")
        rows += _rows(province, districts, "coverage", [row], key=lambda r: "mapped", count="m")

    counted = CreditEntry.objects.filter(in_province).counted()
    monthly = (
        counted.exclude(source=SourceKind.TRANSFER)
        .annotate(month=TruncMonth("created_at"))
        .values("institution", "month")
        .annotate(n=Count("learner", distinct=True), credits=Sum("credits"))
        .order_by()
    )
    rows += _rows(
        province,
        districts,
        "learners_month",
        monthly,
        key=lambda r: r["month"].strftime("%Y-%m") if r["month"] else NONE_KEY,
        count="n",
        value="credits",
    )

    requests = (
        TransferRequest.objects.filter(target_institution__province=province)
        .values("target_institution", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    transferred = dict(
        counted.filter(source=SourceKind.TRANSFER)
        .values("institution")
        .annotate(credits=Sum("credits"))
        .order_by()
        .values_list("institution", "credits")
    )
    for row in requests:
        row["institution"] = row["target_institution"]
    rows += _rows(province, districts, "transfers", requests, key=lambda r: r["status"], count="n")
    rows += _rows(
        province,
        districts,
        "transfers",
        ({"institution": pk, "credits": credits} for pk, credits in transferred.items()),
        key=lambda r: "credits",
        count="none",
        value="credits",
    )

    certificates = Certificate.objects.filter(centre__province=province).exclude(
        status=Certificate.Status.REVOKED
    )
    for dimension, field in (
        ("certificates_branch", "standard__branch"),
        ("certificates_level", "standard__level"),
    ):
        grouped = certificates.values("centre", field).annotate(n=Count("pk")).order_by()
        for row in grouped:
            row["institution"] = row["centre"]
        rows += _rows(
            province, districts, dimension, grouped, key=lambda r, f=field: r[f], count="n"
        )
    return rows, year


@transaction.atomic
def summaries_refresh(*, actor=None, province: Province) -> SummaryRefresh:
    """Replace a province's summary rows with freshly computed ones and record the time."""
    started = time.perf_counter()
    rows, year = _build(province)
    SummaryRow.objects.filter(province=province).delete()
    SummaryRow.objects.bulk_create(rows, batch_size=2000)
    refresh, _ = SummaryRefresh.objects.update_or_create(
        province=province,
        defaults={
            "refreshed_at": timezone.now(),
            "duration_ms": int((time.perf_counter() - started) * 1000),
            "rows": len(rows),
            "academic_year": year,
        },
    )
    return refresh


def summaries_refresh_all(*, actor=None) -> int:
    """Every province with an active centre (or with institutions); one transaction each."""
    count = 0
    for province in Province.objects.filter(
        Q(centre_active=True) | Q(institutions__isnull=False)
    ).distinct():
        summaries_refresh(actor=actor, province=province)
        count += 1
    return count
