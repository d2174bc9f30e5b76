"""Rebuilding the dashboard's summary rows: one province, or every province in one pass.

Every grouped query runs once for the whole scope (group by institution) and its rows are
dealt out to the provinces, so a national refresh reads the ledger once, not once per province.
Each province's rows are replaced in one transaction with the time they were computed.
"""

from __future__ import annotations

import time
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from courses.models import Course
from creditbank.pagination import bump_count_version
from equivalence.models import EquivalenceMapping, MappingCourse
from institutions.models import Institution, Province
from learners.models import CreditEntry, SourceKind, TransferRequest
from skills.models import Certificate

from ..models import AgencyScope, SummaryRefresh, SummaryRow

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


class _Collector:
    """Summary rows dealt out by the province of their institution."""

    def __init__(self, province_ids: list[int] | None):
        institutions = Institution.objects.filter(province__isnull=False)
        if province_ids is not None:
            institutions = institutions.filter(province_id__in=province_ids)
        self.institutions = {}
        self.paths = {}
        for pk, province_id, district, kind, active, path in institutions.values_list(
            "pk", "province_id", "district", "kind", "active", "tree_path"
        ):
            self.institutions[pk] = (province_id, district, kind, active)
            self.paths[pk] = path
        self.rows: dict[int, list[SummaryRow]] = defaultdict(list)

    def add(self, institution_id, dimension, key, count=0, value=None):
        info = self.institutions.get(institution_id)
        if info is None:
            return
        province_id, district = info[0], info[1]
        self.rows[province_id].append(
            SummaryRow(
                province_id=province_id,
                institution_id=institution_id,
                district=district,
                dimension=dimension,
                key=str(key if key not in (None, "") else NONE_KEY)[:120],
                count=count or 0,
                value=value or Decimal(0),
            )
        )


def _in_scope(province_ids, prefix="institution__"):
    if province_ids is None:
        return Q(**{f"{prefix}province__isnull": False})
    return Q(**{f"{prefix}province_id__in": province_ids})


