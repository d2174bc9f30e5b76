"""Live figures of an inspection round: every number is a query over the data the other apps
keep, computed when the report is generated and printed with its as-of time.

An agency's figures cover the institutions under it (its tree); the provincial office's, and the
province total, cover every institution of the province. Reports is the one app that reads all
the others (DESIGN.md), through their models and selectors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import Course
from equivalence.models import EquivalenceMapping, MappingCourse
from institutions.models import Institution
from learners.models import CreditEntry, SourceKind
from skills.models import BranchRequest, Candidate, CentreBranch, Certificate, TestSession
from skills.selectors import equipment_needs_open

# (key, label) in the order the report prints them.
FIGURES = [
    ("institutions", _("Institutions taking part")),
    ("course_lists", _("Course lists collected")),
    ("courses_approved", _("Courses approved")),
    ("mappings_approved", _("Equivalence mappings approved")),
    ("coverage", _("Approved courses with an approved mapping (%)")),
    ("learners", _("Learners with banked credits")),
    ("credits_banked", _("Credits banked")),
    ("credits_transferred", _("Credits transferred")),
    ("test_sessions", _("Test sessions")),
    ("candidates", _("Test candidates")),
    ("certificates", _("Certificates issued")),
    ("branches", _("Test-centre branches")),
    ("branch_requests", _("Branch requests")),
    ("equipment_needs", _("Equipment needs open")),
]
LABELS = dict(FIGURES)


@dataclass
class FigureSet:
    """One column of figures: an agency's, or the province's (``agency`` None)."""

    agency: Institution | None
    values: dict = field(default_factory=dict)
    # "x of y" figures keep their target here.
    targets: dict = field(default_factory=dict)

    def display(self, key: str) -> str:
        value = self.values.get(key)
        if value is None:
            return "-"
        if isinstance(value, Decimal):
            text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
        elif isinstance(value, float):
            text = f"{value:.1f}"
        else:
            text = f"{value:,}"
        target = self.targets.get(key)
        if target is not None:
            return f"{text} / {target:,}"
        return text

    def rows(self) -> list[tuple[str, str, str]]:
        return [(key, str(label), self.display(key)) for key, label in FIGURES]


@dataclass
class RoundFigures:
    as_of: dt.datetime
    academic_year: int
    province: FigureSet
    agencies: list[FigureSet]

    def for_agency(self, institution_id: int) -> FigureSet | None:
        return next((f for f in self.agencies if f.agency and f.agency.pk == institution_id), None)


def institutions_covered(agency: Institution):
    """The institutions an agency's figures speak for."""
    if agency.kind == Institution.Kind.PROVINCIAL_OFFICE:
        return Institution.objects.filter(province_id=agency.province_id)
    return Institution.objects.filter(tree_path__startswith=agency.tree_path)


def figure_set(institutions, *, academic_year: int, agency=None, on: dt.date | None = None):
    """Compute every figure for the institutions of ``institutions`` (a queryset)."""
    on = on or timezone.localdate()
    ids = institutions.values("pk")
    taking_part = institutions.filter(active=True).exclude(kind__in=Institution.OFFICE_KINDS)
    figures = FigureSet(agency=agency)
    values, targets = figures.values, figures.targets

    counts = taking_part.aggregate(
        total=Count("pk", distinct=True),
        collected=Count(
            "pk",
            distinct=True,
            filter=Q(
                courses__academic_year=academic_year,
                courses__status__in=[Course.Status.SUBMITTED, Course.Status.APPROVED],
            ),
        ),
    )
    values["institutions"] = counts["total"]
    values["course_lists"] = counts["collected"]
    targets["course_lists"] = counts["total"]

    approved = Course.objects.filter(institution__in=ids, status=Course.Status.APPROVED)
    values["courses_approved"] = approved.count()
    mapped = (
        MappingCourse.objects.filter(
            course__in=approved.values("pk"), mapping__status=EquivalenceMapping.Status.APPROVED
        )
        .values("course")
        .distinct()
        .count()
    )
    values["mappings_approved"] = (
        EquivalenceMapping.objects.filter(
            status=EquivalenceMapping.Status.APPROVED, links__course__institution__in=ids
        )
        .distinct()
        .count()
    )
    values["coverage"] = (
        round(100.0 * mapped / values["courses_approved"], 1) if values["courses_approved"] else 0.0
    )

    counted = CreditEntry.objects.filter(institution__in=ids).counted(on)
    ledger = counted.aggregate(
        learners=Count("learner", distinct=True, filter=~Q(source=SourceKind.TRANSFER)),
    )
    values["learners"] = ledger["learners"]
    values["credits_banked"] = counted.exclude(source=SourceKind.TRANSFER).total_credits()
    values["credits_transferred"] = counted.filter(source=SourceKind.TRANSFER).total_credits()

    values["test_sessions"] = TestSession.objects.filter(centre__in=ids).count()
    values["candidates"] = Candidate.objects.filter(session__centre__in=ids).count()
    values["certificates"] = Certificate.objects.filter(centre__in=ids).count()
    values["branches"] = CentreBranch.objects.filter(centre__in=ids).count()
    values["branch_requests"] = BranchRequest.objects.filter(centre__in=ids).count()
    values["equipment_needs"] = equipment_needs_open().filter(centre__in=ids).count()
    return figures


def round_figures(round_, *, on: dt.date | None = None) -> RoundFigures:
    """The province's figures and each participating agency's, as of now."""
    academic_year = round_.fiscal_year
    province = figure_set(
        Institution.objects.filter(province_id=round_.province_id),
        academic_year=academic_year,
        on=on,
    )
    agencies = [
        figure_set(
            institutions_covered(contribution.institution),
            academic_year=academic_year,
            agency=contribution.institution,
            on=on,
        )
        for contribution in round_.contributions.select_related("institution").order_by(
            "position", "pk"
        )
    ]
    return RoundFigures(
        as_of=timezone.now(), academic_year=academic_year, province=province, agencies=agencies
    )
