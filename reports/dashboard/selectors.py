"""Reads of the summary rows: every chart of a view in one query, labelled for display."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from courses.models import Level, SubjectGroup
from institutions.models import Province
from learners.models import TransferRequest

from ..models import SummaryRefresh, SummaryRow
from .services import DIMENSIONS

TITLES = {
    "courses_level": _("Approved courses by level"),
    "courses_subject": _("Approved courses by subject group"),
    "courses_field": _("Approved courses by occupational field"),
    "collection": _("Course list collection"),
    "coverage": _("Equivalence coverage"),
    "learners_month": _("Learners and credits banked by month"),
    "transfers": _("Credit transfer requests"),
    "certificates_branch": _("Certificates by occupation branch"),
    "certificates_level": _("Certificates by level"),
}
CHART_TYPES = {"collection": "doughnut"}
FIXED_LABELS = {
    "collection": {"submitted": _("Submitted"), "missing": _("Not yet submitted")},
    "coverage": {"approved": _("Approved courses"), "mapped": _("With an approved mapping")},
    "transfers": {**dict(TransferRequest.Status.choices), "credits": _("Credits transferred")},
    "courses_level": dict(Level.choices),
    "courses_subject": dict(SubjectGroup.choices),
}
VALUE_LABELS = {"learners_month": _("Credits")}


def label_for(dimension: str, key: str) -> str:
    if key == "-":
        return str(_("Not stated"))
    labels = FIXED_LABELS.get(dimension)
    if labels and key in labels:
        return str(labels[key])
    if dimension == "certificates_level":
        return str(_("Level %(level)s")) % {"level": key}
    return key


@dataclass
class Chart:
    dimension: str
    title: str
    kind: str
    rows: list[tuple[str, str, int, Decimal]] = field(default_factory=list)  # key, label, n, value
    value_label: str = ""
    note: str = ""

    @property
    def total(self) -> int:
        return sum(n for _k, _l, n, _v in self.rows)

    def as_json(self) -> dict:
        data = {
            "type": self.kind,
            "title": self.title,
            "labels": [label for _k, label, _n, _v in self.rows],
            "counts": [n for _k, _l, n, _v in self.rows],
        }
        if self.value_label:
            data["values"] = [float(v) for _k, _l, _n, v in self.rows]
            data["value_label"] = self.value_label
        return data


def _filtered(province: Province, district: str = "", institution_id: int | None = None):
    rows = SummaryRow.objects.filter(province=province)
    if district:
        rows = rows.filter(district=district)
    if institution_id:
        rows = rows.filter(institution_id=institution_id)
    return rows


def charts(province: Province, *, district: str = "", institution_id: int | None = None):
    """Every chart of the view (province, district or institution) from one grouped query."""
    grouped = (
        _filtered(province, district, institution_id)
        .values("dimension", "key")
        .annotate(n=Sum("count"), v=Sum("value"))
        .order_by("dimension", "key")
    )
    by_dimension: dict[str, list] = defaultdict(list)
    for row in grouped:
        by_dimension[row["dimension"]].append(
            (row["key"], label_for(row["dimension"], row["key"]), row["n"] or 0, row["v"] or 0)
        )
    result = []
    for dimension in DIMENSIONS:
        rows = by_dimension.get(dimension, [])
        if dimension != "learners_month":  # months stay in time order; the rest by size
            rows.sort(key=lambda r: (-r[2], r[1]))
        note = ""
        if dimension == "transfers":
            credits = sum((r[3] for r in rows if r[0] == "credits"), Decimal(0))
            rows = [r for r in rows if r[0] != "credits"]
            note = str(_("Credits transferred: %(credits)s")) % {"credits": credits}
        result.append(
            Chart(
                note=note,
                dimension=dimension,
                title=str(TITLES[dimension]),
                kind=CHART_TYPES.get(dimension, "bar"),
                rows=rows,
                value_label=str(VALUE_LABELS.get(dimension, "")),
            )
        )
    return result


def chart(province: Province, dimension: str, **filters) -> Chart:
    return next(c for c in charts(province, **filters) if c.dimension == dimension)


def districts(province: Province) -> list[tuple[str, int]]:
    """Districts with the number of institutions in the summaries (drill-down links)."""
    return list(
        SummaryRow.objects.filter(province=province)
        .exclude(district="")
        .values_list("district")
        .annotate(n=Count("institution", distinct=True))
        .order_by("district")
    )


def institutions(province: Province, district: str) -> list[tuple[int, str]]:
    return list(
        SummaryRow.objects.filter(province=province, district=district)
        .values_list("institution_id", "institution__name_th")
        .distinct()
        .order_by("institution__name_th")
    )


def refresh_of(province: Province) -> SummaryRefresh | None:
    return SummaryRefresh.objects.filter(province=province).first()


# The province-by-province table of the national view: (column, dimension, keys or None = all).
NATIONAL_COLUMNS = [
    ("courses", _("Approved courses"), "courses_level", None, "count"),
    ("submitted", _("Course lists submitted"), "collection", "submitted", "count"),
    ("targeted", _("Institutions"), "collection", None, "count"),
    ("mapped", _("Courses with a mapping"), "coverage", "mapped", "count"),
    ("credits", _("Credits banked"), "learners_month", None, "value"),
    ("transfers", _("Transfer requests"), "transfers", "approved", "count"),
    ("certificates", _("Certificates"), "certificates_level", None, "count"),
]


def national_table() -> tuple[list, list[dict]]:
    """One row per province that has summaries (two queries)."""
    grouped = (
        SummaryRow.objects.values("province", "dimension", "key")
        .annotate(n=Sum("count"), v=Sum("value"))
        .order_by()
    )
    totals: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in grouped:
        for column, _label, dimension, key, measure in NATIONAL_COLUMNS:
            if row["dimension"] == dimension and (key is None or row["key"] == key):
                totals[row["province"]][column] += (
                    row["n"] if measure == "count" else row["v"]
                ) or 0
    refreshed = dict(SummaryRefresh.objects.values_list("province_id", "refreshed_at"))
    provinces = Province.objects.filter(pk__in=list(totals) + list(refreshed)).order_by("name_th")
    rows = []
    for province in provinces:
        values = totals.get(province.pk, {})
        rows.append(
            {
                "province": province,
                "values": [values.get(column, 0) for column, *_rest in NATIONAL_COLUMNS],
                "refreshed_at": refreshed.get(province.pk),
            }
        )
    headers = [str(label) for _c, label, *_rest in NATIONAL_COLUMNS]
    return headers, rows


def coverage_by_institution(
    province: Province, *, district: str = "", institution_id: int | None = None, limit: int = 50
) -> list[dict]:
    """Equivalence coverage per institution, lowest first (the ones to work on), one query."""
    per_institution: dict[int, dict] = {}
    rows = (
        _filtered(province, district, institution_id)
        .filter(dimension="coverage")
        .values_list("institution_id", "institution__name_th", "key", "count")
    )
    for pk, name, key, count in rows:
        entry = per_institution.setdefault(pk, {"name": name, "approved": 0, "mapped": 0})
        entry[key] = entry.get(key, 0) + count
    result = []
    for entry in per_institution.values():
        if entry["approved"]:
            entry["percent"] = round(100 * entry["mapped"] / entry["approved"], 1)
            result.append(entry)
    result.sort(key=lambda e: (e["percent"], e["name"]))
    return result[:limit]