def _build(province_ids: list[int] | None) -> tuple[_Collector, dict[int, int]]:
    rows = _Collector(province_ids)
    scope = _in_scope(province_ids)
    approved = Course.objects.filter(scope, status=Course.Status.APPROVED)

    for dimension, field in (
        ("courses_level", "level"),
        ("courses_subject", "subject_group"),
        ("courses_field", "occupational_field"),
    ):
        for row in approved.values("institution", field).annotate(n=Count("pk")).order_by():
            rows.add(row["institution"], dimension, row[field], row["n"])

    # Collection progress: the province's latest academic year with course lists.
    years: dict[int, int] = {}
    sent_by_year = (
        Course.objects.filter(scope, status__in=[Course.Status.SUBMITTED, Course.Status.APPROVED])
        .values_list("institution", "academic_year")
        .distinct()
    )
    sent = set()
    for institution_id, year in sent_by_year:
        province_id = rows.institutions.get(institution_id, (None,))[0]
        if province_id is not None:
            years[province_id] = max(years.get(province_id, 0), year)
            sent.add((institution_id, year))
    offices = Institution.OFFICE_KINDS
    for pk, (province_id, _district, kind, active) in rows.institutions.items():
        if active and kind not in offices:
            submitted = (pk, years.get(province_id)) in sent
            rows.add(pk, "collection", "submitted" if submitted else "missing", 1)

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
        rows.add(row["institution"], "coverage", "approved", row["n"])
        rows.add(row["institution"], "coverage", "mapped", row["m"])

    counted = CreditEntry.objects.filter(scope).counted()
    monthly = (
        counted.exclude(source=SourceKind.TRANSFER)
        .annotate(month=TruncMonth("created_at"))
        .values("institution", "month")
        .annotate(n=Count("learner", distinct=True), credits=Sum("credits"))
        .order_by()
    )
    for row in monthly:
        month = row["month"].strftime("%Y-%m") if row["month"] else NONE_KEY
        rows.add(row["institution"], "learners_month", month, row["n"], row["credits"])

    requests = (
        TransferRequest.objects.filter(_in_scope(province_ids, "target_institution__"))
        .values("target_institution", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in requests:
        rows.add(row["target_institution"], "transfers", row["status"], row["n"])
    transferred = (
        counted.filter(source=SourceKind.TRANSFER)
        .values("institution")
        .annotate(credits=Sum("credits"))
        .order_by()
    )
    for row in transferred:
        rows.add(row["institution"], "transfers", "credits", 0, row["credits"])

    certificates = Certificate.objects.filter(_in_scope(province_ids, "centre__")).exclude(
        status=Certificate.Status.REVOKED
    )
    for dimension, field in (
        ("certificates_branch", "standard__branch"),
        ("certificates_level", "standard__level"),
    ):
        for row in certificates.values("centre", field).annotate(n=Count("pk")).order_by():
            rows.add(row["centre"], dimension, row[field], row["n"])
    return rows, years


# Offices whose report figures cover the institutions below them (the provincial office's cover
# the whole province, which SummaryRefresh.learners holds).
SCOPED_OFFICE_KINDS = Institution.OFFICE_KINDS - {
    Institution.Kind.PROVINCIAL_OFFICE,
    Institution.Kind.NATIONAL_OFFICE,
}


def _scopes(rows: _Collector) -> list[AgencyScope]:
    """(office, institution) for every office and each institution under it, from the tree paths."""
    offices = {pk for pk, info in rows.institutions.items() if info[2] in SCOPED_OFFICE_KINDS}
    scopes = []
    for pk, path in rows.paths.items():
        for ancestor in path.strip("/").split("/"):
            if ancestor.isdigit() and int(ancestor) in offices:
                scopes.append(
                    AgencyScope(
                        office_id=int(ancestor),
                        institution_id=pk,
                        province_id=rows.institutions[pk][0],
                    )
                )
    return scopes


def _learner_counts(province_ids: list[int] | None):
    """Distinct learners with banked credits per office and per province (grouped in the
    database: they cannot be added up from per-institution rows)."""
    banked = CreditEntry.objects.counted().exclude(source=SourceKind.TRANSFER)
    per_office = dict(
        banked.filter(_in_scope(province_ids, "institution__agency_scopes__"))
        .values("institution__agency_scopes__office")
        .annotate(n=Count("learner", distinct=True))
        .order_by()
        .values_list("institution__agency_scopes__office", "n")
    )
    per_province = dict(
        banked.filter(_in_scope(province_ids))
        .values("institution__province")
        .annotate(n=Count("learner", distinct=True))
        .order_by()
        .values_list("institution__province", "n")
    )
    return per_office, per_province


def _store(
    province_id: int, rows: list[SummaryRow], year, started: float, learners: int = 0
) -> SummaryRefresh:
    SummaryRow.objects.filter(province_id=province_id).delete()
    SummaryRow.objects.bulk_create(rows, batch_size=5000)
    refresh, _ = SummaryRefresh.objects.update_or_create(
        province_id=province_id,
        defaults={
            "refreshed_at": timezone.now(),
            "duration_ms": int((time.perf_counter() - started) * 1000),
            "rows": len(rows),
            "academic_year": year,
            "learners": learners,
        },
    )
    return refresh


def _refresh(province_ids: list[int] | None) -> list[SummaryRefresh]:
    started = time.perf_counter()
    rows, years = _build(province_ids)
    scopes = _scopes(rows)
    targets = province_ids or sorted({info[0] for info in rows.institutions.values()})
    with transaction.atomic():
        AgencyScope.objects.filter(province_id__in=targets).delete()
        AgencyScope.objects.bulk_create(scopes, batch_size=5000)
    per_office, per_province = _learner_counts(province_ids)
    for office, count in per_office.items():
        rows.add(office, "scope_learners", "learners", count)
    refreshes = []
    # Cached dashboard pages are keyed by this version: they change once the new rows commit.
    transaction.on_commit(lambda: bump_count_version("dashboard"))
    for province_id in targets:
        with transaction.atomic():
            refreshes.append(
                _store(
                    province_id,
                    rows.rows.get(province_id, []),
                    years.get(province_id),
                    started,
                    per_province.get(province_id, 0),
                )
            )
    return refreshes


def summaries_refresh(*, actor=None, province: Province) -> SummaryRefresh:
    """Replace one province's summary rows with freshly computed ones and record the time."""
    return _refresh([province.pk])[0]


def summaries_refresh_all(*, actor=None) -> int:
    """Every province with institutions, from one pass over the data; each province's rows are
    replaced in its own transaction."""
    return len(_refresh(None))
