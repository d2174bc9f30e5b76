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

from django.db import transaction
from django.db.models import Count, Q, Sum
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
    # Learners and credits come from the dashboard's summaries when the province has them.
    ledger_as_of: dt.datetime | None = None

    def for_agency(self, institution_id: int) -> FigureSet | None:
        return next((f for f in self.agencies if f.agency and f.agency.pk == institution_id), None)


def institutions_covered(agency: Institution):
    """The institutions an agency's figures speak for."""
    if agency.kind == Institution.Kind.PROVINCIAL_OFFICE:
        return Institution.objects.filter(province_id=agency.province_id)
    return Institution.objects.filter(tree_path__startswith=agency.tree_path)


def ledger_figures(scopes: dict, *, on: dt.date | None = None) -> dict:
    """``{scope key: (learners with banked credits, credits banked, credits transferred)}`` for
    several sets of institution ids, from ONE pass over the ledger: the counted entries of the
    union of the sets, summed per institution and learner in the database, then added up per
    scope here (distinct learners cannot be summed across institutions, hence the pairs)."""
    on = on or timezone.localdate()
    everything = sorted(set().union(*scopes.values())) if scopes else []
    totals = {key: [set(), Decimal(0), Decimal(0)] for key in scopes}
    if everything:
        scopes_of: dict[int, list] = {}
        for key, ids in scopes.items():
            for institution_id in ids:
                scopes_of.setdefault(institution_id, []).append(totals[key])
        transfer = Q(source=SourceKind.TRANSFER)
        pairs = (
            CreditEntry.objects.filter(institution_id__in=everything)
            .counted(on)
            .values_list("institution", "learner")
            .annotate(
                banked_entries=Count("pk", filter=~transfer),
                banked=Sum("credits", filter=~transfer),
                transferred=Sum("credits", filter=transfer),
            )
            .order_by()
        )
        with transaction.atomic():  # a plain server-side cursor (no WITH HOLD copy)
            for institution, learner, banked_entries, banked, transferred in pairs.iterator(
                chunk_size=10_000
            ):
                for scope in scopes_of.get(institution, ()):
                    if banked_entries:
                        scope[0].add(learner)
                    if banked:
                        scope[1] += banked
                    if transferred:
                        scope[2] += transferred
    return {key: (len(v[0]), v[1], v[2]) for key, v in totals.items()}


def summary_ledger(round_, scopes: dict, agencies: dict):
    """The ledger figures of every scope from the province's dashboard summaries (kept by the
    hourly refresh), or None when the province has none. Scopes the summaries cannot answer
    (an agency that is not an office of the province) are left out for the live pass."""
    from .dashboard.services import SCOPED_OFFICE_KINDS
    from .models import SummaryRefresh, SummaryRow

    refresh = SummaryRefresh.objects.filter(province_id=round_.province_id).first()
    if refresh is None:
        return None, None
    banked, transferred, office_learners = {}, {}, {}
    rows = (
        SummaryRow.objects.filter(
            province_id=round_.province_id,
            dimension__in=["learners_month", "transfers", "scope_learners"],
        )
        .values_list("institution", "dimension", "key")
        .annotate(n=Sum("count"), v=Sum("value"))
        .order_by()
    )
    for institution, dimension, key, count, value in rows:
        if dimension == "learners_month":
            banked[institution] = banked.get(institution, Decimal(0)) + (value or 0)
        elif dimension == "transfers" and key == "credits":
            transferred[institution] = transferred.get(institution, Decimal(0)) + (value or 0)
        elif dimension == "scope_learners":
            office_learners[institution] = count or 0
    result = {}
    for key, ids in scopes.items():
        agency = agencies.get(key)
        if key == "province" or (agency and agency.kind == Institution.Kind.PROVINCIAL_OFFICE):
            learners = refresh.learners
        elif (
            agency
            and agency.kind in SCOPED_OFFICE_KINDS
            and agency.province_id == round_.province_id
        ):
            learners = office_learners.get(agency.pk, 0)
        else:
            continue
        result[key] = (
            learners,
            sum((banked.get(i, Decimal(0)) for i in ids), Decimal(0)),
            sum((transferred.get(i, Decimal(0)) for i in ids), Decimal(0)),
        )
    return result, refresh.refreshed_at


def figure_set(
    institutions, *, academic_year: int, agency=None, on: dt.date | None = None, ledger=None
):
    """Compute every figure for the institutions of ``institutions`` (a queryset).

    ``ledger`` is this scope's entry of ``ledger_figures`` when the caller computed several
    scopes in one pass."""
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

    if ledger is None:
        ledger = ledger_figures({None: set(institutions.values_list("pk", flat=True))}, on=on)[None]
    values["learners"], values["credits_banked"], values["credits_transferred"] = ledger

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
    contributions = list(
        round_.contributions.select_related("institution").order_by("position", "pk")
    )
    scopes = {"province": set()}
    paths = list(
        Institution.objects.filter(province_id=round_.province_id).values_list("pk", "tree_path")
    )
    scopes["province"] = {pk for pk, _path in paths}
    for contribution in contributions:
        agency = contribution.institution
        if agency.kind == Institution.Kind.PROVINCIAL_OFFICE:
            scopes[agency.pk] = scopes["province"]
        else:
            scopes[agency.pk] = {pk for pk, path in paths if path.startswith(agency.tree_path)}
            if agency.province_id != round_.province_id:  # an agency serving two provinces
                scopes[agency.pk] |= set(institutions_covered(agency).values_list("pk", flat=True))
    agencies_by_key = {c.institution.pk: c.institution for c in contributions}
    ledger, ledger_as_of = summary_ledger(round_, scopes, agencies_by_key)
    ledger = ledger or {}
    missing = {key: ids for key, ids in scopes.items() if key not in ledger}
    if missing:
        ledger.update(ledger_figures(missing, on=on))
    province = figure_set(
        Institution.objects.filter(province_id=round_.province_id),
        academic_year=academic_year,
        on=on,
        ledger=ledger["province"],
    )
    agencies = [
        figure_set(
            institutions_covered(contribution.institution),
            academic_year=academic_year,
            agency=contribution.institution,
            on=on,
            ledger=ledger[contribution.institution.pk],
        )
        for contribution in contributions
    ]
    return RoundFigures(
        as_of=timezone.now(),
        academic_year=academic_year,
        province=province,
        agencies=agencies,
        ledger_as_of=ledger_as_of,
    )
